// Plan and apply: desired CAPI objects against the live management cluster.
//
// Planning costs one LIST per kind (with our label selector) plus a dry-run
// server-side apply only for objects that look changed, so a no-op plan does
// not grow with the number of objects. Applying is staged (templates, then
// control plane and machine deployments, then the Cluster), records every
// object in the cluster's inventory before it is created, and prunes only
// inventory objects, following the safety rules of product.md section 5.
#ifndef CAPIGITOPS_SYNC_H_
#define CAPIGITOPS_SYNC_H_

#include <functional>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "capigitops/diff.h"
#include "capigitops/inventory.h"
#include "capigitops/kube_api.h"

namespace capigitops {

// What the repository wants, as the sync layer needs it.
struct DesiredCluster {
  std::string name;
  std::string owner;
  std::vector<nlohmann::json> objects;  // in apply order
  // Its objects are rendered only when BuildPlan reaches it
  // (DesiredState::render); `objects` is empty until then.
  bool pending = false;
};

struct DesiredState {
  std::string ns;
  std::string revision;
  std::vector<DesiredCluster> clusters;
  // Clusters whose spec is broken or denied: left exactly as they are live.
  std::map<std::string, std::string> blocked;  // name -> reason
  // False when the source as a whole is in doubt (capi-gitops.yaml or a
  // policy file has errors): then nothing at all is deleted.
  bool prune_allowed = true;
  std::string prune_blocked_reason;
  int budget_max_clusters = 3;
  int budget_max_percent = 25;
  // Renders a pending cluster's objects, in apply order. BuildPlan calls it
  // for a batch of clusters at a time, from several threads at once, and
  // plans and frees each batch before the next, so a pass never holds every
  // desired object at once.
  std::function<std::vector<nlohmann::json>(const DesiredCluster&)> render;
  // Every (apiVersion, kind) the pending clusters' objects have: the kinds
  // the live read must list before any of them is rendered.
  std::set<std::pair<std::string, std::string>> pending_kinds;
};

// kKeep: in this cluster's inventory but not deleted with it, because
// another cluster still needs it (a shared identity; see note).
enum class ObjectAction { kCreate, kUpdate, kUnchanged, kDelete, kKeep };
const char* ObjectActionName(ObjectAction a);

// A live object as the live state keeps it (live_object.cc): encoded in a
// binary form (a tag, then the value; each key as its index in a shared
// table), a fraction of the memory of an nlohmann tree (whose map nodes cost
// ~100 bytes per key), and decoded only when read. Every Decode()
// parses the bytes again: a reader that needs an object several times keeps
// the result, and one that walks all live objects filters on the ObjRef
// (kind) before decoding.
class LiveObject {
 public:
  LiveObject() = default;
  explicit LiveObject(const nlohmann::json& object);
  // Bytes already in the encoding (sync's LIST encoder writes them).
  static LiveObject FromEncoded(std::string bytes);
  nlohmann::json Decode() const;
  size_t EncodedSize() const { return bytes_.size(); }

  // Read from the bytes, without decoding the object (live_view.cc): a no-op
  // plan compares ~125,000 objects at 10,000 clusters, and decoding them was
  // a sixth of its CPU, most of it allocating and freeing tree nodes.
  //
  // IsSubset(desired, Decode()) (diff.h).
  bool Contains(const nlohmann::json& desired) const;
  // The value at `path`, a key per level from the root, with only it
  // decoded; nullopt when a key is missing or a level is not an object.
  std::optional<nlohmann::json> Get(
      std::initializer_list<std::string_view> path) const;
  // True when an Apply entry of `manager` in metadata.managedFields owns a
  // field ("f:" key of its fieldsV1, nested) that `desired` does not set,
  // so applying `desired` would remove it (the planner's check).
  bool AppliedFieldsOutside(const nlohmann::json& desired,
                            std::string_view manager) const;

 private:
  friend struct LiveObjectBytes;  // tests: objects from hand-written bytes
  std::string bytes_;
};

struct ObjectChange {
  ObjRef ref;
  ObjectAction action = ObjectAction::kUnchanged;
  std::vector<FieldChange> changes;  // kUpdate
  // kCreate / kUpdate: the object to apply. kUnchanged: null (BuildPlan
  // frees what will not be applied), except for a Cluster, whose desired
  // metadata.labels stay (its add-on labels: the plan output lists them and
  // the catalog's reach reads them).
  // Once its cluster is planned, an object to apply is kept encoded in
  // desired_encoded (desired null), as live objects are: a pass that
  // creates thousands of clusters held all their trees until apply ended.
  // Clusters and the add-on catalog's objects stay trees (the plan output,
  // the status and the catalog's reach read them).
  nlohmann::json desired;
  LiveObject desired_encoded;
  std::string note;  // e.g. why a stale template is kept

  // The object to apply: `desired`, or desired_encoded decoded.
  nlohmann::json DesiredObject() const {
    return desired.is_null() ? desired_encoded.Decode() : desired;
  }
};

enum class ClusterAction { kCreate, kUpdate, kUnchanged, kDelete, kBlocked };
const char* ClusterActionName(ClusterAction a);

struct ClusterPlan {
  std::string name;
  std::string owner;
  ClusterAction action = ClusterAction::kUnchanged;
  std::string reason;  // why blocked / why deleted / why deletion is held
  bool deletion_held = false;  // protection or budget: nothing is deleted
  std::vector<ObjectChange> objects;
  std::optional<Inventory> inventory;  // live, when the cluster exists
  std::string error;  // planning failed for this cluster (e.g. dry-run)
  // Add-on labels (addons.capigitops.io/<add-on>) the live Cluster has and
  // the repository drops. Removing the label uninstalls the add-on (CAAPH
  // Continuous); a CNI's or cloud-controller-manager's removal breaks the
  // cluster, so it is held (the live label is kept) unless
  // SyncOptions::allow_addon_removal: "calico (cni)".
  std::vector<std::string> addon_removals_held;
  std::vector<std::string> addon_removals;  // going ahead
  // The add-on catalog's plan only: the live Clusters its changed objects
  // select, which the change reaches (installs, upgrades, uninstalls).
  std::vector<std::string> touched_clusters;

  int Count(ObjectAction a) const;
};

struct Plan {
  std::string ns;
  int64_t now = 0;                    // when it was made (SyncOptions::now)
  std::vector<ClusterPlan> clusters;  // sorted by name
  // Objects with our labels that no inventory lists: reported, never deleted.
  std::vector<std::string> orphans;
  bool prune_allowed = true;  // false when the source had global errors
  std::string prune_blocked_reason;
  bool budget_exceeded = false;
  std::string budget_message;
  bool HasChanges() const;
};

using LiveObjects = std::map<ObjRef, LiveObject>;

// Live objects of the kinds we manage, by reference, plus the inventories.
struct LiveState {
  std::map<std::string, Inventory> inventories;  // by cluster name
  // Compacted as FetchLiveState reads them: no creation time, no kubectl
  // last-applied copy, and of the managed fields only the Apply entries,
  // each with its manager and the "f:" keys of its fieldsV1 (what the
  // planner reads to find fields our last apply set and the repository no
  // longer does).
  LiveObjects objects;
  // {apiVersion, kind} the server does not serve (discovery said so): their
  // objects cannot be applied, and the plan says so.
  std::set<std::pair<std::string, std::string>> unserved;
  // Clusters we manage that live in another namespace: cluster name ->
  // namespace. One of them in the repository means its namespace changed.
  std::map<std::string, std::string> elsewhere;

  // The object at `ref`, decoded; nullopt when none is live.
  std::optional<nlohmann::json> Find(const ObjRef& ref) const;
};

struct SyncOptions {
  std::string field_manager = "capi-gitops";
  bool prune = true;                 // delete what the repo no longer wants
  bool allow_mass_deletion = false;  // ignore the deletion budget
  // Let a live Cluster lose its CNI or cloud-controller-manager label
  // (ClusterPlan::addon_removals_held).
  bool allow_addon_removal = false;
  int wait_seconds =
      120;          // for a deleted Cluster to disappear (then resume later)
  int64_t now = 0;  // Unix seconds, for createdAt
  // Progress callback: objects done, total.
  std::function<void(size_t, size_t)> progress;
};

// One LIST for the inventories and one per kind of `kinds` (apiVersion, kind)
// and of the kinds the inventories name.
StatusOr<LiveState> FetchLiveState(
    KubeApi& client, const std::string& ns,
    const std::set<std::pair<std::string, std::string>>& kinds);

// Compares the evaluation's desired objects with the live state. Objects
// that look changed are checked with a server-side dry-run apply so server
// defaults never show as drift. Clusters are planned a batch at a time
// (pending ones rendered first, DesiredState::render), and each batch's
// objects that will not be applied are freed before the next.
Plan BuildPlan(KubeApi& client, const DesiredState& desired,
               const LiveState& live, const SyncOptions& options);
// The same, moving the desired objects into the plan instead of copying
// them (a pass holds one copy of each): `desired` keeps its clusters, with
// no objects, and everything else.
Plan BuildPlan(KubeApi& client, DesiredState* desired, const LiveState& live,
               const SyncOptions& options);

// How many clusters one pass may delete: safety.deletionBudget's
// maxClusters, or its maxPercent of the managed (inventoried) clusters when
// that is larger. BuildPlan holds every deletion of a pass that would exceed
// it; TTL teardowns are committed only within what is left of it.
int ClusterDeletionsAllowed(const DesiredState& desired, const LiveState& live);

struct ApplyCounts {
  int created = 0, configured = 0, unchanged = 0, deleted = 0, failed = 0;
};

// What became of one cluster in ExecutePlan.
enum class ClusterApplyState {
  kUnchanged,  // nothing to write
  kApplied,    // created or updated (see the counts and errors)
  kDeleting,   // deletion started; CAPI is tearing down or a step failed,
               // and the next pass resumes it
  kDeleted,    // the Cluster, the rest of the inventory and the inventory
  kBlocked,    // its spec is broken or denied: left as it is live
  kHeld,       // to be deleted, but held (protection, budget, no --prune)
};
// "unchanged", "applied", "deleting", "deleted", "blocked", "held".
const char* ClusterApplyStateName(ClusterApplyState s);

struct ClusterApplyResult {
  std::string name;
  ClusterApplyState state = ClusterApplyState::kUnchanged;
  ApplyCounts counts;
  std::vector<Status> errors;  // one per failed step, in order; never OK
};

// Carries out `plan`. One failing cluster does not stop the others.
std::vector<ClusterApplyResult> ExecutePlan(KubeApi& client, const Plan& plan,
                                            const SyncOptions& options);

}  // namespace capigitops

#endif  // CAPIGITOPS_SYNC_H_
