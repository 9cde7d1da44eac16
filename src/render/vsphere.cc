// vSphere (CAPV): VSphereCluster and VSphereMachineTemplate, infrastructure
// v1beta2. Machine types are size names from the repo config; GPUs are PCI
// passthrough or vGPU devices.
#include <algorithm>
#include <map>

#include "capigitops/machine_catalog.h"
#include "render/kube_vip.h"
#include "render/provider.h"

namespace capigitops::render {
namespace {

constexpr int kApiServerPort = 6443;

StatusOr<nlohmann::json> PciDevices(const RenderContext& ctx,
                                    const MachineRole& role) {
  const Accelerator& gpu = *role.GpuRequest();
  auto found = LookupVspherePciDevice(ctx.settings().vsphere, gpu.type);
  if (!found) {
    return FieldError(role.field + ".accelerator.type",
                      "no PCI device known for \"" + gpu.type +
                          "\" (add it to providers.vsphere.accelerators)");
  }
  nlohmann::json device;
  if (!found->vgpu_profile.empty()) {
    device = {{"vGPUProfile", found->vgpu_profile}};
  } else {
    device = {{"vendorId", found->vendor_id}, {"deviceId", found->device_id}};
  }
  nlohmann::json devices = nlohmann::json::array();
  for (int i = 0; i < gpu.count; ++i) devices.push_back(device);
  return devices;
}

// The spec's diskGiB, else the size's disk, at least kGpuRootDiskGib on GPU
// nodes.
int DiskGib(const MachineRole& role, const VsphereSize& size) {
  if (auto disk = role.DiskGib()) return *disk;
  return role.has_gpus ? std::max(size.disk_gib, kGpuRootDiskGib)
                       : size.disk_gib;
}

Status Require(const std::string& value, const std::string& field) {
  if (value.empty()) {
    return FieldError("providers.vsphere." + field,
                      "not set in capi-gitops.yaml or spec.providerConfig");
  }
  return Status::Ok();
}

StatusOr<nlohmann::json> ClusterSpec(const RenderContext& ctx) {
  const VsphereSettings& vs = ctx.settings().vsphere;
  RETURN_IF_ERROR(Require(vs.server, "server"));
  // CAPV creates no load balancer: the control plane's kube-vip must hold
  // this address, and kubeadm joins through it.
  RETURN_IF_ERROR(Require(vs.control_plane_endpoint, "controlPlaneEndpoint"));
  nlohmann::json spec = {{"server", vs.server}};
  if (!vs.thumbprint.empty()) spec["thumbprint"] = vs.thumbprint;
  // A cluster-scoped VSphereClusterIdentity can serve every cluster of the
  // namespaces it allows; a Secret identity belongs to one VSphereCluster,
  // which deletes it (CAPV docs/identity_management.md). The identity is
  // referenced, not rendered: as an object of one cluster it would be
  // pruned with that cluster, and CAPV's owner reference would take its
  // Secret with it.
  if (!vs.identity_name.empty()) {
    spec["identityRef"] = {{"kind", "VSphereClusterIdentity"},
                           {"name", vs.identity_name}};
  } else if (!vs.credentials_secret.empty()) {
    spec["identityRef"] = {{"kind", "Secret"}, {"name", vs.credentials_secret}};
  }
  spec["controlPlaneEndpoint"] = {{"host", vs.control_plane_endpoint},
                                  {"port", kApiServerPort}};
  return spec;
}

StatusOr<nlohmann::json> MachineSpec(const RenderContext& ctx,
                                     const MachineRole& role) {
  const VsphereSettings& vs = ctx.settings().vsphere;
  RETURN_IF_ERROR(Require(vs.server, "server"));
  RETURN_IF_ERROR(Require(vs.template_name, "template"));
  RETURN_IF_ERROR(Require(vs.network, "network"));
  auto size = LookupVsphereSize(vs, role.machine_type);
  if (!size) {
    return FieldError(role.field + ".machineType",
                      "unknown vSphere size \"" + role.machine_type + "\"");
  }
  nlohmann::json spec = {
      {"server", vs.server},
      {"template", vs.template_name},
      {"network",
       {{"devices", {{{"networkName", vs.network}, {"dhcp4", true}}}}}},
      {"numCPUs", size->cpus},
      {"memoryMiB", size->memory_mib},
      {"diskGiB", DiskGib(role, *size)},
  };
  // These fields have minLength 1: leave out what the repo does not set.
  const std::pair<const char*, const std::string*> optional[] = {
      {"thumbprint", &vs.thumbprint},
      {"datacenter", &vs.datacenter},
      {"datastore", &vs.datastore},
      {"folder", &vs.folder},
      {"resourcePool", &vs.resource_pool}};
  for (const auto& [field, value] : optional) {
    if (!value->empty()) spec[field] = *value;
  }
  const Accelerator* gpu = role.GpuRequest();
  bool passthrough = gpu != nullptr && gpu->count > 0;
  if (passthrough) {
    ASSIGN_OR_RETURN(spec["pciDevices"], PciDevices(ctx, role));
  }
  // A linked clone (CAPV's default for templates with a snapshot) ignores
  // diskGiB (CRD cloneMode: "When linkedClone mode is enabled the DiskGiB
  // field is ignored"): GPU nodes would keep the template's small disk.
  if (role.DiskGib() || passthrough) spec["cloneMode"] = "fullClone";
  return spec;
}

// The control plane runs kube-vip, which holds controlPlaneEndpoint; workers
// need nothing.
Status KubeVipExtras(const RenderContext& ctx, const MachineRole& role,
                     const std::string&, nlohmann::json* config) {
  if (!role.IsControlPlane()) return Status::Ok();
  AddKubeVip(ctx.settings().vsphere.control_plane_endpoint, kApiServerPort,
             config);
  return Status::Ok();
}

}  // namespace

const ProviderOps& VsphereOps() {
  static const ProviderOps ops = {
      .name = "vsphere",
      .infra_api_version = "infrastructure.cluster.x-k8s.io/v1beta2",
      .cluster_kind = "VSphereCluster",
      .machine_template_kind = "VSphereMachineTemplate",
      .supports_spot = false,
      // vSphere failure domains are VSphereFailureDomain objects, not zones.
      .zone_is_failure_domain = false,
      .zone_pins_only_gpu_pools = false,
      .node_name = "{{ local_hostname }}",
      .kubelet_args = ExternalCloudProviderArgs(),
      .controller_manager_args = ExternalCloudProviderArgs(),
      .api_server_cert_sans = {},
      .cluster_spec = ClusterSpec,
      .machine_spec = MachineSpec,
      .identities = NoIdentities,
      .kubeadm_extras = KubeVipExtras,
  };
  return ops;
}

}  // namespace capigitops::render
