// Azure (CAPZ): AzureCluster, AzureMachineTemplate and AzureClusterIdentity,
// infrastructure v1beta1.
#include "render/common.h"
#include "render/provider.h"

namespace capigitops::render {
namespace {

constexpr char kApiVersion[] = "infrastructure.cluster.x-k8s.io/v1beta1";
// CAPZ templates' size; above kGpuRootDiskGib, so GPU pools keep it too.
constexpr int kDefaultOsDiskGib = 128;

StatusOr<nlohmann::json> ClusterSpec(const RenderContext& ctx) {
  const AzureSettings& azure = ctx.settings().azure;
  std::string location =
      ctx.req.region.empty() ? azure.location : ctx.req.region;
  if (location.empty()) {
    return FieldError("spec.region",
                      "Azure needs a location (or providers.azure.location)");
  }
  nlohmann::json spec = {
      {"location", location},
      {"resourceGroup",
       azure.resource_group.empty() ? ctx.req.name : azure.resource_group},
      // CAPZ v1beta1 keeps a full ObjectReference here; its webhook
      // requires it although the schema does not.
      {"identityRef",
       {{"apiVersion", kApiVersion},
        {"kind", "AzureClusterIdentity"},
        {"name", BoundedName(ctx.req.name, azure.identity_name)},
        {"namespace", ctx.ns}}}};
  if (!azure.subscription_id.empty()) {
    spec["subscriptionID"] = azure.subscription_id;
  }
  return spec;
}

StatusOr<nlohmann::json> MachineSpec(const RenderContext& ctx,
                                     const MachineRole& role) {
  const AzureSettings& azure = ctx.settings().azure;
  nlohmann::json spec = {
      {"vmSize", role.machine_type},
      {"osDisk",
       {{"osType", "Linux"},
        {"diskSizeGB", role.DiskGib().value_or(kDefaultOsDiskGib)},
        {"managedDisk", {{"storageAccountType", "Premium_LRS"}}}}}};
  if (!azure.ssh_public_key.empty()) {
    spec["sshPublicKey"] = azure.ssh_public_key;
  }
  // At .spec.template.spec, not .spec.template as CAPZ's docs show; no
  // maxPrice caps the price at the on-demand price. Delete, not the default
  // Deallocate: a deallocated GPU VM keeps billing for its disks and counts
  // against the spot quota until the health check replaces it (CAPZ's own
  // spot CI patch, ci-patch-spot-vm-options.yaml, uses Delete too).
  if (role.Spot()) spec["spotVMOptions"] = {{"evictionPolicy", "Delete"}};
  // The cloud-controller-manager on the control plane reads azure.json;
  // with a workload-identity cluster identity that file has no client
  // secret, so it authenticates as this user-assigned identity (CAPZ
  // cluster-template.yaml: identity UserAssigned on the control plane).
  if (role.IsControlPlane() && !azure.control_plane_identity_id.empty()) {
    spec["identity"] = "UserAssigned";
    spec["userAssignedIdentities"] = {
        {{"providerID", azure.control_plane_identity_id}}};
  }
  // GPUs come with the VM size (NC*, ND*): nothing to add.
  return spec;
}

// /etc/kubernetes/azure.json for the cloud provider, from the Secret CAPZ
// generates for every AzureMachineTemplate ("<template name>-azure-json",
// controllers/azurejson_machinetemplate_controller.go), as CAPZ's
// cluster-template.yaml does for the control plane and its workers.
Status KubeadmExtras(const RenderContext&, const MachineRole& role,
                     const std::string& infra_template,
                     nlohmann::json* config) {
  const char* key = role.IsControlPlane() ? "control-plane-azure.json"
                                          : "worker-node-azure.json";
  AppendTo(config, "files",
           {{"path", "/etc/kubernetes/azure.json"},
            {"owner", "root:root"},
            {"permissions", "0644"},
            {"contentFrom",
             {{"secret",
               {{"name", infra_template + "-azure-json"}, {"key", key}}}}}});
  return Status::Ok();
}

StatusOr<std::vector<nlohmann::json>> Identities(const RenderContext& ctx) {
  const AzureSettings& azure = ctx.settings().azure;
  if (azure.client_id.empty()) {
    return FieldError("providers.azure.clientID",
                      "AzureClusterIdentity needs a client ID");
  }
  if (azure.tenant_id.empty()) {
    return FieldError("providers.azure.tenantID",
                      "AzureClusterIdentity needs a tenant ID");
  }
  // CAPZ refuses an identity whose allowedNamespaces is nil ("no namespace
  // will be allowed", azure/scope/identity.go); allow only ours.
  nlohmann::json spec = {{"type", azure.identity_type},
                         {"clientID", azure.client_id},
                         {"tenantID", azure.tenant_id},
                         {"allowedNamespaces", {{"list", {ctx.ns}}}}};
  if (!azure.client_secret_name.empty()) {
    spec["clientSecret"] = {{"name", azure.client_secret_name},
                            {"namespace", ctx.ns}};
  }
  nlohmann::json obj = {
      {"apiVersion", kApiVersion},
      {"kind", "AzureClusterIdentity"},
      // One identity per cluster, so pruning one never affects another.
      {"metadata",
       {{"name", BoundedName(ctx.req.name, azure.identity_name)},
        {"namespace", ctx.ns}}},
      {"spec", spec}};
  return std::vector<nlohmann::json>{obj};
}

}  // namespace

const ProviderOps& AzureOps() {
  static const ProviderOps ops = {
      .name = "azure",
      .infra_api_version = kApiVersion,
      .cluster_kind = "AzureCluster",
      .machine_template_kind = "AzureMachineTemplate",
      .supports_spot = true,
      .zone_is_failure_domain = true,
      .zone_pins_only_gpu_pools = false,
      .node_name = "{{ ds.meta_data[\"local_hostname\"] }}",
      .kubelet_args = ExternalCloudProviderArgs(),
      .controller_manager_args = ExternalCloudProviderArgs(),
      .api_server_cert_sans = {},
      .cluster_spec = ClusterSpec,
      .machine_spec = MachineSpec,
      .identities = Identities,
      .kubeadm_extras = KubeadmExtras,
  };
  return ops;
}

}  // namespace capigitops::render
