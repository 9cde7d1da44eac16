// AWS (CAPA): AWSCluster, AWSMachineTemplate and the cluster identity,
// infrastructure v1beta2 (CAPA's v1beta1 is no longer served).
#include "render/common.h"
#include "render/provider.h"

namespace capigitops::render {
namespace {

// Identities we create belong to one cluster each, so applying or pruning
// one cluster never touches another's; CAPA's controller identity is a
// shared singleton that we only reference.
std::string IdentityName(const RenderContext& ctx) {
  const AwsSettings& aws = ctx.settings().aws;
  if (aws.identity_kind == "AWSClusterControllerIdentity")
    return aws.identity_name;
  return BoundedName(ctx.req.name, aws.identity_name);
}

constexpr char kApiVersion[] = "infrastructure.cluster.x-k8s.io/v1beta2";
constexpr char kControllerIdentity[] = "AWSClusterControllerIdentity";
constexpr char kRoleIdentity[] = "AWSClusterRoleIdentity";
constexpr char kStaticIdentity[] = "AWSClusterStaticIdentity";
constexpr int kMinRootVolumeGib = 8;  // rootVolume.size minimum in the CRD

StatusOr<nlohmann::json> ClusterSpec(const RenderContext& ctx) {
  const AwsSettings& aws = ctx.settings().aws;
  std::string region = ctx.req.region.empty() ? aws.region : ctx.req.region;
  if (region.empty()) {
    return FieldError("spec.region",
                      "AWS needs a region (or providers.aws.region)");
  }
  nlohmann::json spec = {
      {"region", region},
      {"identityRef",
       {{"kind", aws.identity_kind}, {"name", IdentityName(ctx)}}}};
  if (!aws.ssh_key_name.empty()) spec["sshKeyName"] = aws.ssh_key_name;
  return spec;
}

StatusOr<nlohmann::json> MachineSpec(const RenderContext& ctx,
                                     const MachineRole& role) {
  const AwsSettings& aws = ctx.settings().aws;
  nlohmann::json spec = {
      {"instanceType", role.machine_type},
      {"iamInstanceProfile", role.IsControlPlane()
                                 ? aws.control_plane_instance_profile
                                 : aws.node_instance_profile}};
  if (!aws.ssh_key_name.empty()) spec["sshKeyName"] = aws.ssh_key_name;
  if (!aws.ami.empty()) spec["ami"] = {{"id", aws.ami}};
  // Without rootVolume the AMI's size applies; GPU nodes get
  // kGpuRootDiskGib as CAPA's GPU flavor does.
  if (auto disk = role.DiskGibOrGpuDefault()) {
    if (*disk < kMinRootVolumeGib) {
      return FieldError(role.field + ".diskGiB",
                        "AWS root volumes are at least 8 GiB");
    }
    spec["rootVolume"] = {{"size", *disk}};
  }
  // An empty maxPrice caps the price at the on-demand price (CAPA).
  if (role.Spot()) spec["spotMarketOptions"] = {{"maxPrice", ""}};
  // GPUs come with the instance type (g4dn, g5, p3, ...): nothing to add.
  return spec;
}

// The role and static identities are cluster-scoped objects the repo
// configures; the controller identity is CAPA's singleton and is only
// referenced.
StatusOr<std::vector<nlohmann::json>> Identities(const RenderContext& ctx) {
  const AwsSettings& aws = ctx.settings().aws;
  nlohmann::json allowed = {{"list", {ctx.ns}}};
  nlohmann::json obj = {{"apiVersion", kApiVersion},
                        {"kind", aws.identity_kind},
                        {"metadata", {{"name", IdentityName(ctx)}}}};
  if (aws.identity_kind == kControllerIdentity) {
    return std::vector<nlohmann::json>{};
  }
  if (aws.identity_kind == kRoleIdentity) {
    if (aws.role_arn.empty()) {
      return FieldError("providers.aws.roleARN",
                        "an AWSClusterRoleIdentity needs a role ARN");
    }
    obj["spec"] = {{"roleARN", aws.role_arn},
                   {"allowedNamespaces", allowed},
                   {"sourceIdentityRef",
                    {{"kind", kControllerIdentity}, {"name", "default"}}}};
  } else if (aws.identity_kind == kStaticIdentity) {
    if (aws.secret_ref.empty()) {
      return FieldError("providers.aws.secretRef",
                        "an AWSClusterStaticIdentity needs a Secret");
    }
    obj["spec"] = {{"secretRef", aws.secret_ref},
                   {"allowedNamespaces", allowed}};
  } else {
    return FieldError("providers.aws.identityKind",
                      "unknown identity kind \"" + aws.identity_kind + "\"");
  }
  return std::vector<nlohmann::json>{obj};
}

}  // namespace

const ProviderOps& AwsOps() {
  static const ProviderOps ops = {
      .name = "aws",
      .infra_api_version = kApiVersion,
      .cluster_kind = "AWSCluster",
      .machine_template_kind = "AWSMachineTemplate",
      .supports_spot = true,
      .zone_is_failure_domain = true,
      .zone_pins_only_gpu_pools = false,
      .node_name = "{{ ds.meta_data.local_hostname }}",
      .kubelet_args = ExternalCloudProviderArgs(),
      .controller_manager_args = ExternalCloudProviderArgs(),
      .api_server_cert_sans = {},
      .cluster_spec = ClusterSpec,
      .machine_spec = MachineSpec,
      .identities = Identities,
      .kubeadm_extras = nullptr,
  };
  return ops;
}

}  // namespace capigitops::render
