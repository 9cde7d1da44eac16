// Patch engines behind one seam. Server-side apply here is a placeholder
// (recursive merge, leaf-level ownership, lists atomic) until sandbox/ssa.h
// lands; swapping it in changes only apply_adapter.cc.
#ifndef CAPIGITOPS_SANDBOX_APPLY_ADAPTER_H_
#define CAPIGITOPS_SANDBOX_APPLY_ADAPTER_H_

#include <nlohmann/json.hpp>
#include <string>

#include "api_status.h"

namespace capigitops::sandbox {

struct ApplyInput {
  const json* live = nullptr;  // null: the apply creates the object
  json applied;                // the apply configuration
  std::string manager;
  bool force = false;
  const json* schema = nullptr;  // openAPIV3Schema or null
  std::string now;               // RFC 3339
  std::string api_version;       // of the request, for managedFields
  std::string subresource;       // "" or "status"
};

// The object after applying, with metadata.managedFields updated; a 409
// Conflict with one cause per conflicting field when another manager owns a
// field whose value changes and force is off.
ApiOr<json> ServerSideApply(const ApplyInput& input);

// Records a non-apply write (create, update, merge/JSON patch) by `manager`
// in updated->metadata.managedFields: the writer takes the fields it changed.
void RecordUpdateManager(const json* live, json* updated,
                         const std::string& manager, const std::string& now,
                         const std::string& api_version,
                         const std::string& subresource);

// RFC 7386 merge patch; RFC 6902 JSON patch (422 when an op fails).
ApiOr<json> ApplyMergePatch(const json& live, const json& patch);
ApiOr<json> ApplyJsonPatch(const json& live, const json& patch);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_APPLY_ADAPTER_H_
