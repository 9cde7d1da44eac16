// What a reviewer needs besides the object diff: the spec-level change of
// each cluster, the machines that change would replace, $/hour before and
// after, and absolute expiry times. Pure: no I/O, no clock.
//
// The "before" side is the spec that was last applied. The reconciler
// records it on the live Cluster (kAppliedSpecAnnotation, written with the
// Cluster, which is applied last, so it names a spec whose objects were all
// applied). A cluster applied by an older capi-gitops has no record: its
// review says the before spec is unknown instead of guessing.
#ifndef CAPIGITOPS_PLAN_REVIEW_H_
#define CAPIGITOPS_PLAN_REVIEW_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "capigitops/inventory.h"
#include "capigitops/policy.h"
#include "capigitops/spec.h"
#include "capigitops/sync.h"

namespace capigitops {

// On the Cluster: SpecRecord(request) as compact JSON.
inline constexpr char kAppliedSpecAnnotation[] = "capigitops.io/applied-spec";

// The fields of a request that decide what runs, what it costs and when it
// ends (provider, region, versions, control plane, pools, TTL, protection,
// owner, labels), as JSON. Provider settings are not recorded: they come
// from capi-gitops.yaml and show in the object diff.
nlohmann::json SpecRecord(const ClusterRequest& req);

// Back into a request with the recorded fields; nullopt when `record` is not
// one (a hand-edited or corrupt annotation).
std::optional<ClusterRequest> RequestFromRecord(const nlohmann::json& record);

// One field of a request that changed. `before`/`after` are display values;
// "(none)" when the field is absent on that side.
struct SpecChange {
  std::string field;  // "gpu.machineType", "controlPlane.replicas", "ttl"
  std::string before;
  std::string after;
  std::string ToString() const;  // "gpu.machineType g5.2xlarge → g5.4xlarge"
};

// The flat fields of a request: "kubernetesVersion", "controlPlane.replicas",
// "<pool>.machineType", "<pool>.replicas" ("4" or "0-25 (autoscaled)"),
// "<pool>.gpus", "<pool>.labels.<key>", "ttl", ... (for DiffSpecs).
std::map<std::string, std::string> SpecFields(const ClusterRequest& req);

// Field changes from `before` to `after`, in field order. A pool on one
// side only is one change ("pool gpu", "(none)" -> "added: ...").
std::vector<SpecChange> DiffSpecs(const ClusterRequest& before,
                                  const ClusterRequest& after);

// Machines a plan replaces or removes. CAPI rolls every machine of a
// MachineDeployment (or the control plane) whose machine template changes:
// a new infrastructure or bootstrap template (template names carry a
// content hash, so any change to machine type, disk, GPUs, node labels or
// taints swaps them), a new Kubernetes version or failure domain.
struct Replacement {
  enum Kind { kRolling, kRemoved };
  Kind kind = kRolling;
  std::string scope;            // "pool gpu" or "the control plane"
  std::string object;           // "MachineDeployment/llm-train-gpu"
  std::optional<int> machines;  // live count; nullopt when unknown
  std::string autoscaled;       // "2-20": an autoscaled pool's bounds
  std::string cause;            // "AWSMachineTemplate a -> b"
  // "rolling replacement of 4 machines in pool gpu (new AWSMachineTemplate
  // llm-train-gpu-3c4d5e6f)"; "pool old removed: its 2 machines are deleted".
  std::string ToString() const;
};

// From one cluster's planned object changes; `live` gives the current
// replica counts (status.replicas, else spec.replicas).
std::vector<Replacement> FindReplacements(const ClusterPlan& cp,
                                          const LiveObjects& live);

// $/hour at the smallest and largest size.
struct HourlyCost {
  bool known = false;  // every price was found
  double min = 0;
  double max = 0;
  std::string ToString() const;  // "$2.20", "$0.58-$82.58", "unknown"
};

struct ClusterReview {
  std::string name;
  ClusterAction action = ClusterAction::kUnchanged;
  // The applied spec is known (recorded on the live Cluster), or the cluster
  // is new. False for an update or deletion without a record.
  bool before_known = false;
  std::vector<SpecChange> spec_changes;
  std::vector<Replacement> replacements;
  // Absent before a create, after a deletion that goes ahead, and when the
  // before spec is unknown.
  std::optional<HourlyCost> hourly_before;
  std::optional<HourlyCost> hourly_after;
  // Unix seconds; nullopt = no expiry. A new cluster's duration TTL counts
  // from the plan's time.
  std::optional<int64_t> expires_before;
  std::optional<int64_t> expires_after;
  bool expiry_moves = false;  // both sides known and different

  bool CostChanges() const;
};

struct PlanReview {
  std::vector<ClusterReview> clusters;  // in the order of Plan::clusters
  // Sum of after - before over the clusters this plan changes, at the
  // smallest and largest size; `complete` is false when some cluster's cost
  // or before spec is unknown (then the sums leave it out).
  double hourly_change_min = 0;
  double hourly_change_max = 0;
  bool complete = true;
  bool any_cost_change = false;

  const ClusterReview* Find(const std::string& name) const;
};

// What ReviewPlan needs of each cluster in the repository.
struct ReviewInput {
  const ClusterRequest* request = nullptr;  // null: not in the repository
  const CostEstimate* cost = nullptr;
};

// `requests`: the repository's clusters by name; `prices` prices the before
// spec the same way as the after one, so a price table change is not
// mistaken for a spec change. `live` holds the live Clusters (with their
// kAppliedSpecAnnotation) and machine owners.
PlanReview ReviewPlan(const Plan& plan,
                      const std::map<std::string, ReviewInput>& requests,
                      const PriceTable& prices, const LiveObjects& live);

// "2026-12-03 08:00 UTC".
std::string FormatExpiry(int64_t unix_seconds);

}  // namespace capigitops

#endif  // CAPIGITOPS_PLAN_REVIEW_H_
