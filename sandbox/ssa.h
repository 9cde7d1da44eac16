// Server-side apply and managedFields bookkeeping of capi-sandbox.
//
// Pure functions on JSON objects that reproduce kube-apiserver's
// structured-merge-diff behaviour: merging an apply configuration into the
// live object per the CRD schema (list-type map/set/atomic, map-type), field
// ownership recorded as metadata.managedFields (FieldsV1), conflicts between
// managers, removal of fields a manager stopped applying, and ownership
// changes after non-apply writes. Also JSON merge patch and JSON patch. The
// HTTP layer decides status codes, resourceVersion, uid and timestamps.
#ifndef CAPIGITOPS_SANDBOX_SSA_H_
#define CAPIGITOPS_SANDBOX_SSA_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "capigitops/status.h"

namespace capigitops::sandbox {

struct ApplyRequest {
  nlohmann::json live;     // current object; null when the apply creates it
  nlohmann::json applied;  // the apply configuration (parsed YAML/JSON)
  std::string manager;     // ?fieldManager=
  bool force = false;      // ?force=true
  // The kind's openAPIV3Schema; nullptr uses the built-in schema of
  // ConfigMap/Secret/Namespace/Lease, or none (maps granular, lists atomic).
  const nlohmann::json* schema = nullptr;
  std::string now;          // RFC 3339, recorded as managedFields time
  std::string api_version;  // e.g. "cluster.x-k8s.io/v1beta2"
  std::string subresource;  // "" or "status"
  // When true (CRDs with subresources.status, Namespace), an apply to the
  // main resource ignores .status and an apply to /status only sets .status.
  bool status_subresource = true;
};

// One field another manager owns and the apply would change.
struct FieldConflict {
  std::string manager;
  std::string operation;    // "Apply" or "Update"
  std::string api_version;  // of that manager's entry
  std::string time;         // of that manager's entry, may be empty
  std::string subresource;
  std::string field;  // kube path: ".spec.replicas", `.spec.x[name="a"]`
};

struct ApplyResult {
  // The object to store (with metadata.managedFields); equals `live` when
  // nothing changed or when there are conflicts (and !force).
  nlohmann::json object;
  std::vector<FieldConflict> conflicts;  // non-empty: answer 409
  // Content or ownership changed: store it and bump resourceVersion. A no-op
  // re-apply leaves the object, managedFields and their times untouched.
  bool changed = false;
  bool created = false;  // live was null
};

// Applies `req.applied` as `req.manager`. Errors (InvalidArgument) are for
// configurations the type model rejects: a field the closed schema does not
// declare (".spec.foo: field not declared in schema"; kube answers 500), a
// list-map item without its key, duplicate keys, a value of the wrong kind.
StatusOr<ApplyResult> ServerSideApply(const ApplyRequest& req);

struct UpdateRequest {
  nlohmann::json before;  // stored object; null for a create
  nlohmann::json after;   // object about to be stored
  std::string manager;    // ?fieldManager= or the User-Agent prefix
  std::string now;
  std::string api_version;
  const nlohmann::json* schema = nullptr;  // as in ApplyRequest
  std::string subresource;
  bool status_subresource = true;
};

// Ownership after a non-apply write (POST, PUT, merge/JSON patch): fields the
// write added or changed move to `manager` (operation Update, merged with its
// earlier Update entry), removed fields leave every manager. Returns `after`
// with metadata.managedFields set. managedFields sent in `after` (non-empty)
// replace the stored ones first, as kube allows; an existing object without
// managedFields stays untracked, as in kube.
nlohmann::json UpdateManagedFields(const UpdateRequest& req);

// Shorthand for UpdateManagedFields on the main resource.
nlohmann::json UpdateManagedFieldsAfterUpdate(const nlohmann::json& before,
                                              const nlohmann::json& after,
                                              const std::string& manager,
                                              const std::string& now,
                                              const std::string& api_version,
                                              const nlohmann::json* schema);

// kube's message for an apply conflict: `Apply failed with 1 conflict:
// conflict with "helm" using apps/v1 at 2025-01-01T00:00:00Z: .spec.replicas`.
std::string ApplyConflictMessage(const std::vector<FieldConflict>& conflicts);
// The full 409 metav1.Status body (reason Conflict, FieldManagerConflict
// causes).
nlohmann::json ApplyConflictStatus(const std::vector<FieldConflict>& conflicts);

// RFC 7386 JSON merge patch; the patch must be an object.
StatusOr<nlohmann::json> ApplyMergePatch(const nlohmann::json& target,
                                         const nlohmann::json& patch);
// RFC 6902 JSON patch (add, remove, replace, move, copy, test). A failed
// operation is InvalidArgument (kube answers 422) with the op's message.
StatusOr<nlohmann::json> ApplyJsonPatch(const nlohmann::json& target,
                                        const nlohmann::json& patch);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_SSA_H_
