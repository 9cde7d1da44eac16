// Kind registry: built-in kinds and lookups by group/version/plural.
#include "kinds.h"

#include <algorithm>

namespace capigitops::sandbox {
namespace {

ResourceType Core(const std::string& group, const std::string& version,
                  const std::string& kind, const std::string& plural,
                  bool namespaced, std::vector<std::string> short_names,
                  bool status = false) {
  ResourceType t;
  t.group = group;
  t.kind = kind;
  t.list_kind = kind + "List";
  t.plural = plural;
  t.singular = kind;
  std::transform(t.singular.begin(), t.singular.end(), t.singular.begin(),
                 ::tolower);
  t.namespaced = namespaced;
  t.short_names = std::move(short_names);
  KindVersion v;
  v.name = version;
  v.storage = true;
  v.status_subresource = status;
  t.versions.push_back(v);
  return t;
}

ResourceType Capi(const std::string& group, const std::string& version,
                  const std::string& kind, const std::string& plural,
                  bool namespaced = true) {
  ResourceType t = Core(group, version, kind, plural, namespaced, {}, true);
  t.is_crd = true;
  t.categories = {"cluster-api"};
  t.crd = SynthesizeCrd(t);
  return t;
}

}  // namespace

const KindVersion* ResourceType::FindVersion(const std::string& version) const {
  for (const KindVersion& v : versions) {
    if (v.name == version && v.served) return &v;
  }
  return nullptr;
}

const KindVersion* ResourceType::StorageVersion() const {
  for (const KindVersion& v : versions) {
    if (v.storage) return &v;
  }
  return versions.empty() ? nullptr : &versions.front();
}

std::string ResourceType::GroupVersion(const std::string& version) const {
  return group.empty() ? version : group + "/" + version;
}

KindRegistry::KindRegistry() {
  Add(Core("", "v1", "Namespace", "namespaces", false, {"ns"}, true));
  Add(Core("", "v1", "ConfigMap", "configmaps", true, {"cm"}));
  Add(Core("", "v1", "Secret", "secrets", true, {}));
  Add(Core("", "v1", "Event", "events", true, {"ev"}));
  Add(Core("coordination.k8s.io", "v1", "Lease", "leases", true, {}));
  // A cluster's autoscaler on the management cluster (render's
  // cluster_autoscaler.cc): stored and served, never run.
  Add(Core("", "v1", "ServiceAccount", "serviceaccounts", true, {"sa"}));
  Add(Core("apps", "v1", "Deployment", "deployments", true, {"deploy"}, true));
  Add(Core("rbac.authorization.k8s.io", "v1", "Role", "roles", true, {}));
  Add(Core("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings",
           true, {}));
  ResourceType crd =
      Core("apiextensions.k8s.io", "v1", "CustomResourceDefinition",
           "customresourcedefinitions", false, {"crd", "crds"}, true);
  crd.read_only = true;
  Add(crd);
}

void KindRegistry::Add(ResourceType type) {
  for (ResourceType& t : types_) {
    if (t.group == type.group && t.plural == type.plural) {
      t = std::move(type);  // a later CRD file replaces an earlier one
      return;
    }
  }
  types_.push_back(std::move(type));
}

const ResourceType* KindRegistry::Find(const std::string& group,
                                       const std::string& version,
                                       const std::string& plural) const {
  for (const ResourceType& t : types_) {
    if (t.group == group && t.plural == plural && t.FindVersion(version)) {
      return &t;
    }
  }
  return nullptr;
}

const ResourceType* KindRegistry::FindByKind(const std::string& group,
                                             const std::string& kind) const {
  for (const ResourceType& t : types_) {
    if (t.group == group && t.kind == kind) return &t;
  }
  return nullptr;
}

std::vector<std::pair<std::string, std::vector<std::string>>>
KindRegistry::Groups() const {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const ResourceType& t : types_) {
    if (t.group.empty()) continue;
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return g.first == t.group; });
    if (it == groups.end()) {
      groups.push_back({t.group, {}});
      it = groups.end() - 1;
    }
    for (const KindVersion& v : t.versions) {
      if (!v.served) continue;
      auto& vs = it->second;
      if (std::find(vs.begin(), vs.end(), v.name) != vs.end()) continue;
      if (v.storage) {
        vs.insert(vs.begin(), v.name);
      } else {
        vs.push_back(v.name);
      }
    }
  }
  return groups;
}

std::vector<nlohmann::json> KindRegistry::CrdObjects() const {
  std::vector<nlohmann::json> out;
  for (const ResourceType& t : types_) {
    if (t.is_crd) out.push_back(t.crd);
  }
  return out;
}

void AddBuiltinCapiKinds(KindRegistry* r) {
  const std::string capi = "cluster.x-k8s.io";
  const std::string infra = "infrastructure.cluster.x-k8s.io";
  r->Add(Capi(capi, "v1beta2", "Cluster", "clusters"));
  r->Add(Capi(capi, "v1beta2", "MachineDeployment", "machinedeployments"));
  r->Add(Capi(capi, "v1beta2", "MachineHealthCheck", "machinehealthchecks"));
  r->Add(Capi("bootstrap." + capi, "v1beta2", "KubeadmConfigTemplate",
              "kubeadmconfigtemplates"));
  r->Add(Capi("controlplane." + capi, "v1beta2", "KubeadmControlPlane",
              "kubeadmcontrolplanes"));
  // The add-on catalog's kinds (CAAPH and CRS).
  r->Add(
      Capi("addons." + capi, "v1alpha1", "HelmChartProxy", "helmchartproxies"));
  r->Add(Capi("addons." + capi, "v1beta2", "ClusterResourceSet",
              "clusterresourcesets"));
  const std::vector<std::pair<std::string, std::string>> infra_kinds = {
      {"GCPCluster", "v1beta1"},
      {"GCPMachineTemplate", "v1beta1"},
      {"AWSCluster", "v1beta2"},
      {"AWSMachineTemplate", "v1beta2"},
      {"AzureCluster", "v1beta1"},
      {"AzureMachineTemplate", "v1beta1"},
      {"AzureClusterIdentity", "v1beta1"},
      {"VSphereCluster", "v1beta2"},
      {"VSphereMachineTemplate", "v1beta2"},
      {"OpenStackCluster", "v1beta2"},
      {"OpenStackMachineTemplate", "v1beta2"},
      {"DevCluster", "v1beta2"},
      {"DevMachineTemplate", "v1beta2"},
      {"DockerCluster", "v1beta2"},
      {"DockerMachineTemplate", "v1beta2"},
  };
  for (const auto& [kind, version] : infra_kinds) {
    std::string plural = kind + "s";
    std::transform(plural.begin(), plural.end(), plural.begin(), ::tolower);
    r->Add(Capi(infra, version, kind, plural));
  }
  // AWS identities are cluster-scoped.
  for (const std::string kind :
       {"AWSClusterControllerIdentity", "AWSClusterRoleIdentity",
        "AWSClusterStaticIdentity"}) {
    std::string plural = kind;
    std::transform(plural.begin(), plural.end(), plural.begin(), ::tolower);
    plural = plural.substr(0, plural.size() - 1) + "ies";
    r->Add(Capi(infra, "v1beta2", kind, plural, /*namespaced=*/false));
  }
}

}  // namespace capigitops::sandbox
