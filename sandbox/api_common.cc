// Request parsing shared by the discovery, read and write handlers.
#include <sstream>

#include "api.h"
#include "capigitops/json.h"

namespace capigitops::sandbox {
namespace {

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream ss(path);
  std::string seg;
  while (std::getline(ss, seg, '/')) {
    if (!seg.empty()) out.push_back(seg);
  }
  return out;
}

}  // namespace

std::string ApiRequest::Param(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? "" : it->second;
}

Reply OkReply(json body, int code) {
  Reply r;
  r.code = code;
  r.body = std::move(body);
  return r;
}

std::string ReplyText(const Reply& reply) {
  if (!reply.body_text.empty()) return reply.body_text;
  if (reply.body.is_string() && reply.content_type != "application/json") {
    return reply.body.get<std::string>();
  }
  return reply.body.dump();
}

StatusOr<json> ReplyJson(const Reply& reply) {
  if (reply.body_text.empty()) return reply.body;
  // The text is ours, written from objects that passed the store's checks.
  return yaml::ParseJson(
      reply.body_text, "reply",
      {reply.body_text.size(), yaml::JsonLimits{}.max_depth});
}

Reply ErrorReply(const ApiError& error) {
  Reply r;
  r.code = error.code;
  r.body = error.ToJson();
  r.retry_after_seconds = error.retry_after_seconds;
  return r;
}

bool ParseApiPath(const std::string& path, ApiPath* out) {
  std::vector<std::string> s = Segments(path);
  size_t i = 0;
  *out = ApiPath{};
  if (s.size() >= 2 && s[0] == "api") {
    out->version = s[1];
    i = 2;
  } else if (s.size() >= 3 && s[0] == "apis") {
    out->group = s[1];
    out->version = s[2];
    i = 3;
  } else {
    return false;
  }
  std::vector<std::string> rest(s.begin() + static_cast<long>(i), s.end());
  if (rest.empty()) return true;  // group-version discovery
  bool namespace_sub = rest.size() == 3 && rest[0] == "namespaces" &&
                       (rest[2] == "status" || rest[2] == "finalize");
  if (rest[0] == "namespaces" && rest.size() >= 3 && !namespace_sub) {
    out->ns = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.size() > 3) return false;
  out->resource = rest[0];
  if (rest.size() >= 2) out->name = rest[1];
  if (rest.size() == 3) out->subresource = rest[2];
  return true;
}

const ResourceType* ResolveType(const ApiContext& ctx, const ApiPath& path,
                                const std::string& method, ApiError* error) {
  const ResourceType* type =
      ctx.kinds->Find(path.group, path.version, path.resource);
  if (type == nullptr) {
    *error = NotFoundPath();
    return nullptr;
  }
  if (!type->namespaced && !path.ns.empty()) {
    *error = NotFoundPath();
    return nullptr;
  }
  if (type->namespaced && path.ns.empty() && !path.name.empty()) {
    *error = NotFoundPath();
    return nullptr;
  }
  if (!path.subresource.empty()) {
    const KindVersion* v = type->FindVersion(path.version);
    if (path.subresource != "status" || !v->status_subresource ||
        path.name.empty()) {
      *error = NotFoundPath();
      return nullptr;
    }
  }
  if (type->read_only && method != "GET") {
    *error = MethodNotAllowed();
    return nullptr;
  }
  return type;
}

void SetTypeMeta(const ResourceType& type, const std::string& version,
                 json* obj) {
  (*obj)["apiVersion"] = type.GroupVersion(version);
  (*obj)["kind"] = type.kind;
}

}  // namespace capigitops::sandbox
