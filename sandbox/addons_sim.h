// Simulated add-on delivery: CAPI's ClusterResourceSet controller and the
// Cluster API Add-on Provider Helm (CAAPH). Objects are applied into the
// workload cluster stores of WorkloadRegistry; what they `provide` (the
// addons.capigitops.io/provides label: cni, ccm, csi, gpu, other) drives the
// Nodes (workload_nodes.h).
#ifndef CAPIGITOPS_SANDBOX_ADDONS_SIM_H_
#define CAPIGITOPS_SANDBOX_ADDONS_SIM_H_

#include <functional>
#include <string>
#include <vector>

#include "store.h"
#include "workload.h"
#include "workload_nodes.h"

namespace capigitops::sandbox {

inline constexpr char kAddonProvidesLabel[] = "addons.capigitops.io/provides";
inline constexpr char kAddonNameLabel[] = "addons.capigitops.io/addon";

struct AddonContext {
  Store* mgmt = nullptr;
  WorkloadRegistry* workloads = nullptr;
  double step_seconds = 0;
  // Seconds since the simulator first saw `key` (its scaled clock).
  std::function<double(const std::string& key)> age;
};

// metav1.LabelSelector (matchLabels, matchExpressions) against `labels`. An
// empty selector matches everything when `empty_matches_all` (CAAPH) and
// nothing otherwise (ClusterResourceSet).
bool SelectorMatches(const json& selector, const json& labels,
                     bool empty_matches_all);

// `clusters` are the live Cluster objects; those being deleted are skipped.
void ReconcileClusterResourceSets(const AddonContext& ctx,
                                  const std::vector<json>& clusters);
void ReconcileHelmChartProxies(const AddonContext& ctx,
                               const std::vector<json>& clusters);

// What has been delivered into the cluster: applied ClusterResourceSets and
// Ready HelmReleaseProxies (`proxies`: those of this Cluster), by their
// `provides` label.
DeliveredAddons Delivered(const AddonContext& ctx, const json& cluster,
                          const WorkloadCluster& workload,
                          const std::vector<json>& proxies);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_ADDONS_SIM_H_
