// Plan rules that keep one cluster's change from hurting another: a
// namespace change is held, and an object another cluster still needs is
// kept when one cluster lets go of it.
#ifndef CAPIGITOPS_SYNC_PLAN_SAFETY_H_
#define CAPIGITOPS_SYNC_PLAN_SAFETY_H_

#include <string>

#include "capigitops/kube_api.h"
#include "capigitops/sync.h"

namespace capigitops {

// Blocks `cp`: the cluster is live in namespace `from` and the repository
// now puts it in `to`.
void HoldNamespaceChange(const std::string& from, const std::string& to,
                         ClusterPlan* cp);

// Turns deletions of objects another cluster still needs into kKeep.
void KeepSharedObjects(KubeApi& client, const LiveState& live, Plan* plan);

}  // namespace capigitops

#endif  // CAPIGITOPS_SYNC_PLAN_SAFETY_H_
