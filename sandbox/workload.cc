// The registry of workload clusters and the kinds they serve.
#include "workload.h"

#include <algorithm>

#include "util.h"

namespace capigitops::sandbox {
namespace {

ResourceType WorkloadKind(const std::string& group, const std::string& kind,
                          const std::string& plural, bool namespaced,
                          std::vector<std::string> short_names,
                          bool status = true) {
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
  v.name = "v1";
  v.storage = true;
  v.status_subresource = status;
  t.versions.push_back(v);
  return t;
}

}  // namespace

bool SplitWorkloadPath(const std::string& path, std::string* ns,
                       std::string* name, std::string* rest) {
  const std::string prefix = kWorkloadPathPrefix;
  if (path.compare(0, prefix.size(), prefix) != 0) return false;
  size_t ns_end = path.find('/', prefix.size());
  if (ns_end == std::string::npos || ns_end == prefix.size()) return false;
  size_t name_end = path.find('/', ns_end + 1);
  if (name_end == ns_end + 1) return false;
  *ns = path.substr(prefix.size(), ns_end - prefix.size());
  if (name_end == std::string::npos) {
    *name = path.substr(ns_end + 1);
    *rest = "/";
  } else {
    *name = path.substr(ns_end + 1, name_end - ns_end - 1);
    *rest = path.substr(name_end);
  }
  return !name->empty();
}

void AddWorkloadKinds(KindRegistry* r) {
  r->Add(WorkloadKind("", "Node", "nodes", false, {"no"}));
  r->Add(WorkloadKind("", "Pod", "pods", true, {"po"}));
  r->Add(WorkloadKind("", "Service", "services", true, {"svc"}));
  r->Add(WorkloadKind("", "ServiceAccount", "serviceaccounts", true, {"sa"},
                      false));
  r->Add(
      WorkloadKind("", "PersistentVolume", "persistentvolumes", false, {"pv"}));
  r->Add(WorkloadKind("", "PersistentVolumeClaim", "persistentvolumeclaims",
                      true, {"pvc"}));
  for (const auto& [kind, plural, shorts] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"Deployment", "deployments", "deploy"},
           {"DaemonSet", "daemonsets", "ds"},
           {"StatefulSet", "statefulsets", "sts"},
           {"ReplicaSet", "replicasets", "rs"}}) {
    r->Add(WorkloadKind("apps", kind, plural, true, {shorts}));
  }
  r->Add(WorkloadKind("batch", "Job", "jobs", true, {}));
  r->Add(WorkloadKind("batch", "CronJob", "cronjobs", true, {"cj"}));
  const std::string rbac = "rbac.authorization.k8s.io";
  r->Add(WorkloadKind(rbac, "ClusterRole", "clusterroles", false, {}, false));
  r->Add(WorkloadKind(rbac, "ClusterRoleBinding", "clusterrolebindings", false,
                      {}, false));
  r->Add(WorkloadKind(rbac, "Role", "roles", true, {}, false));
  r->Add(WorkloadKind(rbac, "RoleBinding", "rolebindings", true, {}, false));
  r->Add(WorkloadKind("storage.k8s.io", "StorageClass", "storageclasses", false,
                      {"sc"}, false));
  r->Add(WorkloadKind("scheduling.k8s.io", "PriorityClass", "priorityclasses",
                      false, {"pc"}, false));
  r->Add(WorkloadKind("policy", "PodDisruptionBudget", "poddisruptionbudgets",
                      true, {"pdb"}));
}

void EnsureNamespace(Store* store, const std::string& name) {
  ObjectKey key{"", "namespaces", "", name};
  store->Write(key,
               [&](const json* live) -> ApiOr<json> {
                 if (live) return *live;
                 return json{{"apiVersion", "v1"},
                             {"kind", "Namespace"},
                             {"metadata", {{"name", name}}},
                             {"spec", {{"finalizers", {"kubernetes"}}}},
                             {"status", {{"phase", "Active"}}}};
               },
               {false, true});
}

WorkloadRegistry::WorkloadRegistry() { AddWorkloadKinds(&kinds_); }

std::shared_ptr<WorkloadCluster> WorkloadRegistry::Ensure(
    const std::string& ns, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<WorkloadCluster>& c = clusters_[ns + "/" + name];
  if (c) return c;
  c = std::make_shared<WorkloadCluster>();
  c->ns = ns;
  c->name = name;
  c->token = RandomHex(24);
  for (const char* n :
       {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    EnsureNamespace(&c->store, n);
  }
  return c;
}

std::shared_ptr<WorkloadCluster> WorkloadRegistry::Find(
    const std::string& ns, const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clusters_.find(ns + "/" + name);
  return it == clusters_.end() ? nullptr : it->second;
}

void WorkloadRegistry::Remove(const std::string& ns, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clusters_.find(ns + "/" + name);
  if (it == clusters_.end()) return;
  it->second->store.Shutdown();
  retired_.push_back(it->second);
  clusters_.erase(it);
}

std::vector<std::shared_ptr<WorkloadCluster>> WorkloadRegistry::All() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<WorkloadCluster>> out;
  for (const auto& [key, c] : clusters_) out.push_back(c);
  return out;
}

void WorkloadRegistry::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, c] : clusters_) c->store.Shutdown();
}

}  // namespace capigitops::sandbox
