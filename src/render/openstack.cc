// OpenStack (CAPO): OpenStackCluster and OpenStackMachineTemplate,
// infrastructure v1beta2 (CAPO >= v0.15). Size and GPUs come from the flavor.
#include "render/provider.h"

namespace capigitops::render {
namespace {

// Network of the nodes when the repo names none; CAPO creates it.
constexpr char kNodeCidr[] = "10.6.0.0/24";

Status Require(const std::string& value, const std::string& field) {
  if (value.empty()) {
    return FieldError("providers.openstack." + field,
                      "not set in capi-gitops.yaml or spec.providerConfig");
  }
  return Status::Ok();
}

// The Secret holding clouds.yaml, and the entry in it.
StatusOr<nlohmann::json> IdentityRef(const RenderContext& ctx) {
  const OpenstackSettings& os = ctx.settings().openstack;
  RETURN_IF_ERROR(Require(os.cloud, "cloud"));
  std::string secret = os.clouds_secret.empty() ? ctx.req.name + "-cloud-config"
                                                : os.clouds_secret;
  return nlohmann::json{{"cloudName", os.cloud}, {"name", secret}};
}

StatusOr<nlohmann::json> ClusterSpec(const RenderContext& ctx) {
  const OpenstackSettings& os = ctx.settings().openstack;
  ASSIGN_OR_RETURN(nlohmann::json identity, IdentityRef(ctx));
  if (!ctx.req.region.empty()) identity["region"] = ctx.req.region;
  nlohmann::json spec = {
      {"identityRef", identity},
      {"managedSubnets", {{{"cidr", kNodeCidr}}}},
      {"apiServer", {{"managedLoadBalancer", {{"enabled", true}}}}}};
  if (!os.external_network_id.empty()) {
    spec["externalNetwork"] = {{"id", os.external_network_id}};
  }
  return spec;
}

StatusOr<nlohmann::json> MachineSpec(const RenderContext& ctx,
                                     const MachineRole& role) {
  const OpenstackSettings& os = ctx.settings().openstack;
  RETURN_IF_ERROR(Require(os.image, "image"));
  nlohmann::json spec = {
      {"flavor", {{"filter", {{"name", role.machine_type}}}}},
      {"image", {{"filter", {{"name", os.image}}}}},
  };
  if (!os.ssh_key_name.empty()) spec["sshKeyName"] = os.ssh_key_name;
  // Only the spec's diskGiB: a rootVolume makes the server boot from a
  // Cinder volume instead of the flavor's disk (CRD: "the volume metadata to
  // boot from"), which is not a default to impose; GPU flavors carry their
  // own disk size.
  if (auto disk = role.DiskGib()) spec["rootVolume"] = {{"sizeGiB", *disk}};
  // GPUs come with the flavor: nothing to add.
  return spec;
}

}  // namespace

const ProviderOps& OpenstackOps() {
  static const ProviderOps ops = {
      .name = "openstack",
      .infra_api_version = "infrastructure.cluster.x-k8s.io/v1beta2",
      .cluster_kind = "OpenStackCluster",
      .machine_template_kind = "OpenStackMachineTemplate",
      .supports_spot = false,
      .zone_is_failure_domain = true,
      .zone_pins_only_gpu_pools = false,
      .node_name = "{{ local_hostname }}",
      .kubelet_args = {{"cloud-provider", "external"},
                       {"provider-id", "openstack:///'{{ instance_id }}'"}},
      .controller_manager_args = ExternalCloudProviderArgs(),
      .api_server_cert_sans = {},
      .cluster_spec = ClusterSpec,
      .machine_spec = MachineSpec,
      .identities = NoIdentities,
      .kubeadm_extras = nullptr,
  };
  return ops;
}

}  // namespace capigitops::render
