// Expand: the order of objects and the glue between the provider table and
// the CAPI core objects.
#include <set>

#include "capigitops/apply_order.h"
#include "capigitops/render.h"
#include "render/common.h"
#include "render/provider.h"

namespace capigitops {
namespace render {

const ProviderOps& OpsFor(Provider provider) {
  switch (provider) {
    case Provider::kGcp:
      return GcpOps();
    case Provider::kAws:
      return AwsOps();
    case Provider::kAzure:
      return AzureOps();
    case Provider::kVsphere:
      return VsphereOps();
    case Provider::kOpenstack:
      return OpenstackOps();
    case Provider::kDocker:
      return DockerOps();
  }
  return DockerOps();
}

std::string InfraApiVersion(const RenderContext& ctx, const ProviderOps& ops) {
  return ops.infra_api_version_for != nullptr ? ops.infra_api_version_for(ctx)
                                              : ops.infra_api_version;
}

namespace {

std::string PoolField(size_t index) {
  return "spec.nodePools[" + std::to_string(index) + "]";
}

// What the loader also checks; repeated here because Expand is a public
// function and must never emit objects the provider cannot honour.
Status CheckRequest(const RenderContext& ctx, const ProviderOps& ops) {
  const ClusterRequest& req = ctx.req;
  if (req.name.empty()) return FieldError("metadata.name", "must be set");
  std::set<std::string> names;
  for (size_t i = 0; i < req.node_pools.size(); ++i) {
    const NodePool& pool = req.node_pools[i];
    // Its objects would take the names of the control plane's.
    if (pool.name == "control-plane") {
      return FieldError(PoolField(i) + ".name",
                        "\"control-plane\" is reserved for the control plane");
    }
    if (!names.insert(pool.name).second) {
      return FieldError(PoolField(i) + ".name",
                        "duplicate node pool name \"" + pool.name + "\"");
    }
    if (pool.spot && !ops.supports_spot) {
      return FieldError(
          PoolField(i) + ".spot",
          std::string("provider ") + ops.name + " has no spot instances");
    }
    if (!pool.replicas && !pool.autoscaling) {
      return FieldError(PoolField(i), "needs replicas or autoscaling");
    }
  }
  return Status::Ok();
}

nlohmann::json WithLabels(nlohmann::json obj, const ClusterRequest& req) {
  const nlohmann::json base = BaseLabels(req);
  for (const auto& [key, value] : base.items()) {
    obj["metadata"]["labels"][key] = value;
  }
  return obj;
}

StatusOr<nlohmann::json> MachineTemplate(const RenderContext& ctx,
                                         const ProviderOps& ops,
                                         const MachineRole& role,
                                         const std::string& part) {
  ASSIGN_OR_RETURN(nlohmann::json machine, ops.machine_spec(ctx, role));
  nlohmann::json spec = nlohmann::json::object();
  spec["template"]["spec"] = std::move(machine);
  nlohmann::json obj =
      NewObject(InfraApiVersion(ctx, ops), ops.machine_template_kind,
                TemplateName(ctx.req.name, part, spec), ctx.ns,
                ClusterMemberLabels(ctx.req));
  obj["spec"] = std::move(spec);
  return obj;
}

struct PoolObjects {
  nlohmann::json infra_template;
  nlohmann::json bootstrap_template;
  nlohmann::json deployment;
};

// The machine template, KubeadmConfigTemplate and MachineDeployment of
// node pool `index`.
StatusOr<PoolObjects> BuildPool(const RenderContext& ctx,
                                const ProviderOps& ops, size_t index) {
  const ClusterRequest& req = ctx.req;
  const NodePool& pool = req.node_pools[index];
  MachineRole role{&pool, PoolField(index), pool.machine_type,
                   PoolGpus(ctx, pool).has_value()};
  PoolObjects out;
  ASSIGN_OR_RETURN(out.infra_template,
                   MachineTemplate(ctx, ops, role, pool.name));
  std::string infra_name = out.infra_template["metadata"]["name"];
  nlohmann::json bootstrap_spec = KubeadmConfigTemplateSpec(ctx, ops, pool);
  if (ops.kubeadm_extras != nullptr) {
    RETURN_IF_ERROR(ops.kubeadm_extras(ctx, role, infra_name,
                                       &bootstrap_spec["template"]["spec"]));
  }
  // Named after its content, extras included: they differ per template.
  out.bootstrap_template =
      NewObject(kBootstrapApiVersion, "KubeadmConfigTemplate",
                TemplateName(req.name, pool.name, bootstrap_spec), ctx.ns,
                ClusterMemberLabels(req));
  out.bootstrap_template["spec"] = std::move(bootstrap_spec);
  out.deployment = MachineDeploymentObject(
      ctx, ops, pool, infra_name, out.bootstrap_template["metadata"]["name"]);
  return out;
}

}  // namespace
}  // namespace render

StatusOr<std::vector<nlohmann::json>> Expand(const ClusterRequest& req,
                                             const RepoConfig& config,
                                             const RenderOptions& opts) {
  using namespace render;  // NOLINT: the builders of this module
  const ProviderOps& ops = OpsFor(req.provider);
  std::string version = req.kubernetes_version.empty()
                            ? config.default_kubernetes_version
                            : req.kubernetes_version;
  if (version.empty()) {
    return FieldError("spec.kubernetesVersion",
                      "not set, and capi-gitops.yaml has no default");
  }
  RenderContext ctx{req, opts.ns.empty() ? config.namespace_name : opts.ns,
                    version, config.pod_cidr, config.service_cidr};
  RETURN_IF_ERROR(CheckRequest(ctx, ops));

  std::vector<nlohmann::json> objects;
  ASSIGN_OR_RETURN(std::vector<nlohmann::json> identities, ops.identities(ctx));
  for (nlohmann::json& identity : identities) {
    objects.push_back(WithLabels(std::move(identity), req));
  }

  MachineRole cp_role{nullptr, "spec.controlPlane",
                      req.control_plane.machine_type};
  ASSIGN_OR_RETURN(nlohmann::json cp_template,
                   MachineTemplate(ctx, ops, cp_role, "control-plane"));
  std::string cp_template_name = cp_template["metadata"]["name"];
  objects.push_back(std::move(cp_template));

  std::vector<nlohmann::json> deployments;
  for (size_t i = 0; i < req.node_pools.size(); ++i) {
    ASSIGN_OR_RETURN(PoolObjects pool, BuildPool(ctx, ops, i));
    objects.push_back(std::move(pool.infra_template));
    objects.push_back(std::move(pool.bootstrap_template));
    deployments.push_back(std::move(pool.deployment));
  }

  ASSIGN_OR_RETURN(nlohmann::json cluster_spec, ops.cluster_spec(ctx));
  nlohmann::json infra_cluster =
      NewObject(InfraApiVersion(ctx, ops), ops.cluster_kind, req.name, ctx.ns,
                ClusterMemberLabels(req));
  infra_cluster["spec"] = std::move(cluster_spec);
  objects.push_back(std::move(infra_cluster));
  nlohmann::json kcp = KubeadmControlPlaneObject(ctx, ops, cp_template_name);
  if (ops.kubeadm_extras != nullptr) {
    RETURN_IF_ERROR(ops.kubeadm_extras(ctx, cp_role, cp_template_name,
                                       &kcp["spec"]["kubeadmConfigSpec"]));
  }
  objects.push_back(std::move(kcp));
  for (nlohmann::json& md : deployments) objects.push_back(std::move(md));
  if (auto secrets = ClusterSecretsResourceSet(ctx, config)) {
    objects.push_back(std::move(*secrets));
  }
  for (nlohmann::json& mhc : MachineHealthCheckObjects(ctx)) {
    objects.push_back(std::move(mhc));
  }
  for (nlohmann::json& obj : ClusterAutoscalerObjects(ctx, ops)) {
    objects.push_back(std::move(obj));
  }
  nlohmann::json cluster = ClusterObject(ctx, ops, opts);
  if (opts.catalog != nullptr) {
    for (const Addon* addon : AddonsFor(req, *opts.catalog, config)) {
      cluster["metadata"]["labels"][AddonLabelKey(addon->name)] = "true";
    }
  }
  objects.push_back(std::move(cluster));
  // The table decides; the order built above already follows it.
  SortInApplyOrder(&objects);
  return objects;
}

}  // namespace capigitops
