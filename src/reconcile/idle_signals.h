// Reading the workload clusters once per pass: the facts `usable` is decided
// on (Nodes, Ready nodes, allocatable GPUs) and, for clusters watched for
// idleness, the idle signals (GPU Pods, active Jobs, Kueue Workloads). Both
// the idle decision and the status file use the same reading, so a cluster
// is "usable" in one sense only and each cluster costs one connection.
// Everything that cannot be read makes the observation unreadable, which
// the idle decision counts as busy.
#ifndef CAPIGITOPS_RECONCILE_IDLE_SIGNALS_H_
#define CAPIGITOPS_RECONCILE_IDLE_SIGNALS_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "capigitops/kube_api.h"
#include "capigitops/workload.h"
#include "capigitops/writeback.h"

namespace capigitops {

// Workload clusters read at once; the rest wait for a free slot, so 1,000
// clusters cost ~1,000/kWorkloadReadParallelism request round trips of wall
// time.
constexpr unsigned kWorkloadReadParallelism = 16;

// The idle signals through `api`: GPU Pods Pending or Running, active Jobs
// and (where the kind is served) unfinished Kueue Workloads, outside
// `ignored` namespaces. A failed read makes it unreadable with a fixed
// category ("listing Jobs: workload API unreachable: cannot connect"); the
// full error goes to `*note`.
IdleObservation ObserveWorkload(KubeApi& api,
                                const std::set<std::string>& ignored,
                                std::string* note);

// One workload cluster to read.
struct WorkloadTarget {
  std::string name;
  // The live Cluster's control plane is initialized: before, there is no
  // workload API to read.
  bool initialized = false;
  bool watch_idle = false;  // spec.idle: read the idle signals too
};

// What a pass read from one workload cluster.
struct WorkloadRead {
  WorkloadReading reading;  // nodes and GPUs; the caller adds the add-ons
  // The idle signals (watch_idle only); when the cluster could not be read
  // at all, unreadable with the reading's reason.
  std::optional<IdleObservation> idle;
  std::string note;  // the full error text, for the pass's notes
};

// Reads each of `targets` in `ns` through `connector`: one connection, the
// Nodes, and the idle signals of the watched ones; at most `parallelism` at
// a time; results in input order.
std::vector<WorkloadRead> ReadWorkloadClusters(
    WorkloadConnector& connector, const std::string& ns,
    const std::vector<WorkloadTarget>& targets,
    const std::set<std::string>& ignored, unsigned parallelism);

// A fixed text per kind of failed request (curl's messages vary with
// timings and addresses; the status file must not): "workload API
// unreachable: no answer in time", "workload API denied <what>", ...
std::string WorkloadFailure(const Status& s, const std::string& what);

}  // namespace capigitops

#endif  // CAPIGITOPS_RECONCILE_IDLE_SIGNALS_H_
