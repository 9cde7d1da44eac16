// The phase between apply and status: for each live cluster whose control
// plane is initialized, read its workload API (through deps.workload: CAPI's
// `<name>-kubeconfig` Secret) for nodes, Ready nodes and allocatable GPUs,
// and its add-ons' delivery from the management cluster (CAAPH's
// HelmReleaseProxies, CAPI's ClusterResourceSetBindings of the catalog
// objects, found by their addons.capigitops.io/addon label). The status
// file turns the readings into `usable` (writeback's SummarizeUsability).
//
// Every reading is a stable fact: error messages that vary per attempt
// (curl's timings, addresses) go to the pass notes, and the status file
// gets a fixed category, so a pass in which nothing changed commits nothing.
#include <algorithm>

#include "capigitops/workload.h"
#include "capigitops/writeback.h"
#include "reconcile/reconciler.h"
#include "util/parallel.h"

namespace capigitops {
namespace {

using nlohmann::json;

constexpr char kAddonLabel[] = "addons.capigitops.io/addon";
constexpr char kProvidesLabel[] = "addons.capigitops.io/provides";
constexpr char kAddonsApi[] = "addons.cluster.x-k8s.io";
constexpr char kGpuResource[] = "nvidia.com/gpu";
constexpr char kAcceleratorLabel[] = "cluster-api/accelerator";
// CAAPH labels each HelmReleaseProxy with its HelmChartProxy's name (the
// key changed in v0.2; both are read).
constexpr const char* kHcpNameLabels[] = {
    "helmreleaseproxy.addons.cluster.x-k8s.io/helmchartproxy-name",
    "addons.cluster.x-k8s.io/helmchartproxy-name"};
constexpr unsigned kMaxWorkloadReads = 8;

std::string Str(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

json Labels(const json& obj) {
  return obj.value("metadata", json::object()).value("labels", json::object());
}

// A catalog object (HelmChartProxy or ClusterResourceSet) of one add-on.
struct CatalogObject {
  std::string name, addon, provides;
  bool helm = false;
  json selector;  // its spec.clusterSelector
};

// Everything about add-on delivery in the namespace, read once per pass.
struct Deliveries {
  std::vector<CatalogObject> catalog;
  std::vector<json> releases;  // HelmReleaseProxies
  std::vector<json> bindings;  // ClusterResourceSetBindings
};

// Lists `kind`; a kind not served (CAAPH not installed) has no objects.
Status ListKind(KubeApi& kube, const std::string& api_version,
                const std::string& kind, const std::string& ns,
                const std::string& selector, std::vector<json>* out) {
  StatusOr<ResourceInfo> r = kube.Resolve(api_version, kind);
  if (r.status().IsNotFound()) return Status::Ok();
  if (!r.ok()) return r.status();
  StatusOr<std::vector<json>> items = kube.List(*r, ns, selector);
  if (items.status().IsNotFound()) return Status::Ok();
  if (!items.ok()) return items.status();
  *out = std::move(items).value();
  return Status::Ok();
}

StatusOr<Deliveries> ReadDeliveries(KubeApi& kube, const std::string& ns) {
  Deliveries d;
  const std::string helm = std::string(kAddonsApi) + "/v1alpha1";
  const std::string crs = std::string(kAddonsApi) + "/v1beta2";
  for (const auto& [api_version, kind] :
       {std::pair{helm, "HelmChartProxy"}, {crs, "ClusterResourceSet"}}) {
    std::vector<json> items;
    RETURN_IF_ERROR(ListKind(kube, api_version, kind, ns, kAddonLabel, &items));
    for (const json& obj : items) {
      json labels = Labels(obj);
      d.catalog.push_back(
          {obj["metadata"].value("name", ""), Str(labels, kAddonLabel),
           Str(labels, kProvidesLabel), std::string(kind) == "HelmChartProxy",
           obj.value("spec", json::object())
               .value("clusterSelector", json::object())});
    }
  }
  RETURN_IF_ERROR(
      ListKind(kube, helm, "HelmReleaseProxy", ns, "", &d.releases));
  RETURN_IF_ERROR(
      ListKind(kube, crs, "ClusterResourceSetBinding", ns, "", &d.bindings));
  return d;
}

// metav1.LabelSelector semantics. An empty selector selects every Cluster
// for CAAPH and none for a ClusterResourceSet (addons-and-idle.md 1.3).
bool Selects(const CatalogObject& c, const json& cluster_labels) {
  json match = c.selector.value("matchLabels", json::object());
  json exprs = c.selector.value("matchExpressions", json::array());
  if (match.empty() && exprs.empty()) return c.helm;
  for (const auto& [key, value] : match.items()) {
    if (!cluster_labels.contains(key) || cluster_labels[key] != value)
      return false;
  }
  for (const json& e : exprs) {
    std::string key = Str(e, "key"), op = Str(e, "operator");
    bool has = cluster_labels.contains(key);
    json values = e.value("values", json::array());
    bool in = has && std::find(values.begin(), values.end(),
                               cluster_labels[key]) != values.end();
    if ((op == "In" && !in) || (op == "NotIn" && in) ||
        (op == "Exists" && !has) || (op == "DoesNotExist" && has))
      return false;
  }
  return true;
}

AddonState HelmState(const Deliveries& d, const CatalogObject& c,
                     const std::string& cluster) {
  for (const json& hrp : d.releases) {
    json labels = Labels(hrp);
    std::string ref = hrp.value("spec", json::object())
                          .value("clusterRef", json::object())
                          .value("name", "");
    if (ref != cluster &&
        Str(labels, "cluster.x-k8s.io/cluster-name") != cluster)
      continue;
    bool ours = false;
    for (const char* key : kHcpNameLabels) ours |= Str(labels, key) == c.name;
    if (!ours) continue;
    for (const json& cond : hrp.value("status", json::object())
                                .value("conditions", json::array())) {
      if (Str(cond, "type") != "Ready") continue;
      if (Str(cond, "status") == "True")
        return {c.addon, c.provides, true, "Ready"};
      std::string reason = Str(cond, "reason");
      return {c.addon, c.provides, false,
              reason.empty() ? "NotReady" : "NotReady: " + reason};
    }
    return {c.addon, c.provides, false, "NotReady"};
  }
  return {c.addon, c.provides, false, "Pending"};
}

AddonState ResourceSetState(const Deliveries& d, const CatalogObject& c,
                            const std::string& cluster) {
  for (const json& b : d.bindings) {
    json spec = b.value("spec", json::object());
    std::string owner = spec.value("clusterName", "");
    if (owner.empty()) owner = b["metadata"].value("name", "");
    if (owner != cluster) continue;
    for (const json& entry : spec.value("bindings", json::array())) {
      if (entry.value("clusterResourceSetName", "") != c.name) continue;
      json resources = entry.value("resources", json::array());
      bool applied = !resources.empty();
      for (const json& res : resources) applied &= res.value("applied", false);
      return {c.addon, c.provides, applied, applied ? "Ready" : "NotReady"};
    }
  }
  return {c.addon, c.provides, false, "Pending"};
}

// The add-ons selecting the cluster, one per name (an add-on's catalog
// object being replaced under a new hashed name counts as delivered when
// either is), sorted by name.
std::vector<AddonState> AddonsOf(const Deliveries& d, const json& cluster) {
  std::string name = cluster["metadata"].value("name", "");
  std::map<std::string, AddonState> by_name;
  for (const CatalogObject& c : d.catalog) {
    if (c.addon.empty() || !Selects(c, Labels(cluster))) continue;
    AddonState s =
        c.helm ? HelmState(d, c, name) : ResourceSetState(d, c, name);
    auto [it, inserted] = by_name.emplace(s.name, s);
    if (!inserted && s.ready && !it->second.ready) it->second = s;
  }
  std::vector<AddonState> out;
  for (auto& [n, s] : by_name) out.push_back(std::move(s));
  return out;
}

// A fixed text per kind of failure; the message itself goes to the notes.
std::string UnreachableReason(const Status& s) {
  switch (s.code()) {
    case StatusCode::kDeadlineExceeded:
      return "workload API unreachable: no answer in time";
    case StatusCode::kUnavailable:
      return "workload API unreachable: cannot connect";
    case StatusCode::kUnauthenticated:
      return "workload API rejected the kubeconfig's credentials";
    case StatusCode::kPermissionDenied:
      return "workload API denied listing nodes";
    case StatusCode::kInvalidArgument:
      return "workload API unreachable: TLS or kubeconfig error";
    default:
      return std::string("workload API error: ") + StatusCodeName(s.code());
  }
}

void CountNodes(const std::vector<json>& nodes, WorkloadReading* r) {
  for (const json& node : nodes) {
    r->nodes++;
    json status = node.value("status", json::object());
    for (const json& c : status.value("conditions", json::array())) {
      if (Str(c, "type") == "Ready" && Str(c, "status") == "True")
        r->ready_nodes++;
    }
    if (Labels(node).contains(kAcceleratorLabel)) r->gpu_nodes++;
    std::string gpus =
        status.value("allocatable", json::object()).value(kGpuResource, "");
    if (!gpus.empty() && std::all_of(gpus.begin(), gpus.end(), ::isdigit) &&
        gpus.size() < 10) {
      r->gpus_allocatable += std::stoll(gpus);
    }
  }
}

// Nodes of one workload cluster; *note gets the full error text.
WorkloadReading ReadNodes(WorkloadConnector& connector, const std::string& ns,
                          const std::string& cluster, std::string* note) {
  WorkloadReading r;
  StatusOr<std::unique_ptr<KubeApi>> api = connector.Connect(ns, cluster);
  if (!api.ok()) {
    // A cluster still coming up has no Secret: not worth a warning.
    if (!api.status().IsNotFound()) *note = api.status().message();
    r.unreadable = api.status().IsNotFound() ? "kubeconfig Secret not found yet"
                                             : "workload kubeconfig unusable";
    return r;
  }
  StatusOr<ResourceInfo> nodes = (*api)->Resolve("v1", "Node");
  StatusOr<std::vector<json>> items =
      nodes.ok() ? (*api)->List(*nodes, "", "")
                 : StatusOr<std::vector<json>>(nodes.status());
  if (!items.ok()) {
    *note = items.status().message();
    r.unreadable = UnreachableReason(items.status());
    return r;
  }
  CountNodes(*items, &r);
  return r;
}

}  // namespace

void Reconciler::ReadWorkloads() {
  if (deps_.workload == nullptr) return;
  std::vector<const json*> clusters;
  for (const auto& [ref, obj] : live_.objects) {
    if (ref.kind != "Cluster" || ref.api_version.rfind("cluster.x-k8s.io/", 0))
      continue;
    const std::string& name = ref.name;
    if (obj["metadata"].contains("deletionTimestamp") || expired_.count(name) ||
        !Owns(name))
      continue;
    bool gone = false;
    for (const ClusterPassResult& r : result_.clusters) {
      gone |= r.name == name && (r.outcome == ClusterOutcome::kDeleting ||
                                 r.outcome == ClusterOutcome::kDeleted);
    }
    if (!gone) clusters.push_back(&obj);
  }
  if (clusters.empty()) return;
  StatusOr<Deliveries> deliveries = ReadDeliveries(*deps_.kube, desired_.ns);
  if (!deliveries.ok()) {
    Note("warning: reading add-on delivery: " + deliveries.status().message());
  }
  std::vector<WorkloadReading> readings(clusters.size());
  std::vector<std::string> notes(clusters.size());
  ParallelForBlocking(
      clusters.size(),
      [&](size_t i) {
        const json& cluster = *clusters[i];
        std::string name = cluster["metadata"].value("name", "");
        if (!ControlPlaneInitialized(cluster)) {
          readings[i].unreadable = "control plane not initialized yet";
        } else {
          readings[i] =
              ReadNodes(*deps_.workload, desired_.ns, name, &notes[i]);
        }
        if (deliveries.ok()) {
          readings[i].addons = AddonsOf(*deliveries, cluster);
        } else if (readings[i].unreadable.empty()) {
          readings[i].unreadable = "add-on delivery could not be read";
        }
      },
      std::min<unsigned>(kMaxWorkloadReads, clusters.size()));
  for (size_t i = 0; i < clusters.size(); ++i) {
    std::string name = (*clusters[i])["metadata"].value("name", "");
    // Said once, when it starts: while the committed status already gives
    // the same reason, a pass has nothing new to report.
    json before = StatusInGit(CurrentStatus(), StatusPath(name));
    bool known = before.is_object() &&
                 before.value("usableReason", "") == readings[i].unreadable;
    if (!notes[i].empty() && !known) {
      Note("warning: " + name + ": workload cluster: " + notes[i]);
    }
    workload_[name] = std::move(readings[i]);
  }
}

}  // namespace capigitops
