// The per-provider half of the expander: a table of functions each provider
// file (gcp.cc, aws.cc, ...) fills in. Everything shared by all providers
// (Cluster, KubeadmControlPlane, MachineDeployment, ...) lives in common.cc.
#ifndef CAPIGITOPS_RENDER_PROVIDER_H_
#define CAPIGITOPS_RENDER_PROVIDER_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "capigitops/config.h"
#include "capigitops/spec.h"
#include "capigitops/status.h"

namespace capigitops::render {

inline constexpr char kInfraGroup[] = "infrastructure.cluster.x-k8s.io";

// What every builder needs to know about the cluster being expanded.
struct RenderContext {
  const ClusterRequest& req;
  std::string ns;        // namespace of every namespaced object
  std::string version;   // Kubernetes version, the spec's or the repo default
  std::string pod_cidr;  // the repo's clusterNetwork
  std::string service_cidr;
  const ProviderSettings& settings() const { return req.settings; }
};

// Root disk of GPU nodes that name no diskGiB: CUDA images and the driver
// container fill the providers' 20-30 GB defaults (CAPG "Defaults to 30").
// CAPA's GPU flavor uses the same size (e2e-patch-gpu-instance-type.yaml,
// rootVolume.size: 100).
inline constexpr int kGpuRootDiskGib = 100;

// The machines one template describes: the control plane or one node pool.
struct MachineRole {
  const NodePool* pool = nullptr;  // nullptr: the control plane
  std::string field;               // "spec.controlPlane", "spec.nodePools[1]"
  std::string machine_type;
  bool has_gpus = false;  // the pool's nodes have GPUs (spec or machine type)

  bool IsControlPlane() const { return pool == nullptr; }
  bool Spot() const { return pool != nullptr && pool->spot; }
  // The spec's diskGiB.
  std::optional<int> DiskGib() const {
    return pool != nullptr ? pool->disk_gib : std::nullopt;
  }
  // The spec's diskGiB, else kGpuRootDiskGib for GPU pools, else nullopt
  // (the provider's default).
  std::optional<int> DiskGibOrGpuDefault() const {
    if (auto disk = DiskGib()) return disk;
    if (has_gpus) return kGpuRootDiskGib;
    return std::nullopt;
  }
  const Accelerator* GpuRequest() const {
    return pool != nullptr && pool->accelerator ? &*pool->accelerator : nullptr;
  }
};

struct ProviderOps {
  const char* name;               // "gcp"
  const char* infra_api_version;  // storage version of the infra kinds
  const char* cluster_kind;       // "GCPCluster"
  const char* machine_template_kind;
  bool supports_spot;
  // Pools get MachineDeployment failureDomain = spec.zone when a zone is set.
  bool zone_is_failure_domain;
  // ... but only pools with GPUs (GCP: the zone is where the GPUs are; the
  // control plane and CPU pools spread over the region's zones).
  bool zone_pins_only_gpu_pools;
  // kubeadm nodeRegistration.name (a cloud-init template), or "".
  const char* node_name;
  // kubelet args every node gets, before node-labels.
  std::vector<std::pair<std::string, std::string>> kubelet_args;
  // controller-manager args on the control plane.
  std::vector<std::pair<std::string, std::string>> controller_manager_args;
  // Extra certificate SANs of the API server (docker needs localhost).
  std::vector<std::string> api_server_cert_sans;

  // .spec of the InfraCluster.
  StatusOr<nlohmann::json> (*cluster_spec)(const RenderContext& ctx);
  // .spec.template.spec of an InfraMachineTemplate.
  StatusOr<nlohmann::json> (*machine_spec)(const RenderContext& ctx,
                                           const MachineRole& role);
  // Complete identity objects (apiVersion, kind, metadata.name and, when
  // namespaced, metadata.namespace, spec); common code adds the labels.
  StatusOr<std::vector<nlohmann::json>> (*identities)(const RenderContext& ctx);
  // Provider files and commands for the kubeadm config of `role`'s machines
  // (the KubeadmControlPlane's kubeadmConfigSpec, or a KubeadmConfigTemplate's
  // .spec.template.spec), whose machine template is named `infra_template`.
  // nullptr: nothing to add.
  Status (*kubeadm_extras)(const RenderContext& ctx, const MachineRole& role,
                           const std::string& infra_template,
                           nlohmann::json* config);
  // The infra API version when it depends on the repo's settings (the
  // provider release installed); nullptr: infra_api_version.
  std::string (*infra_api_version_for)(const RenderContext& ctx) = nullptr;
};

// The apiVersion of `ops`'s infrastructure kinds for this cluster.
std::string InfraApiVersion(const RenderContext& ctx, const ProviderOps& ops);

// Appends `item` to the list `(*config)[key]`, creating it.
void AppendTo(nlohmann::json* config, const char* key, nlohmann::json item);

const ProviderOps& GcpOps();
const ProviderOps& AwsOps();
const ProviderOps& AzureOps();
const ProviderOps& VsphereOps();
const ProviderOps& OpenstackOps();
const ProviderOps& DockerOps();
const ProviderOps& OpsFor(Provider provider);

// Identities for providers that need none.
StatusOr<std::vector<nlohmann::json>> NoIdentities(const RenderContext& ctx);

// "spec.nodePools[1].machineType: <message>" as an InvalidArgument.
Status FieldError(const std::string& field, const std::string& message);

// Standard kubelet args of cloud providers with an external
// cloud-controller-manager.
std::vector<std::pair<std::string, std::string>> ExternalCloudProviderArgs();

}  // namespace capigitops::render

#endif  // CAPIGITOPS_RENDER_PROVIDER_H_
