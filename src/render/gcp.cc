// GCP (CAPG): GCPCluster and GCPMachineTemplate, infrastructure v1beta1.
#include "capigitops/machine_catalog.h"
#include "render/provider.h"

namespace capigitops::render {
namespace {

// "us-central1" for "us-central1-c".
std::string RegionOfZone(const std::string& zone) {
  size_t dash = zone.rfind('-');
  return dash == std::string::npos ? zone : zone.substr(0, dash);
}

StatusOr<std::string> Region(const RenderContext& ctx) {
  if (!ctx.req.region.empty()) return ctx.req.region;
  if (!ctx.req.zone.empty()) return RegionOfZone(ctx.req.zone);
  return FieldError("spec.region", "GCP needs a region");
}

Status CheckProject(const RenderContext& ctx) {
  if (ctx.settings().gcp.project.empty()) {
    return FieldError("providers.gcp.project",
                      "not set in capi-gitops.yaml or spec.providerConfig");
  }
  return Status::Ok();
}

StatusOr<nlohmann::json> ClusterSpec(const RenderContext& ctx) {
  RETURN_IF_ERROR(CheckProject(ctx));
  ASSIGN_OR_RETURN(std::string region, Region(ctx));
  const GcpSettings& gcp = ctx.settings().gcp;
  nlohmann::json spec = {{"project", gcp.project},
                         {"region", region},
                         {"network", {{"name", gcp.network}}}};
  // No failureDomains: CAPG offers all zones of the region, so the control
  // plane spreads over them; spec.zone pins only the GPU pools
  // (MachineDeployment failureDomain, zone_pins_only_gpu_pools).
  return spec;
}

// /etc/kubernetes/cloud.config for the GCE cloud-controller-manager on the
// control plane: without it the CCM assumes the "default" network and a
// single zone (CAPG test/e2e/data/infrastructure-gcp/cluster-template-ci.yaml
// writes the same file; its CCM runs with --cloud-config pointing here).
Status CloudConfig(const RenderContext& ctx, const MachineRole& role,
                   const std::string&, nlohmann::json* config) {
  if (!role.IsControlPlane()) return Status::Ok();
  const GcpSettings& gcp = ctx.settings().gcp;
  std::string content = "[Global]\n\nproject-id = \"" + gcp.project +
                        "\"\nnetwork-name = \"" + gcp.network +
                        "\"\nmultizone = true\n";
  AppendTo(config, "files",
           {{"path", "/etc/kubernetes/cloud.config"},
            {"owner", "root:root"},
            {"permissions", "0644"},
            {"content", content}});
  return Status::Ok();
}

// GPUs cannot live-migrate; CAPG only sets the policy when asked to.
void AddGpus(const RenderContext& ctx, const MachineRole& role,
             nlohmann::json* spec) {
  const Accelerator& gpu = *role.GpuRequest();
  (*spec)["onHostMaintenance"] = "Terminate";
  // a2/a3/g2 machines come with their GPUs attached.
  if (GcpMachineTypeBundlesGpus(role.machine_type)) return;
  std::string url = "projects/" + ctx.settings().gcp.project + "/zones/" +
                    ctx.req.zone + "/acceleratorTypes/" + gpu.type;
  (*spec)["guestAccelerators"] = {{{"type", url}, {"count", gpu.count}}};
}

// Scopes of a dedicated service account that names none. The control plane
// runs the GCE cloud-controller-manager, which manages routes, load
// balancers and instances: cloud-platform, limited by the account's IAM
// roles. Nodes only pull images and write logs and metrics (GKE's default
// node scopes), so a pod on a GPU node cannot use the account beyond that.
const std::vector<std::string>& DefaultScopes(bool control_plane) {
  static const std::vector<std::string> cp = {
      "https://www.googleapis.com/auth/cloud-platform"};
  static const std::vector<std::string> nodes = {
      "https://www.googleapis.com/auth/devstorage.read_only",
      "https://www.googleapis.com/auth/logging.write",
      "https://www.googleapis.com/auth/monitoring.write"};
  return control_plane ? cp : nodes;
}

// Without serviceAccounts CAPG runs the machine as the project's default
// compute account with the cloud-platform scope (cloud/scope/machine.go,
// CRD "Defaults to: email: \"default\", scope:
// []{compute.CloudPlatformScope}").
void AddServiceAccount(const RenderContext& ctx, const MachineRole& role,
                       nlohmann::json* spec) {
  const GcpSettings& gcp = ctx.settings().gcp;
  const GcpServiceAccount& sa = role.IsControlPlane()
                                    ? gcp.control_plane_service_account
                                    : gcp.node_service_account;
  if (sa.email.empty()) return;
  (*spec)["serviceAccounts"] = {
      {"email", sa.email},
      {"scopes",
       sa.scopes.empty() ? DefaultScopes(role.IsControlPlane()) : sa.scopes}};
}

StatusOr<nlohmann::json> MachineSpec(const RenderContext& ctx,
                                     const MachineRole& role) {
  RETURN_IF_ERROR(CheckProject(ctx));
  const GcpSettings& gcp = ctx.settings().gcp;
  nlohmann::json spec = {{"instanceType", role.machine_type},
                         {"rootDeviceType", gcp.disk_type}};
  if (!gcp.image.empty()) {
    spec["image"] = gcp.image;
  } else if (!gcp.image_family.empty()) {
    spec["imageFamily"] = gcp.image_family;
  }
  // CAPG's default root disk is 30 GB (GCPMachineTemplate CRD,
  // rootDeviceSize "Defaults to 30"): too small for GPU nodes.
  if (auto disk = role.DiskGibOrGpuDefault()) spec["rootDeviceSize"] = *disk;
  if (role.Spot()) spec["provisioningModel"] = "Spot";
  AddServiceAccount(ctx, role, &spec);
  const Accelerator* gpu = role.GpuRequest();
  if (gpu != nullptr && gpu->count > 0) {
    // The accelerator type URL is zonal, and the machine must land in the
    // same zone (MachineDeployment failureDomain).
    if (ctx.req.zone.empty()) {
      return FieldError("spec.zone", "GCP GPUs need a zone (" + role.field +
                                         ".accelerator is set)");
    }
    AddGpus(ctx, role, &spec);
  }
  return spec;
}

}  // namespace

const ProviderOps& GcpOps() {
  static const ProviderOps ops = {
      .name = "gcp",
      .infra_api_version = "infrastructure.cluster.x-k8s.io/v1beta1",
      .cluster_kind = "GCPCluster",
      .machine_template_kind = "GCPMachineTemplate",
      .supports_spot = true,
      .zone_is_failure_domain = true,
      .zone_pins_only_gpu_pools = true,
      .node_name = "{{ ds.meta_data.local_hostname.split(\".\")[0] }}",
      .kubelet_args = ExternalCloudProviderArgs(),
      .controller_manager_args = ExternalCloudProviderArgs(),
      .api_server_cert_sans = {},
      .cluster_spec = ClusterSpec,
      .machine_spec = MachineSpec,
      .identities = NoIdentities,
      .kubeadm_extras = CloudConfig,
  };
  return ops;
}

}  // namespace capigitops::render
