// The order in which a cluster's objects are applied, as in Flux's ssa
// ReconcileOrder: what others reference first, the Cluster that ties them
// together last. The one table: render emits objects in this order and the
// executor applies them in stages by it.
#ifndef CAPIGITOPS_APPLY_ORDER_H_
#define CAPIGITOPS_APPLY_ORDER_H_

#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

namespace capigitops {

enum class ApplyStage {
  kReferenced = 0,   // identities, machine and bootstrap templates, Secrets,
                     // ServiceAccounts, Roles and RoleBindings
  kMembers = 1,      // the infrastructure cluster, control plane, machine
                     // deployments and health checks
  kControllers = 2,  // what runs against the cluster (its autoscaler's
                     // Deployment): deleted before the Cluster, so it cannot
                     // scale the cluster while CAPI tears it down
  kCluster = 3,      // the Cluster
};
inline constexpr int kApplyStages = 4;

ApplyStage ApplyStageOf(std::string_view kind);

// Stable-sorts `objects` by the stage of their kind.
void SortInApplyOrder(std::vector<nlohmann::json>* objects);

}  // namespace capigitops

#endif  // CAPIGITOPS_APPLY_ORDER_H_
