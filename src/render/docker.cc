// docker: CAPI's development provider (DevCluster / DevMachineTemplate with
// the docker backend, infrastructure v1beta2), for trying CAPI with kind.
// No spot, no GPUs.
#include "render/provider.h"

namespace capigitops::render {
namespace {

StatusOr<nlohmann::json> ClusterSpec(const RenderContext&) {
  return nlohmann::json{{"backend", {{"docker", nlohmann::json::object()}}}};
}

StatusOr<nlohmann::json> MachineSpec(const RenderContext& ctx,
                                     const MachineRole& role) {
  const Accelerator* gpu = role.GpuRequest();
  if (gpu != nullptr && gpu->count > 0) {
    return FieldError(role.field + ".accelerator",
                      "the docker provider has no GPUs");
  }
  nlohmann::json docker = nlohmann::json::object();
  const std::string& image = ctx.settings().docker.custom_image;
  if (!image.empty()) docker["customImage"] = image;
  return nlohmann::json{{"backend", {{"docker", docker}}}};
}

}  // namespace

const ProviderOps& DockerOps() {
  static const ProviderOps ops = {
      .name = "docker",
      .infra_api_version = "infrastructure.cluster.x-k8s.io/v1beta2",
      .cluster_kind = "DevCluster",
      .machine_template_kind = "DevMachineTemplate",
      .supports_spot = false,
      .zone_is_failure_domain = false,
      .zone_pins_only_gpu_pools = false,
      .node_name = "",
      // kind nodes share the host's disk; without this the kubelet evicts
      // pods as soon as the host disk is a little full (as CAPD's examples).
      .kubelet_args = {{"eviction-hard",
                        "nodefs.available<0%,nodefs.inodesFree<0%,"
                        "imagefs.available<0%"}},
      .controller_manager_args = {},
      // The kubeconfig reaches the API server through localhost.
      .api_server_cert_sans = {"localhost", "127.0.0.1", "0.0.0.0"},
      .cluster_spec = ClusterSpec,
      .machine_spec = MachineSpec,
      .identities = NoIdentities,
      .kubeadm_extras = nullptr,
  };
  return ops;
}

}  // namespace capigitops::render
