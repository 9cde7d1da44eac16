#include "spec/provider_settings.h"

#include <array>

namespace capigitops {
namespace {

constexpr std::array<const char*, 6> kProviderNames = {
    "gcp", "aws", "azure", "vsphere", "openstack", "docker"};

// machineTypes: {<type>: {cpus, memoryMiB, gpus, gpuType}}: types the
// built-in table does not know (OpenStack flavors always).
void DecodeMachineTypes(FieldReader& r, DecodeContext* ctx,
                        DeclaredMachineTypes* out) {
  const yaml::Node* types = r.Child("machineTypes");
  if (types == nullptr) return;
  FieldReader all(types, r.Field("machineTypes"), ctx);
  if (!all.ok()) {
    all.Finish();
    return;
  }
  for (const auto& [k, v] : types->map) {
    all.Known(k.scalar);
    const std::string path = all.Field(k.scalar);
    FieldReader one(&v, path, ctx);
    DeclaredMachineType type;
    one.Int("cpus", &type.cpus, 1, 4096);
    int memory = 0;
    if (one.Int("memoryMiB", &memory, 256, 64 * 1024 * 1024)) {
      type.memory_mib = memory;
    }
    one.Int("gpus", &type.gpus, 0, 64);
    bool has_gpu_type = one.String("gpuType", &type.gpu_type);
    if (type.gpus > 0 && !has_gpu_type) {
      ctx->Error(v.mark, path + ".gpuType",
                 "required when gpus is set: the GPU name, e.g. "
                 "nvidia-tesla-t4");
    } else if (has_gpu_type && type.gpus == 0) {
      ctx->Error(v.Find("gpuType")->mark, path + ".gpus",
                 "gpuType is set but gpus is not: how many GPUs does one "
                 "machine of this type have?");
    }
    one.Finish();
    (*out)[k.scalar] = type;
  }
  all.Finish();
}

void DecodeServiceAccount(FieldReader& r, const std::string& key,
                          DecodeContext* ctx, GcpServiceAccount* out) {
  FieldReader sa(r.Child(key), r.Field(key), ctx);
  sa.String("email", &out->email);
  sa.StringList("scopes", &out->scopes);
  sa.Finish();
}

void DecodeGcp(FieldReader& r, DecodeContext* ctx, GcpSettings* s) {
  r.String("project", &s->project);
  r.String("network", &s->network);
  r.String("image", &s->image);
  r.String("imageFamily", &s->image_family);
  r.String("diskType", &s->disk_type);
  FieldReader accounts(r.Child("serviceAccounts"), r.Field("serviceAccounts"),
                       ctx);
  DecodeServiceAccount(accounts, "controlPlane", ctx,
                       &s->control_plane_service_account);
  DecodeServiceAccount(accounts, "nodes", ctx, &s->node_service_account);
  accounts.Finish();
  DecodeMachineTypes(r, ctx, &s->machine_types);
}

void DecodeAws(FieldReader& r, DecodeContext* ctx, AwsSettings* s) {
  r.String("region", &s->region);
  FieldReader id(r.Child("identity"), r.Field("identity"), ctx);
  id.String("kind", &s->identity_kind);
  id.String("name", &s->identity_name);
  id.String("roleARN", &s->role_arn);
  id.String("secretRef", &s->secret_ref);
  id.Finish();
  r.String("sshKeyName", &s->ssh_key_name);
  r.String("ami", &s->ami);
  r.String("controlPlaneInstanceProfile", &s->control_plane_instance_profile);
  r.String("nodeInstanceProfile", &s->node_instance_profile);
  DecodeMachineTypes(r, ctx, &s->machine_types);
}

void DecodeAzure(FieldReader& r, DecodeContext* ctx, AzureSettings* s) {
  r.String("subscriptionID", &s->subscription_id);
  r.String("location", &s->location);
  r.String("resourceGroup", &s->resource_group);
  FieldReader id(r.Child("identity"), r.Field("identity"), ctx);
  id.String("name", &s->identity_name);
  id.String("type", &s->identity_type);
  id.String("clientID", &s->client_id);
  id.String("tenantID", &s->tenant_id);
  id.String("clientSecretName", &s->client_secret_name);
  id.Finish();
  r.String("sshPublicKey", &s->ssh_public_key);
  r.String("controlPlaneIdentityID", &s->control_plane_identity_id);
  DecodeMachineTypes(r, ctx, &s->machine_types);
}

void DecodeVsphere(FieldReader& r, DecodeContext* ctx, VsphereSettings* s) {
  r.String("server", &s->server);
  r.String("thumbprint", &s->thumbprint);
  r.String("datacenter", &s->datacenter);
  r.String("datastore", &s->datastore);
  r.String("folder", &s->folder);
  r.String("resourcePool", &s->resource_pool);
  r.String("template", &s->template_name);
  r.String("network", &s->network);
  r.String("identityName", &s->identity_name);
  r.String("credentialsSecret", &s->credentials_secret);
  r.String("controlPlaneEndpoint", &s->control_plane_endpoint);
  if (const yaml::Node* sizes = r.Child("sizes")) {
    FieldReader all(sizes, r.Field("sizes"), ctx);
    for (const auto& [k, v] :
         sizes->IsMap() ? sizes->map : decltype(sizes->map){}) {
      all.Known(k.scalar);
      FieldReader one(&v, all.Field(k.scalar), ctx);
      VsphereSize size;
      one.Int("cpus", &size.cpus, 2, 768, true);
      one.Int("memoryMiB", &size.memory_mib, 1024, 24 * 1024 * 1024, true);
      one.Int("diskGiB", &size.disk_gib, 8, 65536);
      one.Finish();
      s->sizes[k.scalar] = size;
    }
  }
  if (const yaml::Node* accels = r.Child("accelerators")) {
    FieldReader all(accels, r.Field("accelerators"), ctx);
    for (const auto& [k, v] :
         accels->IsMap() ? accels->map : decltype(accels->map){}) {
      all.Known(k.scalar);
      FieldReader one(&v, all.Field(k.scalar), ctx);
      VspherePciDevice dev;
      one.Int("vendorID", &dev.vendor_id, 0, 65535);
      one.Int("deviceID", &dev.device_id, 0, 65535);
      one.String("vgpuProfile", &dev.vgpu_profile);
      one.Finish();
      s->accelerators[k.scalar] = dev;
    }
  }
}

void DecodeOpenstack(FieldReader& r, DecodeContext* ctx, OpenstackSettings* s) {
  r.String("apiVersion", &s->api_version);
  r.String("cloud", &s->cloud);
  r.String("cloudsSecret", &s->clouds_secret);
  r.String("image", &s->image);
  r.String("externalNetworkID", &s->external_network_id);
  r.String("sshKeyName", &s->ssh_key_name);
  r.StringList("dnsNameservers", &s->dns_nameservers);
  DecodeMachineTypes(r, ctx, &s->machine_types);
}

void Missing(DecodeContext* ctx, const yaml::Mark& at, const char* provider,
             const char* field, const std::string& what) {
  ctx->Error(at, "spec.provider",
             std::string(provider) + " needs " + what + ": set providers." +
                 provider + "." + field + " in capi-gitops.yaml or " +
                 "spec.providerConfig." + field);
}

}  // namespace

const char* ProviderName(Provider p) {
  return kProviderNames[static_cast<size_t>(p)];
}

std::optional<Provider> ParseProvider(std::string_view name) {
  for (size_t i = 0; i < kProviderNames.size(); ++i) {
    if (name == kProviderNames[i]) return static_cast<Provider>(i);
  }
  return std::nullopt;
}

std::vector<std::string> ProviderNames() {
  return {kProviderNames.begin(), kProviderNames.end()};
}

void DecodeProviderSettings(Provider p, const yaml::Node* node,
                            const std::string& path, DecodeContext* ctx,
                            ProviderSettings* out) {
  FieldReader r(node, path, ctx);
  switch (p) {
    case Provider::kGcp:
      DecodeGcp(r, ctx, &out->gcp);
      break;
    case Provider::kAws:
      DecodeAws(r, ctx, &out->aws);
      break;
    case Provider::kAzure:
      DecodeAzure(r, ctx, &out->azure);
      break;
    case Provider::kVsphere:
      DecodeVsphere(r, ctx, &out->vsphere);
      break;
    case Provider::kOpenstack:
      DecodeOpenstack(r, ctx, &out->openstack);
      break;
    case Provider::kDocker:
      r.String("customImage", &out->docker.custom_image);
      break;
  }
  r.Finish();
}

void CheckProviderSettings(Provider p, const ProviderSettings& s,
                           const yaml::Mark& at, DecodeContext* ctx) {
  switch (p) {
    case Provider::kGcp:
      if (s.gcp.project.empty())
        Missing(ctx, at, "gcp", "project", "a GCP project");
      break;
    case Provider::kAzure:
      if (s.azure.subscription_id.empty()) {
        Missing(ctx, at, "azure", "subscriptionID", "a subscription ID");
      }
      if (s.azure.client_id.empty() || s.azure.tenant_id.empty()) {
        Missing(ctx, at, "azure", "identity",
                "an identity with clientID and tenantID");
      }
      break;
    case Provider::kVsphere:
      if (s.vsphere.server.empty())
        Missing(ctx, at, "vsphere", "server", "a vCenter server");
      if (s.vsphere.template_name.empty()) {
        Missing(ctx, at, "vsphere", "template", "a VM template");
      }
      if (s.vsphere.network.empty())
        Missing(ctx, at, "vsphere", "network", "a network");
      if (s.vsphere.identity_name.empty() &&
          !s.vsphere.credentials_secret.empty()) {
        // CAPV controllers/vspherecluster_reconciler.go: a Secret identity
        // is owned by one VSphereCluster and deleted with it.
        ctx->diags->push_back(
            {ctx->file, at.line, at.column, "spec.provider",
             "providers.vsphere.credentialsSecret \"" +
                 s.vsphere.credentials_secret +
                 "\": CAPV takes ownership of that Secret, refuses it to a "
                 "second cluster and deletes it with the first one; create a "
                 "VSphereClusterIdentity once and set "
                 "providers.vsphere.identityName (docs/deploy.md)",
             Severity::kWarning});
      }
      if (s.vsphere.control_plane_endpoint.empty()) {
        Missing(ctx, at, "vsphere", "controlPlaneEndpoint",
                "the API server's virtual IP (kube-vip holds it)");
      }
      break;
    case Provider::kOpenstack:
      if (s.openstack.cloud.empty())
        Missing(ctx, at, "openstack", "cloud", "a cloud name");
      if (s.openstack.image.empty())
        Missing(ctx, at, "openstack", "image", "an image");
      if (s.openstack.api_version != "v1beta1" &&
          s.openstack.api_version != "v1beta2") {
        ctx->Error(at, "spec.provider",
                   "providers.openstack.apiVersion is \"" +
                       s.openstack.api_version +
                       "\": use v1beta1 (CAPO v0.14.x) or v1beta2 (CAPO >= "
                       "v0.15)");
      }
      break;
    case Provider::kAws:
    case Provider::kDocker:
      break;
  }
}

}  // namespace capigitops
