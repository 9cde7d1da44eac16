// Reading a workload cluster's GPU work for the idle decision: Nodes (for
// "usable"), Pods, Jobs and, where Kueue is installed, its Workloads.
// Everything that cannot be read makes the observation unreadable, which
// the decision counts as busy.
#ifndef CAPIGITOPS_RECONCILE_IDLE_SIGNALS_H_
#define CAPIGITOPS_RECONCILE_IDLE_SIGNALS_H_

#include <set>
#include <string>
#include <vector>

#include "capigitops/kube_api.h"
#include "capigitops/workload.h"
#include "capigitops/writeback.h"

namespace capigitops {

// Workload clusters read at once; the rest wait for a free slot, so 1,000
// clusters cost ~1,000/kIdleReadParallelism request round trips of wall time.
constexpr unsigned kIdleReadParallelism = 16;

// One observation through `api`. `ignored`: namespaces whose Pods, Jobs and
// Workloads never count.
IdleObservation ObserveWorkload(KubeApi& api,
                                const std::set<std::string>& ignored);

// ObserveWorkload for each of `clusters` in `ns`, connecting through
// `connector`, at most `parallelism` at a time; results in input order.
std::vector<IdleObservation> ObserveWorkloads(
    WorkloadConnector& connector, const std::string& ns,
    const std::vector<std::string>& clusters,
    const std::set<std::string>& ignored, unsigned parallelism);

}  // namespace capigitops

#endif  // CAPIGITOPS_RECONCILE_IDLE_SIGNALS_H_
