// DELETE of one object and of a collection.
#include "capigitops/json.h"
#include "selectors.h"
#include "write_support.h"

namespace capigitops::sandbox {
namespace {

struct DeleteRequest {
  DeleteOptions options;
  std::string propagation;
};

// DeleteOptions come from the JSON body (kubectl) or query parameters.
ApiOr<DeleteRequest> ParseDeleteRequest(const ApiRequest& req) {
  DeleteRequest d;
  d.propagation = req.Param("propagationPolicy");
  bool dry = req.Param("dryRun") == "All";
  if (!req.body.empty()) {
    StatusOr<json> parsed = yaml::ParseJson(req.body, "DeleteOptions");
    if (!parsed.ok()) return BadRequest(parsed.status().message());
    json body = std::move(parsed).value();
    if (!body.is_object()) {
      return BadRequest("the DeleteOptions body is not a JSON object");
    }
    if (body.contains("propagationPolicy") &&
        body["propagationPolicy"].is_string()) {
      d.propagation = body["propagationPolicy"].get<std::string>();
    }
    if (body.contains("orphanDependents") &&
        body["orphanDependents"].is_boolean() &&
        body["orphanDependents"].get<bool>()) {
      d.propagation = "Orphan";
    }
    json pre = body.value("preconditions", json::object());
    if (pre.is_object()) {
      d.options.precondition_uid = pre.value("uid", "");
      d.options.precondition_rv = pre.value("resourceVersion", "");
    }
    for (const json& v : body.value("dryRun", json::array())) {
      if (v == "All") dry = true;
    }
  }
  if (!d.propagation.empty() && d.propagation != "Orphan" &&
      d.propagation != "Background" && d.propagation != "Foreground") {
    return BadRequest("propagationPolicy: Unsupported value: \"" +
                      d.propagation +
                      "\": supported values: \"Foreground\", "
                      "\"Background\", \"Orphan\"");
  }
  d.options.dry_run = dry;
  d.options.orphan = d.propagation == "Orphan";
  return d;
}

json SuccessStatus(const Target& t, const json& obj) {
  const json& meta = obj["metadata"];
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", json::object()},
          {"status", "Success"},
          {"details",
           {{"name", meta.value("name", "")},
            {"group", t.type->group},
            {"kind", t.type->plural},
            {"uid", meta.value("uid", "")}}}};
}

}  // namespace

Reply ServeDelete(const Target& t) {
  if (!t.path.subresource.empty()) return ErrorReply(MethodNotAllowed());
  ApiOr<DeleteRequest> d = ParseDeleteRequest(*t.req);
  if (!d.ok()) return ErrorReply(d.error());
  ApiOr<WriteResult> result =
      t.ctx->store->Delete(t.Key(t.path.name), d.value().options);
  if (!result.ok()) return ErrorReply(result.error());
  if (result.value().deleted) {
    Reply r;
    r.body = SuccessStatus(t, result.value().object);
    return r;
  }
  return ObjectReply(t, result.value().object, 200, {});
}

Reply ServeDeleteCollection(const Target& t) {
  ApiOr<DeleteRequest> d = ParseDeleteRequest(*t.req);
  if (!d.ok()) return ErrorReply(d.error());
  StatusOr<LabelSelector> labels =
      LabelSelector::Parse(t.req->Param("labelSelector"));
  if (!labels.ok()) return ErrorReply(BadRequest(labels.status().message()));
  StatusOr<FieldSelector> fields =
      FieldSelector::Parse(t.req->Param("fieldSelector"));
  if (!fields.ok()) return ErrorReply(BadRequest(fields.status().message()));
  auto match = [&](const json& obj) {
    return fields->Matches(obj) &&
           labels->Matches(obj["metadata"].value("labels", json()));
  };
  ListPage page = t.ctx->store->List(t.type->group, t.type->plural, t.path.ns,
                                     std::nullopt, 0, match);
  json items = json::array();
  for (const json& obj : page.items) {
    const json& meta = obj["metadata"];
    ObjectKey key{t.type->group, t.type->plural, meta.value("namespace", ""),
                  meta.value("name", "")};
    ApiOr<WriteResult> r = t.ctx->store->Delete(key, d.value().options);
    if (!r.ok()) continue;  // deleted concurrently
    json out = r.value().object;
    SetTypeMeta(*t.type, t.path.version, &out);
    items.push_back(std::move(out));
  }
  Reply r;
  r.body = {{"kind", t.type->list_kind},
            {"apiVersion", t.GroupVersion()},
            {"metadata",
             {{"resourceVersion", std::to_string(t.ctx->store->CurrentRv())}}},
            {"items", items}};
  return r;
}

}  // namespace capigitops::sandbox
