// POST, PUT and PATCH.
#include "apply_adapter.h"
#include "util.h"
#include "write_support.h"

namespace capigitops::sandbox {
namespace {

std::string ManagerOf(const Target& t, const WriteParams& p) {
  if (!p.manager.empty()) return p.manager;
  const std::string& ua = t.req->user_agent;
  std::string m = ua.substr(0, ua.find('/'));
  return m.empty() ? "unknown" : m;
}

std::string BaseMediaType(const std::string& content_type) {
  std::string base = content_type.substr(0, content_type.find(';'));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  return base;
}

ApiError ApplyManagerRequired() {
  ApiError e = InvalidError(
      "meta.k8s.io", "PatchOptions", "",
      {{"FieldValueRequired", "Required value: is required for apply patch",
        "fieldManager"}});
  return e;
}

// Keeps only what an apply on the main resource or /status may set.
void ScopeApplied(const Target& t, json* applied) {
  if (!t.version->status_subresource) return;
  if (t.path.subresource == "status") {
    json scoped = {{"apiVersion", (*applied)["apiVersion"]},
                   {"kind", (*applied)["kind"]},
                   {"metadata", (*applied)["metadata"]}};
    if (applied->contains("status")) scoped["status"] = (*applied)["status"];
    *applied = std::move(scoped);
  } else {
    applied->erase("status");
  }
}

Reply WriteReply(const Target& t, const ApiOr<WriteResult>& result,
                 std::vector<std::string> warnings) {
  if (!result.ok()) return ErrorReply(result.error());
  return ObjectReply(t, result.value().object,
                     result.value().created ? 201 : 200, std::move(warnings));
}

}  // namespace

Reply ServeCreate(const Target& t) {
  ApiOr<WriteParams> params = ParseWriteParams(*t.req);
  if (!params.ok()) return ErrorReply(params.error());
  ApiOr<json> body = ParseBody(*t.req, false);
  if (!body.ok()) return ErrorReply(body.error());
  json obj = std::move(body.value());
  if (auto err = CheckIdentity(t, &obj, true)) return ErrorReply(*err);
  json& meta = obj["metadata"];
  if (meta.value("name", "").empty()) {
    std::string prefix = meta.value("generateName", "");
    if (prefix.empty()) {
      return ErrorReply(
          InvalidError(t.type->group, t.type->kind, "",
                       {{"FieldValueRequired",
                         "Required value: name or generateName is required",
                         "metadata.name"}}));
    }
    meta["name"] = prefix + RandomHex(3).substr(0, 5);
  }
  SanitizeNewMetadata(&obj);
  if (t.version->status_subresource) obj.erase("status");
  std::vector<std::string> warnings;
  if (auto err = CheckUnknownFields(t, &obj, params.value().validation, false,
                                    &warnings)) {
    return ErrorReply(*err);
  }
  if (auto err = DefaultAndValidate(t, &obj)) return ErrorReply(*err);
  std::string name = meta.value("name", "");
  RecordUpdateManager(nullptr, &obj, ManagerOf(t, params.value()), NowRfc3339(),
                      t.GroupVersion(), "", &t.version->schema,
                      t.version->status_subresource);
  auto mutation = [&](const json* live) -> ApiOr<json> {
    if (live) return AlreadyExistsError(t.type->group, t.type->plural, name);
    return obj;
  };
  return WriteReply(t,
                    t.ctx->store->Write(t.Key(name), mutation,
                                        {params.value().dry_run, true}),
                    std::move(warnings));
}

Reply ServeUpdate(const Target& t) {
  ApiOr<WriteParams> params = ParseWriteParams(*t.req);
  if (!params.ok()) return ErrorReply(params.error());
  ApiOr<json> body = ParseBody(*t.req, false);
  if (!body.ok()) return ErrorReply(body.error());
  json obj = std::move(body.value());
  if (auto err = CheckIdentity(t, &obj, true)) return ErrorReply(*err);
  std::vector<std::string> warnings;
  const WriteParams& p = params.value();
  auto mutation = [&](const json* live) -> ApiOr<json> {
    std::string rv = obj["metadata"].value("resourceVersion", "");
    if (rv.empty() && t.type->is_crd) {
      return InvalidError(t.type->group, t.type->kind, t.path.name,
                          {{"FieldValueInvalid",
                            "Invalid value: 0x0: must be specified for an "
                            "update",
                            "metadata.resourceVersion"}});
    }
    if (!rv.empty() && rv != (*live)["metadata"].value("resourceVersion", "")) {
      return StaleObjectError(t.type->group, t.type->plural, t.path.name);
    }
    json next = obj;
    if ((*live)["metadata"].contains("managedFields")) {
      next["metadata"]["managedFields"] = (*live)["metadata"]["managedFields"];
    } else {
      next["metadata"].erase("managedFields");
    }
    ScopeToSubresource(t, live, &next);
    if (auto err =
            CheckUnknownFields(t, &next, p.validation, false, &warnings)) {
      return *err;
    }
    if (auto err = DefaultAndValidate(t, &next)) return *err;
    RecordUpdateManager(live, &next, ManagerOf(t, p), NowRfc3339(),
                        t.GroupVersion(), t.path.subresource,
                        &t.version->schema, t.version->status_subresource);
    return next;
  };
  return WriteReply(
      t, t.ctx->store->Write(t.Key(t.path.name), mutation, {p.dry_run, false}),
      std::move(warnings));
}

Reply ServePatch(const Target& t) {
  ApiOr<WriteParams> params = ParseWriteParams(*t.req);
  if (!params.ok()) return ErrorReply(params.error());
  const WriteParams& p = params.value();
  std::string media = BaseMediaType(t.req->content_type);
  bool apply = media == "application/apply-patch+yaml";
  bool merge =
      media == "application/merge-patch+json" ||
      (media == "application/strategic-merge-patch+json" && !t.type->is_crd);
  bool json_patch = media == "application/json-patch+json";
  if (!apply && !merge && !json_patch) {
    return ErrorReply(UnsupportedMediaType(
        "the body of the request was in an unknown format - accepted media "
        "types include: application/json-patch+json, "
        "application/merge-patch+json, application/apply-patch+yaml"));
  }
  if (apply && p.manager.empty()) return ErrorReply(ApplyManagerRequired());
  if (!apply && p.force_given) {
    return ErrorReply(InvalidError(
        "meta.k8s.io", "PatchOptions", "",
        {{"FieldValueForbidden",
          "Forbidden: may not be specified for non-apply patch", "force"}}));
  }
  ApiOr<json> body = ParseBody(*t.req, apply);
  if (!body.ok()) return ErrorReply(body.error());
  json patch = std::move(body.value());
  std::vector<std::string> warnings;
  if (apply) {
    if (!patch.is_object())
      return ErrorReply(BadRequest("apply body must be an object"));
    if (patch.contains("metadata") &&
        patch["metadata"].contains("managedFields")) {
      return ErrorReply(BadRequest("metadata.managedFields must be nil"));
    }
    if (auto err = CheckIdentity(t, &patch, true)) return ErrorReply(*err);
    ScopeApplied(t, &patch);
    if (auto err =
            CheckUnknownFields(t, &patch, p.validation, true, &warnings)) {
      return ErrorReply(*err);
    }
  }
  auto mutation = [&](const json* live) -> ApiOr<json> {
    json next;
    if (apply) {
      if (live == nullptr && t.path.subresource == "status") {
        return NotFoundError(t.type->group, t.type->plural, t.path.name);
      }
      ApplyInput in{live,
                    patch,
                    p.manager,
                    p.force,
                    &t.version->schema,
                    NowRfc3339(),
                    t.GroupVersion(),
                    t.path.subresource,
                    t.version->status_subresource};
      ApiOr<json> applied = RunServerSideApply(in);
      if (!applied.ok()) return applied.error();
      next = std::move(applied.value());
      if (live == nullptr) {
        json managed = next["metadata"].value("managedFields", json());
        SanitizeNewMetadata(&next);
        if (!managed.is_null()) next["metadata"]["managedFields"] = managed;
      }
    } else {
      ApiOr<json> patched = json_patch ? JsonPatchObject(*live, patch)
                                       : MergePatchObject(*live, patch);
      if (!patched.ok()) return patched.error();
      next = std::move(patched.value());
      std::string rv = next["metadata"].value("resourceVersion", "");
      if (rv != (*live)["metadata"].value("resourceVersion", "")) {
        return StaleObjectError(t.type->group, t.type->plural, t.path.name);
      }
      if (auto err = CheckIdentity(t, &next, false)) return *err;
      ScopeToSubresource(t, live, &next);
      if (auto err =
              CheckUnknownFields(t, &next, p.validation, true, &warnings)) {
        return *err;
      }
    }
    if (auto err = DefaultAndValidate(t, &next)) return *err;
    if (!apply) {
      RecordUpdateManager(live, &next, ManagerOf(t, p), NowRfc3339(),
                          t.GroupVersion(), t.path.subresource,
                          &t.version->schema, t.version->status_subresource);
    }
    return next;
  };
  return WriteReply(
      t, t.ctx->store->Write(t.Key(t.path.name), mutation, {p.dry_run, apply}),
      std::move(warnings));
}

}  // namespace capigitops::sandbox
