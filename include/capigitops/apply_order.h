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
  kReferenced = 0,  // identities, machine and bootstrap templates, Secrets
  kMembers = 1,     // the infrastructure cluster, control plane, machine
                    // deployments and health checks
  kCluster = 2,     // the Cluster
};
inline constexpr int kApplyStages = 3;

ApplyStage ApplyStageOf(std::string_view kind);

// Stable-sorts `objects` by the stage of their kind.
void SortInApplyOrder(std::vector<nlohmann::json>* objects);

}  // namespace capigitops

#endif  // CAPIGITOPS_APPLY_ORDER_H_
