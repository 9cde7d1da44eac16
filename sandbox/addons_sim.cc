// ClusterResourceSet and CAAPH simulation. Follows the upstream controllers
// (cluster-api exp/addons/internal/controllers, cluster-api-addon-provider-
// helm internal/controllers): a CRS applies to Clusters whose control plane
// is initialized, records a ClusterResourceSetBinding named after the
// Cluster and never deletes what it applied; a HelmChartProxy keeps one
// HelmReleaseProxy per selected Cluster, labelled with the Cluster and the
// proxy, and uninstalls the release when the Cluster is no longer selected.
#include "addons_sim.h"

#include <algorithm>
#include <set>

#include "capigitops/diagnostic.h"
#include "capigitops/yaml.h"
#include "util.h"
#include "util/digest.h"

namespace capigitops::sandbox {
namespace {

const char kAddonsGroup[] = "addons.cluster.x-k8s.io";
const char kClusterNameLabel[] = "cluster.x-k8s.io/cluster-name";
const char kHcpLabel[] =
    "helmreleaseproxy.addons.cluster.x-k8s.io/helmchartproxy-name";
const char kGeneratedNameAnnotation[] =
    "helmreleaseproxy.addons.cluster.x-k8s.io/is-release-name-generated";
// Marks what a simulated Helm release put into a workload cluster.
const char kReleaseMarker[] = "sandbox.capigitops.io/helmreleaseproxy";
const char kResourceSetSecretType[] = "addons.cluster.x-k8s.io/resource-set";

std::vector<json> ListIn(Store* store, const std::string& group,
                         const std::string& resource, const std::string& ns) {
  return store
      ->List(group, resource, ns, std::nullopt, 0,
             [](const json&) { return true; })
      .items;
}

std::string NameOf(const json& o) { return o["metadata"].value("name", ""); }
std::string NsOf(const json& o) { return o["metadata"].value("namespace", ""); }
json LabelsOf(const json& o) { return Field(o["metadata"], "labels"); }
bool Deleting(const json& o) {
  return o["metadata"].contains("deletionTimestamp");
}
bool ControlPlaneInitialized(const json& cluster) {
  return Field(Field(cluster, "status"), "initialization")
      .value("controlPlaneInitialized", false);
}

void SetCondition(json* conditions, const std::string& type, bool ok,
                  const std::string& reason, const std::string& message,
                  int64_t generation) {
  if (!conditions->is_array()) *conditions = json::array();
  std::string status = ok ? "True" : "False";
  std::string now = NowRfc3339();
  json cond = {{"type", type},
               {"status", status},
               {"reason", reason},
               {"message", message},
               {"lastTransitionTime", now},
               {"observedGeneration", generation}};
  for (json& c : *conditions) {
    if (c.value("type", "") != type) continue;
    if (c.value("status", "") == status) {
      cond["lastTransitionTime"] = c.value("lastTransitionTime", now);
    }
    c = cond;
    return;
  }
  conditions->push_back(cond);
}

// Create-or-replace keeping the server-set metadata, so an unchanged object
// writes nothing.
std::string Upsert(Store* store, const ObjectKey& key, const json& desired) {
  ApiOr<WriteResult> r =
      store->Write(key,
                   [&](const json* live) -> ApiOr<json> {
                     json obj = desired;
                     json& meta = obj["metadata"];
                     meta["name"] = key.name;
                     if (!key.ns.empty()) meta["namespace"] = key.ns;
                     if (live != nullptr) {
                       for (const char* f : {"uid", "creationTimestamp",
                                             "resourceVersion", "generation"}) {
                         if ((*live)["metadata"].contains(f)) {
                           meta[f] = (*live)["metadata"][f];
                         }
                       }
                     }
                     return obj;
                   },
                   {false, true});
  return r.ok() ? "" : r.error().message;
}

// Group and plural of a manifest's kind in the workload kinds, else guessed
// the way kube's RESTMapper guesses.
ObjectKey ManifestKey(const KindRegistry& kinds, const json& obj) {
  std::string api_version = obj.value("apiVersion", "");
  size_t slash = api_version.find('/');
  std::string group =
      slash == std::string::npos ? "" : api_version.substr(0, slash);
  std::string kind = obj.value("kind", "");
  std::string ns = obj["metadata"].value("namespace", "");
  std::string plural;
  if (const ResourceType* t = kinds.FindByKind(group, kind)) {
    plural = t->plural;
    if (!t->namespaced) ns.clear();
    if (t->namespaced && ns.empty()) ns = "default";
  } else {
    plural = kind;
    std::transform(plural.begin(), plural.end(), plural.begin(), ::tolower);
    if (!plural.empty() && plural.back() == 'y') {
      plural = plural.substr(0, plural.size() - 1) + "ies";
    } else if (!plural.empty() && plural.back() == 's') {
      plural += "es";
    } else {
      plural += "s";
    }
  }
  return ObjectKey{group, plural, ns, obj["metadata"].value("name", "")};
}

// Namespaces first, then CRDs, then the rest in file order: what `kubectl
// apply` users expect and what a CRS author relies on.
int ApplyRank(const json& obj) {
  std::string kind = obj.value("kind", "");
  if (kind == "Namespace") return 0;
  if (kind == "CustomResourceDefinition") return 1;
  return 2;
}

std::string ApplyManifests(const KindRegistry& kinds, Store* store,
                           const std::string& text, const std::string& what) {
  Diagnostics diags;
  std::vector<yaml::Node> docs = yaml::ParseDocuments(text, what, &diags);
  if (HasErrors(diags)) return what + ": " + diags.front().ToString();
  std::vector<json> objects;
  for (const yaml::Node& d : docs) {
    json obj = yaml::ToJson(d);
    if (!obj.is_object() || obj.empty()) continue;
    if (!obj.contains("metadata") || !obj["metadata"].is_object() ||
        obj.value("kind", "").empty()) {
      return what + ": an object without kind or metadata";
    }
    objects.push_back(std::move(obj));
  }
  std::stable_sort(
      objects.begin(), objects.end(),
      [](const json& a, const json& b) { return ApplyRank(a) < ApplyRank(b); });
  for (const json& obj : objects) {
    std::string err = Upsert(store, ManifestKey(kinds, obj), obj);
    if (!err.empty()) return what + ": " + err;
  }
  return "";
}

struct ResourceData {
  std::string kind;
  std::string name;
  std::vector<std::pair<std::string, std::string>> texts;  // key, manifest
  std::string hash;
};

// The manifests a CRS resource holds; "" or an error message.
std::string ReadResource(Store* mgmt, const std::string& ns, const json& ref,
                         ResourceData* out) {
  out->kind = ref.value("kind", "");
  out->name = ref.value("name", "");
  bool secret = out->kind == "Secret";
  std::optional<json> obj =
      mgmt->Get({"", secret ? "secrets" : "configmaps", ns, out->name});
  if (!obj) return "failed to get " + out->kind + " " + ns + "/" + out->name;
  if (secret && obj->value("type", "") != kResourceSetSecretType) {
    return "Secret " + out->name + " has type " + obj->value("type", "") +
           ", want " + kResourceSetSecretType;
  }
  std::string all;
  const json data = Field(*obj, "data");
  for (const auto& [key, value] : data.items()) {
    if (!value.is_string()) continue;
    std::string text = value.get<std::string>();
    if (secret) {
      std::optional<std::string> decoded = Base64Decode(text);
      if (!decoded) return "Secret " + out->name + ": bad base64 in " + key;
      text = *decoded;
    }
    all += key + "\n" + text + "\n";
    out->texts.emplace_back(key, text);
  }
  out->hash = "sha256:" + Sha256Hex(all);
  return "";
}

json FindBindingEntry(const json& binding, const std::string& set) {
  for (const json& b :
       Field(binding, "spec").value("bindings", json::array())) {
    if (b.value("clusterResourceSetName", "") == set) return b;
  }
  return json();
}

json OwnerRef(const json& owner, bool controller) {
  json ref = {{"apiVersion", owner.value("apiVersion", "")},
              {"kind", owner.value("kind", "")},
              {"name", NameOf(owner)},
              {"uid", owner["metadata"].value("uid", "")}};
  if (controller) {
    ref["controller"] = true;
    ref["blockOwnerDeletion"] = true;
  }
  return ref;
}

// Applies one CRS to one Cluster; "" or why it failed.
std::string ApplySet(const AddonContext& ctx, const json& crs,
                     const json& cluster, WorkloadCluster* wl) {
  const std::string ns = NsOf(crs);
  const std::string set = NameOf(crs);
  const std::string strategy =
      crs["spec"].value("strategy", std::string("ApplyOnce"));
  ObjectKey binding_key{kAddonsGroup, "clusterresourcesetbindings", ns,
                        NameOf(cluster)};
  std::optional<json> binding = ctx.mgmt->Get(binding_key);
  json entry = binding ? FindBindingEntry(*binding, set) : json();
  bool in_store = wl->AppliedSets().count(set) > 0;
  json resources = json::array();
  std::string failure;
  for (const json& ref : crs["spec"].value("resources", json::array())) {
    ResourceData data;
    if (std::string err = ReadResource(ctx.mgmt, ns, ref, &data);
        !err.empty()) {
      return err;
    }
    json previous;
    for (const json& r : entry.is_object()
                             ? entry.value("resources", json::array())
                             : json::array()) {
      if (r.value("kind", "") == data.kind &&
          r.value("name", "") == data.name) {
        previous = r;
      }
    }
    bool applied = previous.is_object() && previous.value("applied", false);
    bool changed =
        previous.is_object() && previous.value("hash", "") != data.hash;
    json record = previous.is_object() ? previous : json::object();
    if (!applied || !in_store || (strategy == "Reconcile" && changed)) {
      std::string err;
      for (const auto& [key, text] : data.texts) {
        err = ApplyManifests(ctx.workloads->kinds(), &wl->store, text,
                             data.kind + " " + data.name + "/" + key);
        if (!err.empty()) break;
      }
      // A re-apply into a restarted sandbox's empty store is not a new
      // application: the binding already says when it happened.
      if (!applied || (strategy == "Reconcile" && changed) || !err.empty()) {
        record = {{"name", data.name},
                  {"kind", data.kind},
                  {"hash", data.hash},
                  {"lastAppliedTime", NowRfc3339()},
                  {"applied", err.empty()}};
      }
      if (!err.empty() && failure.empty()) failure = err;
    }
    resources.push_back(record);
  }
  json new_entry = {{"clusterResourceSetName", set}, {"resources", resources}};
  json b = binding
               ? *binding
               : json{{"apiVersion", "addons.cluster.x-k8s.io/v1beta2"},
                      {"kind", "ClusterResourceSetBinding"},
                      {"metadata",
                       {{"name", NameOf(cluster)},
                        {"namespace", ns},
                        {"labels", {{kClusterNameLabel, NameOf(cluster)}}}}},
                      {"spec", {{"clusterName", NameOf(cluster)}}}};
  json& bindings = b["spec"]["bindings"];
  if (!bindings.is_array()) bindings = json::array();
  auto it = std::find_if(bindings.begin(), bindings.end(), [&](const json& e) {
    return e.value("clusterResourceSetName", "") == set;
  });
  if (it == bindings.end()) {
    bindings.push_back(new_entry);
  } else {
    *it = new_entry;
  }
  json& owners = b["metadata"]["ownerReferences"];
  if (!owners.is_array()) owners = json::array();
  std::string uid = crs["metadata"].value("uid", "");
  if (std::none_of(owners.begin(), owners.end(),
                   [&](const json& o) { return o.value("uid", "") == uid; })) {
    owners.push_back(OwnerRef(crs, false));
  }
  Upsert(ctx.mgmt, binding_key, b);
  if (failure.empty()) {
    wl->MarkApplied(set, LabelsOf(crs).value(kAddonProvidesLabel, "other"));
  }
  return failure;
}

}  // namespace

bool SelectorMatches(const json& selector, const json& labels,
                     bool empty_matches_all) {
  if (!selector.is_object()) return empty_matches_all;
  json match = Field(selector, "matchLabels");
  json exprs = selector.value("matchExpressions", json::array());
  if (match.empty() && exprs.empty()) return empty_matches_all;
  json l = labels.is_object() ? labels : json::object();
  for (const auto& [k, v] : match.items()) {
    if (!l.contains(k) || l[k] != v) return false;
  }
  for (const json& e : exprs) {
    std::string key = e.value("key", "");
    std::string op = e.value("operator", "");
    json values = e.value("values", json::array());
    bool has = l.contains(key);
    bool in =
        has && std::find(values.begin(), values.end(), l[key]) != values.end();
    if ((op == "In" && !in) || (op == "NotIn" && in) ||
        (op == "Exists" && !has) || (op == "DoesNotExist" && has)) {
      return false;
    }
  }
  return true;
}

void ReconcileClusterResourceSets(const AddonContext& ctx,
                                  const std::vector<json>& clusters) {
  for (const json& crs :
       ListIn(ctx.mgmt, kAddonsGroup, "clusterresourcesets", "")) {
    if (Deleting(crs)) continue;
    std::string failure;
    for (const json& cluster : clusters) {
      if (NsOf(cluster) != NsOf(crs) || Deleting(cluster) ||
          !ControlPlaneInitialized(cluster) ||
          !SelectorMatches(crs["spec"].value("clusterSelector", json()),
                           LabelsOf(cluster), false)) {
        continue;
      }
      std::shared_ptr<WorkloadCluster> wl =
          ctx.workloads->Ensure(NsOf(cluster), NameOf(cluster));
      std::string err = ApplySet(ctx, crs, cluster, wl.get());
      if (failure.empty() && !err.empty())
        failure = NameOf(cluster) + ": " + err;
    }
    ObjectKey key{kAddonsGroup, "clusterresourcesets", NsOf(crs), NameOf(crs)};
    int64_t gen = crs["metadata"].value("generation", int64_t{1});
    ctx.mgmt->Write(key,
                    [&](const json* live) -> ApiOr<json> {
                      json obj = *live;
                      json& status = obj["status"];
                      status["observedGeneration"] = gen;
                      SetCondition(&status["conditions"], "ResourcesApplied",
                                   failure.empty(),
                                   failure.empty() ? "Applied" : "NotApplied",
                                   failure, gen);
                      return obj;
                    },
                    {false, false});
  }
}

namespace {

// CAAPH renders valuesTemplate as a Go template over the Cluster; the
// sandbox substitutes the two fields charts use most and leaves the rest.
std::string RenderValues(std::string text, const json& cluster) {
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, std::string>>{
           {".Cluster.metadata.name", NameOf(cluster)},
           {".Cluster.metadata.namespace", NsOf(cluster)}}) {
    for (const std::string& pattern :
         {"{{ " + field + " }}", "{{" + field + "}}"}) {
      for (size_t at = text.find(pattern); at != std::string::npos;
           at = text.find(pattern, at + value.size())) {
        text.replace(at, pattern.size(), value);
      }
    }
  }
  return text;
}

std::string LowerAlnum(size_t n) {
  std::string hex = RandomHex((n + 1) / 2);
  return hex.substr(0, n);
}

// The HelmReleaseProxy spec CAAPH derives from the proxy for one Cluster.
json ReleaseSpec(const json& hcp, const json& cluster,
                 const std::string& release_name) {
  const json& s = hcp["spec"];
  json spec = {
      {"clusterRef",
       {{"apiVersion", cluster.value("apiVersion", "")},
        {"kind", "Cluster"},
        {"name", NameOf(cluster)},
        {"namespace", NsOf(cluster)}}},
      {"chartName", s.value("chartName", "")},
      {"repoURL", s.value("repoURL", "")},
      {"releaseName", release_name},
      {"namespace", s.value("namespace", std::string("default"))},
      {"values", RenderValues(s.value("valuesTemplate", ""), cluster)}};
  for (const char* f : {"version", "options", "reconcileStrategy",
                        "credentials", "tlsConfig"}) {
    if (s.contains(f)) spec[f] = s[f];
  }
  return spec;
}

json NewReleaseProxy(const json& hcp, const json& cluster) {
  const json& s = hcp["spec"];
  std::string chart = s.value("chartName", "");
  bool generated = s.value("releaseName", "").empty();
  std::string release =
      generated ? chart + "-" + LowerAlnum(10) : s.value("releaseName", "");
  std::string prefix = chart + "-" + NameOf(cluster);
  if (prefix.size() > 57) prefix.resize(57);
  json hrp = {
      {"apiVersion", "addons.cluster.x-k8s.io/v1alpha1"},
      {"kind", "HelmReleaseProxy"},
      {"metadata",
       {{"name", prefix + "-" + LowerAlnum(5)},
        {"namespace", NsOf(hcp)},
        {"labels",
         {{kClusterNameLabel, NameOf(cluster)}, {kHcpLabel, NameOf(hcp)}}},
        {"ownerReferences", {OwnerRef(hcp, true)}}}},
      {"spec", ReleaseSpec(hcp, cluster, release)}};
  if (generated) {
    hrp["metadata"]["annotations"] = {{kGeneratedNameAnnotation, "true"}};
  }
  return hrp;
}

// What `helm install` leaves in the cluster: the release record and the
// chart's workload, both marked with the proxy that installed them.
void InstallRelease(WorkloadCluster* wl, const json& hrp, int64_t revision) {
  const json& spec = hrp["spec"];
  std::string ns = spec.value("namespace", "default");
  std::string release = spec.value("releaseName", "");
  json labels = {{kReleaseMarker, NameOf(hrp)}};
  EnsureNamespace(&wl->store, ns);
  std::string rev = std::to_string(revision);
  json record = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"type", "helm.sh/release.v1"},
                 {"metadata",
                  {{"labels",
                    {{"owner", "helm"},
                     {"name", release},
                     {"status", "deployed"},
                     {"version", rev},
                     {kReleaseMarker, NameOf(hrp)}}}}},
                 {"data",
                  {{"release", Base64Encode(spec.value("chartName", "") + "-" +
                                            spec.value("version", "") + "\n" +
                                            spec.value("values", ""))}}}};
  Upsert(&wl->store,
         {"", "secrets", ns, "sh.helm.release.v1." + release + ".v" + rev},
         record);
  json selector = {{"app.kubernetes.io/instance", release}};
  std::string chart = spec.value("chartName", "chart");
  json container = {{"name", chart},
                    {"image", "registry.sandbox.local/" + chart + ":" +
                                  spec.value("version", "latest")}};
  json deployment;
  deployment["apiVersion"] = "apps/v1";
  deployment["kind"] = "Deployment";
  deployment["metadata"]["labels"] = {
      {"app.kubernetes.io/instance", release},
      {"app.kubernetes.io/managed-by", "Helm"},
      {"helm.sh/chart", chart + "-" + spec.value("version", "")},
      {kReleaseMarker, NameOf(hrp)}};
  deployment["metadata"]["annotations"] = {
      {"meta.helm.sh/release-name", release},
      {"meta.helm.sh/release-namespace", ns}};
  deployment["spec"]["replicas"] = 1;
  deployment["spec"]["selector"]["matchLabels"] = selector;
  deployment["spec"]["template"]["metadata"]["labels"] = selector;
  deployment["spec"]["template"]["spec"]["containers"] =
      json::array({container});
  deployment["status"] = {
      {"replicas", 1}, {"readyReplicas", 1}, {"availableReplicas", 1}};
  Upsert(&wl->store, {"apps", "deployments", ns, release}, deployment);
}

// Removes releases whose HelmReleaseProxy is gone (uninstall).
void UninstallOrphans(const AddonContext& ctx, WorkloadCluster* wl) {
  for (const auto& [group, resource] :
       std::vector<std::pair<std::string, std::string>>{
           {"", "secrets"}, {"apps", "deployments"}}) {
    for (const json& obj : ListIn(&wl->store, group, resource, "")) {
      std::string hrp = LabelsOf(obj).value(kReleaseMarker, "");
      if (hrp.empty() ||
          ctx.mgmt->Get({kAddonsGroup, "helmreleaseproxies", wl->ns, hrp})) {
        continue;
      }
      wl->store.Delete({group, resource, NsOf(obj), NameOf(obj)},
                       DeleteOptions{});
    }
  }
}

// Creates, updates or keeps the proxy for one selected Cluster and reports
// whether its release is ready.
bool ReconcileRelease(const AddonContext& ctx, const json& hcp,
                      const json& cluster, const json* live) {
  json hrp = live ? *live : NewReleaseProxy(hcp, cluster);
  bool install_once =
      hcp["spec"].value("reconcileStrategy", "") == "InstallOnce";
  if (live && !install_once) {
    hrp["spec"] =
        ReleaseSpec(hcp, cluster, hrp["spec"].value("releaseName", ""));
  }
  ObjectKey key{kAddonsGroup, "helmreleaseproxies", NsOf(hcp), NameOf(hrp)};
  Upsert(ctx.mgmt, key, hrp);
  std::optional<json> stored = ctx.mgmt->Get(key);
  if (!stored) return false;
  std::shared_ptr<WorkloadCluster> wl =
      ControlPlaneInitialized(cluster)
          ? ctx.workloads->Ensure(NsOf(cluster), NameOf(cluster))
          : nullptr;
  double age = ctx.age((*stored)["metadata"].value("uid", ""));
  bool available = wl != nullptr;
  bool ready = available && age >= ctx.step_seconds;
  int64_t gen = (*stored)["metadata"].value("generation", int64_t{1});
  if (ready) InstallRelease(wl.get(), *stored, gen);
  ctx.mgmt->Write(
      key,
      [&](const json* l) -> ApiOr<json> {
        json obj = *l;
        json& status = obj["status"];
        json& c = status["conditions"];
        SetCondition(&c, "ClusterAvailable", available,
                     available ? "ClusterAvailable" : "GetKubeconfigFailed",
                     available ? "" : "the kubeconfig Secret does not exist",
                     gen);
        SetCondition(&c, "HelmReleaseReady", ready,
                     ready ? "HelmReleaseDeployed" : "HelmReleasePending",
                     ready ? "" : "Helm release is being installed", gen);
        SetCondition(&c, "Ready", ready, ready ? "Ready" : "HelmReleasePending",
                     "", gen);
        status["status"] = ready ? "deployed" : "pending-install";
        if (ready) status["revision"] = gen;
        status["observedGeneration"] = gen;
        return obj;
      },
      {false, false});
  return ready;
}

void ReconcileProxy(const AddonContext& ctx, const json& hcp,
                    const std::vector<json>& clusters) {
  std::map<std::string, json> existing;  // cluster name -> proxy
  for (const json& hrp :
       ListIn(ctx.mgmt, kAddonsGroup, "helmreleaseproxies", NsOf(hcp))) {
    json l = LabelsOf(hrp);
    if (l.value(kHcpLabel, "") != NameOf(hcp)) continue;
    existing[l.value(kClusterNameLabel, "")] = hrp;
  }
  json matching = json::array();
  size_t ready = 0;
  std::set<std::string> selected;
  for (const json& cluster : clusters) {
    if (NsOf(cluster) != NsOf(hcp) || Deleting(cluster) ||
        !SelectorMatches(hcp["spec"].value("clusterSelector", json()),
                         LabelsOf(cluster), true)) {
      continue;
    }
    selected.insert(NameOf(cluster));
    matching.push_back({{"apiVersion", cluster.value("apiVersion", "")},
                        {"kind", "Cluster"},
                        {"name", NameOf(cluster)},
                        {"namespace", NsOf(cluster)}});
    auto it = existing.find(NameOf(cluster));
    if (ReconcileRelease(ctx, hcp, cluster,
                         it == existing.end() ? nullptr : &it->second)) {
      ++ready;
    }
  }
  for (const auto& [cluster, hrp] : existing) {
    if (selected.count(cluster)) continue;
    ctx.mgmt->Delete(
        {kAddonsGroup, "helmreleaseproxies", NsOf(hrp), NameOf(hrp)},
        DeleteOptions{});
  }
  int64_t gen = hcp["metadata"].value("generation", int64_t{1});
  bool all_ready = ready == selected.size();
  ctx.mgmt->Write(
      {kAddonsGroup, "helmchartproxies", NsOf(hcp), NameOf(hcp)},
      [&](const json* l) -> ApiOr<json> {
        json obj = *l;
        json& status = obj["status"];
        status["matchingClusters"] = matching;
        status["observedGeneration"] = gen;
        json& c = status["conditions"];
        SetCondition(&c, "HelmReleaseProxySpecsUpToDate", true,
                     "HelmReleaseProxySpecsUpToDate", "", gen);
        SetCondition(&c, "HelmReleaseProxiesReady", all_ready,
                     all_ready ? "Ready" : "HelmReleasePending", "", gen);
        SetCondition(&c, "Ready", all_ready,
                     all_ready ? "Ready" : "HelmReleasePending", "", gen);
        return obj;
      },
      {false, false});
}

}  // namespace

void ReconcileHelmChartProxies(const AddonContext& ctx,
                               const std::vector<json>& clusters) {
  for (const json& hcp :
       ListIn(ctx.mgmt, kAddonsGroup, "helmchartproxies", "")) {
    if (!Deleting(hcp)) ReconcileProxy(ctx, hcp, clusters);
  }
  // A proxy deleted with its HelmChartProxy (owner reference) or by the
  // loop above leaves an installed release behind until this runs.
  for (const std::shared_ptr<WorkloadCluster>& wl : ctx.workloads->All()) {
    UninstallOrphans(ctx, wl.get());
  }
}

DeliveredAddons Delivered(const AddonContext& ctx, const json& cluster,
                          const WorkloadCluster& workload,
                          const std::vector<json>& proxies) {
  std::set<std::string> provides;
  for (const auto& [set, p] : workload.AppliedSets()) provides.insert(p);
  for (const json& hrp : proxies) {
    json l = LabelsOf(hrp);
    if (l.value(kClusterNameLabel, "") != NameOf(cluster)) continue;
    bool ready = false;
    for (const json& c :
         Field(hrp, "status").value("conditions", json::array())) {
      if (c.value("type", "") == "Ready")
        ready = c.value("status", "") == "True";
    }
    if (!ready) continue;
    std::optional<json> hcp =
        ctx.mgmt->Get({kAddonsGroup, "helmchartproxies", NsOf(cluster),
                       l.value(kHcpLabel, "")});
    if (hcp)
      provides.insert(LabelsOf(*hcp).value(kAddonProvidesLabel, "other"));
  }
  DeliveredAddons d;
  d.cni = provides.count("cni") > 0;
  d.ccm = provides.count("ccm") > 0;
  d.csi = provides.count("csi") > 0;
  d.gpu = provides.count("gpu") > 0;
  return d;
}

}  // namespace capigitops::sandbox
