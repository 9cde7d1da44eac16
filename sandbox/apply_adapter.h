// Patch engines behind one seam: the handlers call these, which delegate to
// the structured-merge-diff engine in ssa.h and translate its results into
// metav1.Status errors.
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
  const json* schema = nullptr;     // openAPIV3Schema or null
  std::string now;                  // RFC 3339
  std::string api_version;          // of the request, for managedFields
  std::string subresource;          // "" or "status"
  bool status_subresource = false;  // the kind has a /status subresource
};

// The object after applying, with metadata.managedFields updated; a 409
// Conflict with one cause per conflicting field when another manager owns a
// field whose value changes and force is off.
ApiOr<json> RunServerSideApply(const ApplyInput& input);

// Records a non-apply write (create, update, merge/JSON patch) by `manager`
// in updated->metadata.managedFields: the writer takes the fields it changed.
void RecordUpdateManager(const json* live, json* updated,
                         const std::string& manager, const std::string& now,
                         const std::string& api_version,
                         const std::string& subresource,
                         const json* schema = nullptr,
                         bool status_subresource = false);

// RFC 7386 merge patch (400 when not an object); RFC 6902 JSON patch (422
// when an operation fails).
ApiOr<json> MergePatchObject(const json& live, const json& patch);
ApiOr<json> JsonPatchObject(const json& live, const json& patch);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_APPLY_ADAPTER_H_
