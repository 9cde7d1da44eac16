// Per-cluster gauges from a pass's ClusterFacts: when each cluster expires
// (what the ClusterExpiringSoon alert reads), and its nodes, GPUs and
// usability as the workload cluster showed them. Each pass replaces the
// whole breakdown, so a deleted cluster's series go with it.
#include "capigitops/controller.h"

namespace capigitops {
namespace {

constexpr char kExpiry[] = "capigitops_cluster_expiry_timestamp_seconds";
constexpr char kNodes[] = "capigitops_cluster_nodes";
constexpr char kReadyNodes[] = "capigitops_cluster_ready_nodes";
constexpr char kGpus[] = "capigitops_cluster_gpus";
constexpr char kUsable[] = "capigitops_cluster_usable";

}  // namespace

void DeclareClusterGauges(MetricsRegistry* m) {
  m->DeclareGauge(kExpiry,
                  "Unix time at which each cluster's TTL or expiresAt ends "
                  "(clusters with an expiry only).");
  m->DeclareGauge(kNodes, "Nodes of each workload cluster, as last read.");
  m->DeclareGauge(kReadyNodes,
                  "Ready nodes of each workload cluster, as last read.");
  m->DeclareGauge(kGpus,
                  "Allocatable GPUs of each workload cluster, as last read.");
  m->DeclareGauge(kUsable,
                  "1 while a GPU job could run on the cluster (status "
                  "`usable`), else 0.");
}

void RecordClusterGauges(const PassResult& result, MetricsRegistry* m) {
  if (!result.status_known) return;
  for (const char* name : {kExpiry, kNodes, kReadyNodes, kGpus, kUsable}) {
    m->ClearGauge(name);
  }
  for (const auto& [cluster, f] : result.cluster_facts) {
    if (f.expires_at > 0) {
      m->Set(kExpiry, {{"cluster", cluster}, {"owner", f.owner}},
             static_cast<double>(f.expires_at));
    }
    if (!f.workload_read) continue;
    MetricLabels labels = {{"cluster", cluster}};
    m->Set(kNodes, labels, f.nodes);
    m->Set(kReadyNodes, labels, f.ready_nodes);
    m->Set(kGpus, labels, static_cast<double>(f.gpus));
    m->Set(kUsable, labels, f.usable ? 1 : 0);
  }
}

}  // namespace capigitops
