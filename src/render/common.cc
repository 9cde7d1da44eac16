// The CAPI core objects every provider emits, at v1beta2.
#include "render/common.h"

#include <ctime>

namespace capigitops::render {
namespace {

constexpr char kAcceleratorLabel[] = "cluster-api/accelerator";
// The taint key the NVIDIA device plugin and gpu-operator tolerate by default
// (as in ../shared/docs/capi.md's GCP GPU example).
constexpr char kGpuTaintKey[] = "nvidia.com/gpu";
// How long CAPI drains a node before deleting its machine anyway: without a
// limit a PodDisruptionBudget that never allows an eviction (one training
// pod) stalls scale-down and rollouts forever (MachineDeployment CRD:
// "The default value is 0, meaning that the node can be drained without any
// time limitations").
constexpr int kNodeDrainTimeoutSeconds = 900;

// v1beta2 list form: [{name, value}, ...].
nlohmann::json ArgList(
    const std::vector<std::pair<std::string, std::string>>& args) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [name, value] : args) {
    list.push_back({{"name", name}, {"value", value}});
  }
  return list;
}

// "2026-12-01T18:00:00Z" for Unix seconds.
std::string Rfc3339Utc(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json NodeRegistration(
    const ProviderOps& ops,
    const std::vector<std::pair<std::string, std::string>>& args,
    const std::vector<Taint>& taints) {
  nlohmann::json reg = nlohmann::json::object();
  if (*ops.node_name != '\0') reg["name"] = ops.node_name;
  // kubeletExtraArgs and taints have minItems; leave them out when empty.
  if (!args.empty()) reg["kubeletExtraArgs"] = ArgList(args);
  if (!taints.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const Taint& taint : taints) {
      nlohmann::json t = {{"key", taint.key}, {"effect", taint.effect}};
      if (!taint.value.empty()) t["value"] = taint.value;
      list.push_back(t);
    }
    reg["taints"] = list;
  }
  return reg;
}

nlohmann::json ClusterAnnotations(const ClusterRequest& req,
                                  const RenderOptions& opts) {
  nlohmann::json ann = nlohmann::json::object();
  if (!opts.revision.empty()) ann[kRevisionAnnotation] = opts.revision;
  switch (req.ttl.kind) {
    case TtlKind::kDuration:
      ann[kTtlAnnotation] = req.ttl.text;
      break;
    case TtlKind::kExpiresAt:
      ann[kExpiresAtAnnotation] = Rfc3339Utc(req.ttl.expires_at);
      break;
    case TtlKind::kNever:
    case TtlKind::kNone:
      ann[kTtlAnnotation] = "never";
      break;
  }
  if (!req.file.empty()) ann[kSourceFileAnnotation] = req.file;
  if (req.deletion_protection) ann[kDeletionProtectionAnnotation] = "true";
  return ann;
}

}  // namespace

std::string ControlPlaneName(const ClusterRequest& req) {
  return BoundedName(req.name, "control-plane");
}

std::string MachineDeploymentName(const ClusterRequest& req,
                                  const NodePool& pool) {
  return BoundedName(req.name, pool.name);
}

std::vector<std::pair<std::string, std::string>> NodeLabels(
    const RenderContext& ctx, const NodePool& pool) {
  std::map<std::string, std::string> labels = pool.labels;
  if (auto gpu = PoolGpus(ctx, pool)) labels[kAcceleratorLabel] = gpu->type;
  return {labels.begin(), labels.end()};
}

std::vector<Taint> NodeTaints(const RenderContext& ctx, const NodePool& pool) {
  std::vector<Taint> taints = pool.taints;
  if (!pool.gpu_taint || !PoolGpus(ctx, pool)) return taints;
  for (const Taint& taint : taints) {
    if (taint.key == kGpuTaintKey) return taints;  // the spec's own wins
  }
  taints.push_back({kGpuTaintKey, "present", "NoSchedule"});
  return taints;
}

nlohmann::json ClusterObject(const RenderContext& ctx, const ProviderOps& ops,
                             const RenderOptions& opts) {
  const ClusterRequest& req = ctx.req;
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [key, value] : req.labels) {
    // Add-on labels select what is installed in the cluster: only the
    // catalog decides them (Expand), never a request label.
    if (key.rfind(kAddonLabelPrefix, 0) == 0) continue;
    labels[key] = value;
  }
  // Ours win: a request label must not hide the object from the reconciler.
  const nlohmann::json base = BaseLabels(req);
  for (const auto& [key, value] : base.items()) labels[key] = value;
  nlohmann::json obj =
      NewObject(kClusterApiVersion, "Cluster", req.name, ctx.ns, labels);
  obj["metadata"]["annotations"] = ClusterAnnotations(req, opts);
  obj["spec"] = {
      {"clusterNetwork",
       {{"pods", {{"cidrBlocks", {ctx.pod_cidr}}}},
        {"services", {{"cidrBlocks", {ctx.service_cidr}}}}}},
      {"infrastructureRef", Ref(kInfraGroup, ops.cluster_kind, req.name)},
      {"controlPlaneRef",
       Ref(kControlPlaneGroup, "KubeadmControlPlane", ControlPlaneName(req))},
  };
  return obj;
}

nlohmann::json KubeadmControlPlaneObject(const RenderContext& ctx,
                                         const ProviderOps& ops,
                                         const std::string& template_name) {
  const ClusterRequest& req = ctx.req;
  nlohmann::json reg = NodeRegistration(ops, ops.kubelet_args, {});
  nlohmann::json config = {{"initConfiguration", {{"nodeRegistration", reg}}},
                           {"joinConfiguration", {{"nodeRegistration", reg}}}};
  nlohmann::json cluster_config = nlohmann::json::object();
  if (!ops.api_server_cert_sans.empty()) {
    cluster_config["apiServer"]["certSANs"] = ops.api_server_cert_sans;
  }
  if (!ops.controller_manager_args.empty()) {
    cluster_config["controllerManager"]["extraArgs"] =
        ArgList(ops.controller_manager_args);
  }
  if (!cluster_config.empty()) config["clusterConfiguration"] = cluster_config;

  nlohmann::json obj =
      NewObject(kControlPlaneApiVersion, "KubeadmControlPlane",
                ControlPlaneName(req), ctx.ns, ClusterMemberLabels(req));
  obj["spec"] = {
      {"replicas", req.control_plane.replicas},
      {"version", ctx.version},
      {"machineTemplate",
       {{"spec",
         {{"infrastructureRef",
           Ref(kInfraGroup, ops.machine_template_kind, template_name)}}}}},
      {"kubeadmConfigSpec", config},
  };
  return obj;
}

nlohmann::json KubeadmConfigTemplateSpec(const RenderContext& ctx,
                                         const ProviderOps& ops,
                                         const NodePool& pool) {
  auto args = ops.kubelet_args;
  auto labels = NodeLabels(ctx, pool);
  std::string joined;
  for (const auto& [key, value] : labels) {
    // The kubelet may not set these on itself; CAPI copies them from the
    // Machine (MachineDeploymentObject puts them there).
    if (IsCapiSyncedNodeLabel(key)) continue;
    if (!joined.empty()) joined += ",";
    joined += key + "=" + value;
  }
  if (!joined.empty()) args.emplace_back("node-labels", joined);
  nlohmann::json reg = NodeRegistration(ops, args, NodeTaints(ctx, pool));
  return {{"template",
           {{"spec", {{"joinConfiguration", {{"nodeRegistration", reg}}}}}}}};
}

nlohmann::json MachineDeploymentObject(const RenderContext& ctx,
                                       const ProviderOps& ops,
                                       const NodePool& pool,
                                       const std::string& infra_template,
                                       const std::string& bootstrap_template) {
  const ClusterRequest& req = ctx.req;
  std::string name = MachineDeploymentName(req, pool);
  nlohmann::json obj = NewObject(kClusterApiVersion, "MachineDeployment", name,
                                 ctx.ns, ClusterMemberLabels(req));
  nlohmann::json annotations = AutoscalerAnnotations(ctx, pool);
  if (!annotations.empty()) obj["metadata"]["annotations"] = annotations;

  nlohmann::json selector = {{kCapiClusterNameLabel, req.name},
                             {kDeploymentNameLabel, name}};
  nlohmann::json machine = {
      {"clusterName", req.name},
      {"version", ctx.version},
      {"bootstrap",
       {{"configRef",
         Ref(kBootstrapGroup, "KubeadmConfigTemplate", bootstrap_template)}}},
      {"infrastructureRef",
       Ref(kInfraGroup, ops.machine_template_kind, infra_template)},
      {"deletion", {{"nodeDrainTimeoutSeconds", kNodeDrainTimeoutSeconds}}},
  };
  bool pinned = ops.zone_is_failure_domain && !req.zone.empty() &&
                (!ops.zone_pins_only_gpu_pools || PoolGpus(ctx, pool));
  if (pinned) machine["failureDomain"] = req.zone;
  // Labels CAPI syncs from the Machine to its Node (cluster-api proposal
  // 20220927-label-sync-between-machine-and-nodes): the only way to get
  // node-role.kubernetes.io/* onto a node, which its kubelet may not set.
  nlohmann::json machine_labels = selector;
  for (const auto& [key, value] : pool.labels) {
    if (IsCapiSyncedNodeLabel(key)) machine_labels[key] = value;
  }
  nlohmann::json spec = {
      {"clusterName", req.name},
      {"selector", {{"matchLabels", selector}}},
      {"template",
       {{"metadata", {{"labels", machine_labels}}}, {"spec", machine}}},
  };
  // Autoscaled pools: the autoscaler owns replicas; setting them here would
  // reset its decisions on every sync.
  if (!pool.autoscaling && pool.replicas) spec["replicas"] = *pool.replicas;
  // A hibernated GPU pool is scaled to zero now, autoscaled or not: max 0
  // alone only stops scale-ups, and the autoscaler removes nodes over
  // max slowly if at all. On resume the field is no longer applied, CAPI
  // keeps 0 and the autoscaler scales up from there on demand.
  if (Hibernated(ctx, pool)) spec["replicas"] = 0;
  obj["spec"] = spec;
  return obj;
}

}  // namespace capigitops::render
