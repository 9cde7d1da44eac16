// MachineHealthChecks (cluster.x-k8s.io/v1beta2): one per MachineDeployment
// and one for a control plane that can lose a machine without losing etcd
// quorum.
#include <algorithm>

#include "render/common.h"

namespace capigitops::render {
namespace {

// CAPI puts this label on every control-plane Machine of a KCP.
constexpr char kControlPlaneLabel[] = "cluster.x-k8s.io/control-plane";

// Ready False/Unknown for this long marks a node unhealthy: long enough for
// a kubelet restart or a short network blip.
constexpr int kUnhealthySeconds = 300;
// A preempted spot VM does not come back (GCP stops it, AWS terminates it,
// CAPZ deletes it with evictionPolicy Delete): replace it quickly.
constexpr int kSpotUnhealthySeconds = 120;
// Machines whose node never joins: GPU images are large and slow to boot.
constexpr int kNodeStartupSeconds = 1200;
// On-demand pools stop remediating when more than this share of the pool is
// unhealthy at once, which points at the network or the cloud, not at the
// machines.
constexpr int kOnDemandCapPercent = 40;

// The cap as a machine count: 40% of the pool's largest size, at least 1.
// Not "40%": CAPI rounds the share down (GetScaledValueFromIntOrPercent
// without roundUp), so a pool of 1 or 2 machines could never be remediated.
int OnDemandCap(const NodePool& pool) {
  return std::max(1, pool.MaxReplicas() * kOnDemandCapPercent / 100);
}

nlohmann::json ReadyChecks(int timeout_seconds) {
  nlohmann::json unhealthy = nlohmann::json::array();
  for (const char* status : {"False", "Unknown"}) {
    unhealthy.push_back({{"type", "Ready"},
                         {"status", status},
                         {"timeoutSeconds", timeout_seconds}});
  }
  return {{"nodeStartupTimeoutSeconds", kNodeStartupSeconds},
          {"unhealthyNodeConditions", unhealthy}};
}

nlohmann::json PoolHealthCheck(const RenderContext& ctx, const NodePool& pool) {
  const ClusterRequest& req = ctx.req;
  std::string md = MachineDeploymentName(req, pool);
  // Named like its MachineDeployment (another kind, so no clash).
  nlohmann::json obj = NewObject(kClusterApiVersion, "MachineHealthCheck", md,
                                 ctx.ns, ClusterMemberLabels(req));
  nlohmann::json spec = {
      {"clusterName", req.name},
      {"selector",
       {{"matchLabels",
         {{kCapiClusterNameLabel, req.name}, {kDeploymentNameLabel, md}}}}},
      {"checks",
       ReadyChecks(pool.spot ? kSpotUnhealthySeconds : kUnhealthySeconds)},
  };
  // A spot pool has no cap: a provider reclaiming most of the pool at once
  // is exactly when its machines need replacing, and a 40% cap would stop
  // all remediation then (provider-review.md C4).
  if (!pool.spot) {
    spec["remediation"] = {
        {"triggerIf", {{"unhealthyLessThanOrEqualTo", OnDemandCap(pool)}}}};
  }
  obj["spec"] = std::move(spec);
  return obj;
}

// KCP does not watch node health itself: it remediates only machines an MHC
// marked (cluster-api docs/book/src/tasks/automated-machine-management/
// healthchecking.md). It also refuses a remediation that would lose etcd
// quorum, so no cap is needed here; with 1 replica there is nothing it
// could safely replace.
nlohmann::json ControlPlaneHealthCheck(const RenderContext& ctx) {
  const ClusterRequest& req = ctx.req;
  nlohmann::json obj =
      NewObject(kClusterApiVersion, "MachineHealthCheck", ControlPlaneName(req),
                ctx.ns, ClusterMemberLabels(req));
  obj["spec"] = {
      {"clusterName", req.name},
      {"selector",
       {{"matchLabels",
         {{kCapiClusterNameLabel, req.name}, {kControlPlaneLabel, ""}}}}},
      {"checks", ReadyChecks(kUnhealthySeconds)},
  };
  return obj;
}

}  // namespace

std::vector<nlohmann::json> MachineHealthCheckObjects(
    const RenderContext& ctx) {
  std::vector<nlohmann::json> checks;
  if (ctx.req.control_plane.replicas >= 3) {
    checks.push_back(ControlPlaneHealthCheck(ctx));
  }
  for (const NodePool& pool : ctx.req.node_pools) {
    checks.push_back(PoolHealthCheck(ctx, pool));
  }
  return checks;
}

}  // namespace capigitops::render
