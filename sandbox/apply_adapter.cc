// Adapter from the handlers to the SSA engine (ssa.h).
#include "apply_adapter.h"

#include "ssa.h"

namespace capigitops::sandbox {
namespace {

ApiError Unprocessable(const std::string& message) {
  ApiError e;
  e.code = 422;
  e.reason = "Invalid";
  e.message = message;
  return e;
}

}  // namespace

ApiOr<json> RunServerSideApply(const ApplyInput& in) {
  ApplyRequest req;
  req.live = in.live ? *in.live : json();
  req.applied = in.applied;
  req.manager = in.manager;
  req.force = in.force;
  req.schema =
      in.schema != nullptr && !in.schema->is_null() ? in.schema : nullptr;
  req.now = in.now;
  req.api_version = in.api_version;
  req.subresource = in.subresource;
  req.status_subresource = in.status_subresource;
  StatusOr<ApplyResult> result = ServerSideApply(req);
  if (!result.ok()) {
    // kube answers 500 for configurations its type model rejects
    // (kubernetes/kubernetes#122480); 400 is what the fix proposes.
    return BadRequest(result.status().message());
  }
  if (!result->conflicts.empty() && !in.force) {
    json status = ApplyConflictStatus(result->conflicts);
    ApiError e;
    e.code = 409;
    e.reason = "Conflict";
    e.message = status.value("message", "");
    e.details = status.value("details", json::object());
    return e;
  }
  return result->object;
}

void RecordUpdateManager(const json* live, json* updated,
                         const std::string& manager, const std::string& now,
                         const std::string& api_version,
                         const std::string& subresource, const json* schema,
                         bool status_subresource) {
  UpdateRequest req;
  req.before = live ? *live : json();
  req.after = *updated;
  req.manager = manager;
  req.now = now;
  req.api_version = api_version;
  req.schema = schema != nullptr && !schema->is_null() ? schema : nullptr;
  req.subresource = subresource;
  req.status_subresource = status_subresource;
  *updated = UpdateManagedFields(req);
}

ApiOr<json> MergePatchObject(const json& live, const json& patch) {
  StatusOr<json> r = ApplyMergePatch(live, patch);
  if (!r.ok()) return BadRequest(r.status().message());
  return std::move(r).value();
}

ApiOr<json> JsonPatchObject(const json& live, const json& patch) {
  StatusOr<json> r = ApplyJsonPatch(live, patch);
  if (!r.ok()) return Unprocessable(r.status().message());
  return std::move(r).value();
}

}  // namespace capigitops::sandbox
