// OpenStack (CAPO): OpenStackCluster and OpenStackMachineTemplate. Size and
// GPUs come from the flavor.
//
// The infrastructure API version follows the CAPO release the management
// cluster runs (providers.openstack.apiVersion): v1beta1 by default, the only
// version the latest stable release (v0.14.x) serves; v1beta2 for CAPO >=
// v0.15 (../shared/docs/capi.md section a, provider-review.md A5). The two
// differ in shape: v1beta1 has apiServerLoadBalancer, a string flavor and
// allNodesSecurityGroupRules; v1beta2 apiServer.managedLoadBalancer, a flavor
// filter and clusterNodesSecurityGroupRules.
#include <optional>

#include "render/provider.h"

namespace capigitops::render {
namespace {

bool V1beta2(const RenderContext& ctx) {
  return ctx.settings().openstack.api_version == "v1beta2";
}

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

// A rule between all cluster nodes (both managed groups), as CAPO's
// templates/cluster-template.yaml writes it.
nlohmann::json NodeToNodeRule(const std::string& name,
                              const std::string& protocol,
                              std::optional<int> port) {
  nlohmann::json rule = {{"name", name},
                         {"description", "Created by capi-gitops - " + name},
                         {"direction", "ingress"},
                         {"etherType", "IPv4"},
                         {"protocol", protocol},
                         {"remoteManagedGroups", {"controlplane", "worker"}}};
  if (port) {
    rule["portRangeMin"] = *port;
    rule["portRangeMax"] = *port;
  }
  return rule;
}

// Without managedSecurityGroups CAPO creates no security groups and the
// ports fall back to the project's "default" group, which admits only its
// own members: the API load balancer's health checks and the CNI's traffic
// are dropped (pkg/cloud/services/networking/securitygroups.go). With them
// CAPO opens the API server, kubelet and etcd ports itself; the CNI's
// rules are ours to add: Calico's BGP and IP-in-IP, as in CAPO's template.
nlohmann::json ManagedSecurityGroups(bool v1beta2) {
  nlohmann::json rules = {
      NodeToNodeRule("BGP (Calico)", "tcp", 179),
      NodeToNodeRule("IP-in-IP (Calico)", "4", std::nullopt)};
  if (v1beta2) return {{"clusterNodesSecurityGroupRules", rules}};
  // v1beta1 requires the flag (its CRD default is false).
  return {{"allNodesSecurityGroupRules", rules},
          {"allowAllInClusterTraffic", false}};
}

StatusOr<nlohmann::json> ClusterSpec(const RenderContext& ctx) {
  const OpenstackSettings& os = ctx.settings().openstack;
  ASSIGN_OR_RETURN(nlohmann::json identity, IdentityRef(ctx));
  if (!ctx.req.region.empty()) identity["region"] = ctx.req.region;
  nlohmann::json subnet = {{"cidr", kNodeCidr}};
  // Clouds whose Neutron DHCP hands out no DNS server leave nodes unable to
  // pull images; CAPO's template sets them here too.
  if (!os.dns_nameservers.empty()) {
    subnet["dnsNameservers"] = os.dns_nameservers;
  }
  nlohmann::json spec = {
      {"identityRef", identity},
      {"managedSubnets", {subnet}},
      {"managedSecurityGroups", ManagedSecurityGroups(V1beta2(ctx))}};
  if (V1beta2(ctx)) {
    spec["apiServer"] = {{"managedLoadBalancer", {{"enabled", true}}}};
  } else {
    spec["apiServerLoadBalancer"] = {{"enabled", true}};
  }
  if (!os.external_network_id.empty()) {
    spec["externalNetwork"] = {{"id", os.external_network_id}};
  }
  return spec;
}

StatusOr<nlohmann::json> MachineSpec(const RenderContext& ctx,
                                     const MachineRole& role) {
  const OpenstackSettings& os = ctx.settings().openstack;
  RETURN_IF_ERROR(Require(os.image, "image"));
  nlohmann::json spec = {{"image", {{"filter", {{"name", os.image}}}}}};
  if (V1beta2(ctx)) {
    spec["flavor"] = {{"filter", {{"name", role.machine_type}}}};
  } else {
    spec["flavor"] = role.machine_type;  // v1beta1: the flavor's name
  }
  if (!os.ssh_key_name.empty()) spec["sshKeyName"] = os.ssh_key_name;
  // Only the spec's diskGiB: a rootVolume makes the server boot from a
  // Cinder volume instead of the flavor's disk (CRD: "the volume metadata to
  // boot from"), which is not a default to impose; GPU flavors carry their
  // own disk size.
  if (auto disk = role.DiskGib()) spec["rootVolume"] = {{"sizeGiB", *disk}};
  // GPUs come with the flavor: nothing to add.
  return spec;
}

std::string ApiVersion(const RenderContext& ctx) {
  // Appended, not `std::string(kInfraGroup) + "/" + ...`: GCC 12 at -O2
  // warns on that chain (-Warray-bounds in char_traits::copy, a known false
  // positive of the inlined string move).
  std::string v(kInfraGroup);
  v += '/';
  v += ctx.settings().openstack.api_version;
  return v;
}

}  // namespace

const ProviderOps& OpenstackOps() {
  static const ProviderOps ops = {
      .name = "openstack",
      .infra_api_version = "infrastructure.cluster.x-k8s.io/v1beta1",
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
      .infra_api_version_for = ApiVersion,
  };
  return ops;
}

}  // namespace capigitops::render
