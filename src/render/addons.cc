// The add-on catalog: which add-ons a cluster gets (its Cluster labels) and
// the HelmChartProxies, ClusterResourceSets and ConfigMaps that deliver them.
//
// Selection is by labels only capi-gitops writes, one key per add-on, so a
// selector is never empty (CAAPH's empty selector matches every Cluster,
// CRS's none) and never shared between two add-ons.
#include <algorithm>

#include "capigitops/apply_order.h"
#include "capigitops/labels.h"
#include "capigitops/render.h"
#include "render/common.h"

namespace capigitops {
namespace render {
namespace {

inline constexpr char kHelmChartProxyVersion[] =
    "addons.cluster.x-k8s.io/v1alpha1";
inline constexpr char kClusterResourceSetVersion[] =
    "addons.cluster.x-k8s.io/v1beta2";

bool HasGpus(const ClusterRequest& req, const RepoConfig& config) {
  RenderContext ctx{req, config.namespace_name, req.kubernetes_version,
                    config.pod_cidr, config.service_cidr};
  for (const NodePool& pool : req.node_pools) {
    if (PoolGpus(ctx, pool)) return true;
  }
  return false;
}

// The add-on of `catalog` that provides `what` for `provider`; the loader
// allows at most one.
const Addon* ForProvider(const AddonCatalog& catalog, AddonProvides what,
                         Provider provider) {
  for (const Addon& a : catalog.addons) {
    if (a.provides == what && a.AppliesTo(provider)) return &a;
  }
  return nullptr;
}

nlohmann::json AddonObjectLabels(const Addon& addon) {
  return {{kManagedByLabel, kManagedByValue},
          {kAddonNameLabel, addon.name},
          {kAddonProvidesLabel, AddonProvidesName(addon.provides)}};
}

nlohmann::json Selector(const Addon& addon) {
  return {{"matchLabels", {{AddonLabelKey(addon.name), "true"}}}};
}

// Guards the invariant every selector relies on, whatever the caller built.
Status CheckSelector(const nlohmann::json& selector, const Addon& addon) {
  const nlohmann::json& labels = selector["matchLabels"];
  if (!labels.is_object() || labels.size() != 1 ||
      labels.begin().key().rfind(kAddonLabelPrefix, 0) != 0 ||
      selector.contains("matchExpressions")) {
    return Status::InvalidArgument(
        "add-on " + addon.name + ": selector " + selector.dump() +
        " must select exactly one " + kAddonLabelPrefix + "* label");
  }
  return Status::Ok();
}

StatusOr<nlohmann::json> HelmChartProxy(const Addon& addon,
                                        const std::string& ns) {
  const HelmDelivery& h = *addon.helm;
  if (h.version.empty()) {
    return Status::InvalidArgument("add-on " + addon.name +
                                   ": a HelmChartProxy needs a pinned version");
  }
  nlohmann::json selector = Selector(addon);
  RETURN_IF_ERROR(CheckSelector(selector, addon));
  // reconcileStrategy and (by our rule) the selector are immutable: a new
  // value is a new object, the old one pruned.
  nlohmann::json immutable = {{"selector", selector},
                              {"strategy", ReconcileStrategyName(h.strategy)}};
  nlohmann::json obj = NewObject(kHelmChartProxyVersion, "HelmChartProxy",
                                 addon.name + "-" + ShortHash(immutable.dump()),
                                 ns, AddonObjectLabels(addon));
  nlohmann::json spec = {
      {"clusterSelector", selector},
      {"repoURL", h.repo_url},
      {"chartName", h.chart},
      {"version", h.version},
      {"namespace", h.namespace_name},
      {"reconcileStrategy", ReconcileStrategyName(h.strategy)}};
  if (!h.release_name.empty()) spec["releaseName"] = h.release_name;
  if (!h.values.empty()) spec["valuesTemplate"] = h.values;
  obj["spec"] = std::move(spec);
  return obj;
}

// The ConfigMaps (named after their content: ApplyOnce applies a resource
// once per name, so changed content must be a new name to reach new
// clusters) and the ClusterResourceSet listing them.
StatusOr<std::vector<nlohmann::json>> ResourceSet(const Addon& addon,
                                                  const std::string& ns) {
  std::vector<nlohmann::json> out;
  nlohmann::json resources = nlohmann::json::array();
  for (const AddonManifest& m : addon.manifests) {
    nlohmann::json cm = NewObject(
        "v1", "ConfigMap", addon.name + "-" + ShortHash(m.key + "\n" + m.text),
        ns, AddonObjectLabels(addon));
    cm["data"] = {{m.key, m.text}};
    resources.push_back(
        {{"kind", "ConfigMap"}, {"name", cm["metadata"]["name"]}});
    out.push_back(std::move(cm));
  }
  if (resources.empty() || resources.size() > 100) {
    return Status::InvalidArgument("add-on " + addon.name +
                                   ": a ClusterResourceSet needs 1 to 100 "
                                   "manifests");
  }
  nlohmann::json selector = Selector(addon);
  RETURN_IF_ERROR(CheckSelector(selector, addon));
  nlohmann::json immutable = {{"selector", selector},
                              {"strategy", "ApplyOnce"}};
  nlohmann::json crs =
      NewObject(kClusterResourceSetVersion, "ClusterResourceSet",
                addon.name + "-" + ShortHash(immutable.dump()), ns,
                AddonObjectLabels(addon));
  crs["spec"] = {{"clusterSelector", selector},
                 {"resources", resources},
                 {"strategy", "ApplyOnce"}};
  out.push_back(std::move(crs));
  return out;
}

}  // namespace

std::optional<nlohmann::json> ClusterSecretsResourceSet(
    const RenderContext& ctx, const RepoConfig& config) {
  auto it = config.addon_cluster_secrets.find(ctx.req.provider);
  if (it == config.addon_cluster_secrets.end() || it->second.empty()) {
    return std::nullopt;
  }
  nlohmann::json resources = nlohmann::json::array();
  for (std::string name : it->second) {
    for (size_t at; (at = name.find("{cluster}")) != std::string::npos;)
      name.replace(at, 9, ctx.req.name);
    resources.push_back({{"kind", "Secret"}, {"name", name}});
  }
  nlohmann::json labels = ClusterMemberLabels(ctx.req);
  labels[kAddonNameLabel] = "cluster-secrets";
  labels[kAddonProvidesLabel] = "other";
  nlohmann::json crs =
      NewObject(kClusterResourceSetVersion, "ClusterResourceSet",
                BoundedName(ctx.req.name, "secrets"), ctx.ns, labels);
  // As CAPV's template: one set per cluster, bound to it by name (our
  // capigitops.io/cluster label, on every Cluster we render), so another
  // cluster's credentials can never be selected.
  crs["spec"] = {
      {"clusterSelector", {{"matchLabels", {{kClusterLabel, ctx.req.name}}}}},
      {"resources", resources},
      {"strategy", "ApplyOnce"}};
  return crs;
}

}  // namespace render

std::vector<const Addon*> AddonsFor(const ClusterRequest& req,
                                    const AddonCatalog& catalog,
                                    const RepoConfig& config) {
  using render::ForProvider;
  std::vector<const Addon*> out;
  auto add = [&](const Addon* a) {
    if (a == nullptr || !a->AppliesTo(req.provider)) return;
    for (const Addon* have : out) {
      if (have == a) return;
    }
    out.push_back(a);
  };
  const std::string& cni =
      req.addons.cni.empty() ? config.default_cni : req.addons.cni;
  if (!cni.empty()) {
    const Addon* a = catalog.Find(cni);
    if (a != nullptr && a->provides == AddonProvides::kCni) add(a);
  }
  add(ForProvider(catalog, AddonProvides::kCcm, req.provider));
  add(ForProvider(catalog, AddonProvides::kCsi, req.provider));
  if (render::HasGpus(req, config)) {
    add(ForProvider(catalog, AddonProvides::kGpu, req.provider));
  }
  for (const std::string& name : req.addons.extra) {
    const Addon* a = catalog.Find(name);
    if (a != nullptr && a->provides == AddonProvides::kOther) add(a);
  }
  return out;
}

StatusOr<std::vector<nlohmann::json>> ExpandCatalog(const AddonCatalog& catalog,
                                                    const std::string& ns) {
  std::vector<nlohmann::json> objects;
  for (const Addon& addon : catalog.addons) {
    if (addon.IsHelm()) {
      ASSIGN_OR_RETURN(nlohmann::json hcp, render::HelmChartProxy(addon, ns));
      objects.push_back(std::move(hcp));
      continue;
    }
    ASSIGN_OR_RETURN(std::vector<nlohmann::json> set,
                     render::ResourceSet(addon, ns));
    for (nlohmann::json& obj : set) objects.push_back(std::move(obj));
  }
  // ConfigMaps before the sets that list them (both are kReferenced: the
  // stable sort keeps this order).
  std::stable_sort(objects.begin(), objects.end(),
                   [](const nlohmann::json& a, const nlohmann::json& b) {
                     return a["kind"] == "ConfigMap" &&
                            b["kind"] != "ConfigMap";
                   });
  SortInApplyOrder(&objects);
  return objects;
}

}  // namespace capigitops
