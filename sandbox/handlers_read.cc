// GET and LIST, and the dispatch from a request to its verb handler.
#include <chrono>

#include "capigitops/json.h"
#include "handlers.h"
#include "selectors.h"
#include "util.h"

namespace capigitops::sandbox {
namespace {

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool IsCrdType(const ResourceType& t) {
  return t.group == "apiextensions.k8s.io" &&
         t.plural == "customresourcedefinitions";
}

Reply ServeCrds(const Target& t) {
  std::vector<json> crds = t.ctx->kinds->CrdObjects();
  if (!t.path.name.empty()) {
    for (const json& c : crds) {
      if (c["metadata"].value("name", "") == t.path.name) return OkReply(c);
    }
    return ErrorReply(
        NotFoundError(t.type->group, t.type->plural, t.path.name));
  }
  return OkReply(
      {{"kind", "CustomResourceDefinitionList"},
       {"apiVersion", "apiextensions.k8s.io/v1"},
       {"metadata",
        {{"resourceVersion", std::to_string(t.ctx->store->CurrentRv())}}},
       {"items", crds}});
}

// The list as json::dump() wrote it after SetTypeMeta on copies of the
// items, written from the stored objects' cached text: no copies, and each
// object is serialized once for all the LISTs that return it.
Reply ListReply(const Target& t, const std::vector<StoredPtr>& items,
                const json& meta) {
  std::string api_version = json(t.GroupVersion()).dump();
  std::string kind = json(t.type->kind).dump();
  std::string metadata = meta.dump();
  size_t size = 64 + metadata.size() + t.type->list_kind.size();
  for (const StoredPtr& obj : items) {
    size += obj->TextSize() + api_version.size() + kind.size() + 24;
  }
  // Members in json's key order: apiVersion, items, kind, metadata.
  Reply reply;
  std::string& out = reply.body_text;
  out.reserve(size);
  out += "{\"apiVersion\":";
  out += api_version;
  out += ",\"items\":[";
  for (const StoredPtr& obj : items) {
    obj->AppendJson(api_version, kind, &out);
    out += ',';
  }
  if (!items.empty()) out.pop_back();
  out += "],\"kind\":";
  out += json(t.type->list_kind).dump();
  out += ",\"metadata\":";
  out += metadata;
  out += '}';
  return reply;
}

}  // namespace

std::string EncodeContinue(const ContinueToken& token) {
  json j = {{"rv", token.rv},
            {"ns", token.ns},
            {"name", token.name},
            {"t", token.issued_unix}};
  return Base64Encode(j.dump());
}

std::optional<ContinueToken> DecodeContinue(const std::string& text) {
  std::optional<std::string> raw = Base64Decode(text);
  if (!raw) return std::nullopt;
  StatusOr<json> parsed = yaml::ParseJson(*raw, "continue token", {4096, 2});
  if (!parsed.ok()) return std::nullopt;
  json& j = *parsed;
  if (!j.is_object() || !j.contains("rv") || !j["rv"].is_number_unsigned() ||
      !j.contains("name") || !j["name"].is_string() || !j.contains("ns") ||
      !j["ns"].is_string() || !j.contains("t") || !j["t"].is_number()) {
    return std::nullopt;
  }
  return ContinueToken{j["rv"].get<uint64_t>(), j["ns"].get<std::string>(),
                       j["name"].get<std::string>(), j["t"].get<int64_t>()};
}

Reply ServeGet(const Target& t) {
  if (IsCrdType(*t.type)) return ServeCrds(t);
  std::optional<json> obj = t.ctx->store->Get(t.Key(t.path.name));
  if (!obj) {
    return ErrorReply(
        NotFoundError(t.type->group, t.type->plural, t.path.name));
  }
  SetTypeMeta(*t.type, t.path.version, &*obj);
  return OkReply(std::move(*obj));
}

Reply ServeList(const Target& t) {
  if (IsCrdType(*t.type)) return ServeCrds(t);
  const ApiRequest& req = *t.req;
  StatusOr<LabelSelector> labels =
      LabelSelector::Parse(req.Param("labelSelector"));
  if (!labels.ok()) {
    return ErrorReply(BadRequest("unable to parse requirement: " +
                                 labels.status().message()));
  }
  StatusOr<FieldSelector> fields =
      FieldSelector::Parse(req.Param("fieldSelector"));
  if (!fields.ok()) return ErrorReply(BadRequest(fields.status().message()));
  size_t limit = 0;
  if (!req.Param("limit").empty()) {
    try {
      long long n = std::stoll(req.Param("limit"));
      limit = n > 0 ? static_cast<size_t>(n) : 0;
    } catch (const std::exception&) {
      return ErrorReply(BadRequest("invalid limit: " + req.Param("limit")));
    }
  }
  std::optional<ObjectKey> after;
  if (!req.Param("continue").empty()) {
    std::optional<ContinueToken> token = DecodeContinue(req.Param("continue"));
    if (!token) return ErrorReply(BadRequest("invalid continue token"));
    if (NowUnix() - token->issued_unix > kContinueTtlSeconds) {
      return ErrorReply(ExpiredError(
          "The provided continue parameter is too old to display a "
          "consistent list result. You can start a new list without the "
          "continue parameter."));
    }
    after = ObjectKey{t.type->group, t.type->plural, token->ns, token->name};
  }
  static const json kNoLabels;
  auto match = [&](const json& obj) {
    if (!fields->Matches(obj)) return false;
    auto meta = obj.find("metadata");
    if (meta == obj.end() || !meta->is_object())
      return labels->Matches(kNoLabels);
    auto l = meta->find("labels");
    return labels->Matches(l == meta->end() ? kNoLabels : *l);
  };
  StoredPage page = t.ctx->store->ListStored(t.type->group, t.type->plural,
                                             t.path.ns, after, limit, match);
  json meta = {{"resourceVersion", std::to_string(page.rv)}};
  if (page.next) {
    meta["continue"] =
        EncodeContinue({page.rv, page.next->ns, page.next->name, NowUnix()});
  }
  return ListReply(t, page.items, meta);
}

Reply ServeResource(const ApiContext& ctx, const ApiRequest& req) {
  Target t{&ctx, &req, {}, nullptr, nullptr};
  if (!ParseApiPath(req.path, &t.path) || t.path.resource.empty()) {
    return ErrorReply(NotFoundPath());
  }
  ApiError error;
  t.type = ResolveType(ctx, t.path, req.method, &error);
  if (t.type == nullptr) return ErrorReply(error);
  t.version = t.type->FindVersion(t.path.version);
  bool item = !t.path.name.empty();
  if (req.method == "GET") {
    Reply reply = item ? ServeGet(t) : ServeList(t);
    MaybeServeTable(*t.type, req, &reply);
    return reply;
  }
  if (req.method == "POST" && !item) return ServeCreate(t);
  if (req.method == "PUT" && item) return ServeUpdate(t);
  if (req.method == "PATCH" && item) return ServePatch(t);
  if (req.method == "DELETE") {
    return item ? ServeDelete(t) : ServeDeleteCollection(t);
  }
  return ErrorReply(MethodNotAllowed());
}

}  // namespace capigitops::sandbox
