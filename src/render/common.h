// Shared pieces of the expander: object skeletons, refs, labels, content
// hashes and the CAPI core objects every provider emits.
#ifndef CAPIGITOPS_RENDER_COMMON_H_
#define CAPIGITOPS_RENDER_COMMON_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capigitops/render.h"
#include "render/provider.h"

namespace capigitops::render {

inline constexpr char kClusterApiVersion[] = "cluster.x-k8s.io/v1beta2";
inline constexpr char kClusterGroup[] = "cluster.x-k8s.io";
inline constexpr char kBootstrapApiVersion[] =
    "bootstrap.cluster.x-k8s.io/v1beta2";
inline constexpr char kBootstrapGroup[] = "bootstrap.cluster.x-k8s.io";
inline constexpr char kControlPlaneApiVersion[] =
    "controlplane.cluster.x-k8s.io/v1beta2";
inline constexpr char kControlPlaneGroup[] = "controlplane.cluster.x-k8s.io";
inline constexpr char kDeploymentNameLabel[] =
    "cluster.x-k8s.io/deployment-name";
inline constexpr int kMaxNameLength = 63;  // DNS-1123 label

// First 8 hex digits of the SHA-256 of `data`.
std::string ShortHash(std::string_view data);

// "<cluster>-<part>", at most 63 characters: a part that does not fit is cut
// and followed by a hash of the whole part, so distinct parts stay distinct.
std::string BoundedName(const std::string& cluster, const std::string& part);

// "<cluster>-<part>-<hash of spec>": templates are immutable, so any change
// of their spec must give a new name (and roll the machines).
std::string TemplateName(const std::string& cluster, const std::string& part,
                         const nlohmann::json& spec);

// managed-by, cluster and owner labels every object carries.
nlohmann::json BaseLabels(const ClusterRequest& req);
// BaseLabels plus cluster.x-k8s.io/cluster-name.
nlohmann::json ClusterMemberLabels(const ClusterRequest& req);

// {apiVersion, kind, metadata: {name, namespace?, labels}}; no namespace when
// `ns` is empty (cluster-scoped kinds).
nlohmann::json NewObject(const std::string& api_version,
                         const std::string& kind, const std::string& name,
                         const std::string& ns, const nlohmann::json& labels);

// A v1beta2 reference: {apiGroup, kind, name}.
nlohmann::json Ref(const std::string& group, const std::string& kind,
                   const std::string& name);

// --- CAPI core objects (common.cc) ---

std::string ControlPlaneName(const ClusterRequest& req);
std::string MachineDeploymentName(const ClusterRequest& req,
                                  const NodePool& pool);

nlohmann::json ClusterObject(const RenderContext& ctx, const ProviderOps& ops,
                             const RenderOptions& opts);
nlohmann::json KubeadmControlPlaneObject(const RenderContext& ctx,
                                         const ProviderOps& ops,
                                         const std::string& template_name);
// The KubeadmConfigTemplate's .spec for `pool`.
nlohmann::json KubeadmConfigTemplateSpec(const RenderContext& ctx,
                                         const ProviderOps& ops,
                                         const NodePool& pool);
nlohmann::json MachineDeploymentObject(const RenderContext& ctx,
                                       const ProviderOps& ops,
                                       const NodePool& pool,
                                       const std::string& infra_template,
                                       const std::string& bootstrap_template);
// MachineHealthChecks: one per MachineDeployment, so a mass spot
// preemption in one pool never blocks remediation in another, and one for a
// control plane of 3 or 5 machines (health_check.cc).
std::vector<nlohmann::json> MachineHealthCheckObjects(const RenderContext& ctx);

// The GPUs each node of a pool has: the spec's accelerator, else the GPUs
// bundled with the machine type (AWS g4dn, GCP a2, ...). nullopt: none.
struct PoolGpu {
  std::string type;
  int count = 0;
};
std::optional<PoolGpu> PoolGpus(const RenderContext& ctx, const NodePool& pool);

// cluster-autoscaler annotations of an autoscaled pool's MachineDeployment:
// min/max size and, when the pool can scale from zero or has GPUs, the
// capacity the autoscaler cannot read from a node. Empty for fixed pools.
// spec.hibernate: true and `pool` has GPUs: it renders at zero nodes.
bool Hibernated(const RenderContext& ctx, const NodePool& pool);

nlohmann::json AutoscalerAnnotations(const RenderContext& ctx,
                                     const NodePool& pool);

// True when any node pool has autoscaling: min/max.
bool HasAutoscaledPool(const ClusterRequest& req);

// The cluster's own cluster-autoscaler on the management cluster, when a
// pool is autoscaled (cluster_autoscaler.cc): ServiceAccount, Role,
// RoleBinding and Deployment, in that order. Empty otherwise.
std::vector<nlohmann::json> ClusterAutoscalerObjects(const RenderContext& ctx,
                                                     const ProviderOps& ops);

// Taints of a pool's nodes: the spec's, plus nvidia.com/gpu=present:
// NoSchedule on GPU pools unless the spec sets gpuTaint: false or already
// taints that key. kubeadm registers the node with them, and the autoscaler
// needs the same list for a group at zero.
std::vector<Taint> NodeTaints(const RenderContext& ctx, const NodePool& pool);

// Node labels of a pool as kubelet sees them: the spec's labels plus
// cluster-api/accelerator=<type> for GPU pools. Sorted by key.
std::vector<std::pair<std::string, std::string>> NodeLabels(
    const RenderContext& ctx, const NodePool& pool);

// The per-cluster ClusterResourceSet applying the platform's credential
// Secrets (addons.clusterSecrets) into the workload cluster, selecting it by
// cluster.x-k8s.io/cluster-name; nullopt when its provider has none.
// Part of the cluster's own objects (and inventory), not the catalog's.
std::optional<nlohmann::json> ClusterSecretsResourceSet(
    const RenderContext& ctx, const RepoConfig& config);

}  // namespace capigitops::render

#endif  // CAPIGITOPS_RENDER_COMMON_H_
