// Reading the workload clusters, once per pass, after the TTL decisions and
// before the idle ones: for each live cluster whose control plane is
// initialized, one connection to its workload API (through deps.workload:
// CAPI's `<name>-kubeconfig` Secret) for nodes, Ready nodes and allocatable
// GPUs and, for clusters with spec.idle, the idle signals (idle_signals.cc);
// and its add-ons' delivery from the management cluster (CAAPH's
// HelmReleaseProxies, CAPI's ClusterResourceSetBindings of the catalog
// objects, found by their addons.capigitops.io/addon label). The idle
// decision and the status file's `usable` both come from this reading
// (writeback's SummarizeUsability), so the idle clock starts only on a
// cluster the status calls usable.
//
// Every reading is a stable fact: error messages that vary per attempt
// (curl's timings, addresses) go to the pass notes, and the status file
// gets a fixed category, so a pass in which nothing changed commits nothing.
#include <algorithm>
#include <set>

#include "capigitops/workload.h"
#include "capigitops/writeback.h"
#include "reconcile/idle_signals.h"
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

// Nodes as every API server serves them: no discovery request needed.
const ResourceInfo kNodes{"", "v1", "Node", "nodes", false};

// One workload cluster: one connection, its Nodes and, when watched, its
// idle signals; `note` gets the full error text.
WorkloadRead ReadWorkloadCluster(WorkloadConnector& connector,
                                 const std::string& ns,
                                 const WorkloadTarget& target,
                                 const std::set<std::string>& ignored) {
  WorkloadRead out;
  WorkloadReading& r = out.reading;
  auto unreadable = [&](std::string why) {
    r.unreadable = std::move(why);
    if (target.watch_idle) {
      out.idle.emplace();
      out.idle->unreadable = r.unreadable;
    }
    return out;
  };
  if (!target.initialized) {
    return unreadable("control plane not initialized yet");
  }
  StatusOr<std::unique_ptr<KubeApi>> api = connector.Connect(ns, target.name);
  if (!api.ok()) {
    // A cluster still coming up has no Secret: not worth a warning.
    if (!api.status().IsNotFound()) out.note = api.status().message();
    StatusCode code = api.status().code();
    return unreadable(code == StatusCode::kNotFound
                          ? "kubeconfig Secret not found yet"
                      : code == StatusCode::kInvalidArgument
                          ? "workload kubeconfig unusable"
                          : "kubeconfig Secret could not be read");
  }
  StatusOr<std::vector<json>> items = (*api)->List(kNodes, "", "");
  if (!items.ok()) {
    out.note = items.status().message();
    return unreadable(WorkloadFailure(items.status(), "listing nodes"));
  }
  CountNodes(*items, &r);
  if (target.watch_idle) {
    out.idle = ObserveWorkload(**api, ignored, &out.note);
  }
  return out;
}

// Of a live Cluster the top-level fields `keys` (those present), as all
// ControlPlaneInitialized reads is its apiVersion and status.
json TopLevelFields(const LiveObject& live,
                    std::initializer_list<std::string_view> keys) {
  json out = json::object();
  for (std::string_view key : keys) {
    std::optional<json> v = live.Get({key});
    if (v) out[std::string(key)] = std::move(*v);
  }
  return out;
}

// Of a live Cluster what AddonsOf reads: its name and labels.
json NameAndLabels(const LiveObject& live) {
  json meta = json::object();
  for (const char* key : {"name", "labels"}) {
    std::optional<json> v = live.Get({"metadata", key});
    if (v) meta[key] = std::move(*v);
  }
  return json{{"metadata", std::move(meta)}};
}

}  // namespace

std::string WorkloadFailure(const Status& s, const std::string& what) {
  switch (s.code()) {
    case StatusCode::kDeadlineExceeded:
      return "workload API unreachable: no answer in time";
    case StatusCode::kUnavailable:
      return "workload API unreachable: cannot connect";
    case StatusCode::kUnauthenticated:
      return "workload API rejected the kubeconfig's credentials";
    case StatusCode::kPermissionDenied:
      return "workload API denied " + what;
    case StatusCode::kInvalidArgument:
      return "workload API unreachable: TLS or kubeconfig error";
    default:
      return std::string("workload API error: ") + StatusCodeName(s.code());
  }
}

std::vector<WorkloadRead> ReadWorkloadClusters(
    WorkloadConnector& connector, const std::string& ns,
    const std::vector<WorkloadTarget>& targets,
    const std::set<std::string>& ignored, unsigned parallelism) {
  std::vector<WorkloadRead> out(targets.size());
  if (targets.empty()) return out;
  ParallelForBlocking(
      targets.size(),
      [&](size_t i) {
        out[i] = ReadWorkloadCluster(connector, ns, targets[i], ignored);
      },
      std::max(1u, std::min<unsigned>(parallelism, targets.size())));
  return out;
}

// Before the idle decisions and apply: the live state this pass planned on
// is what is read (a cluster created by this pass has no workload API yet),
// and the idle decision and the status file share the reading.
void Reconciler::ReadWorkloads() {
  if (deps_.workload == nullptr) return;
  std::set<std::string> watched;
  for (const ClusterResult& c : ev_.clusters) {
    if (c.request.idle && !desired_.blocked.count(c.request.name))
      watched.insert(c.request.name);
  }
  // Of each live Cluster only the fields read here are decoded, each once
  // (its labels later, for its add-ons): a thousand live Clusters decoded
  // whole would cost what their compact form saves.
  std::vector<const LiveObject*> clusters;
  std::vector<WorkloadTarget> targets;
  for (const auto& [ref, live] : live_.objects) {
    if (ref.kind != "Cluster" || ref.api_version.rfind("cluster.x-k8s.io/", 0))
      continue;
    const std::string& name = ref.name;
    if (expired_.count(name) || !Owns(name)) continue;
    if (live.Get({"metadata", "deletionTimestamp"})) continue;
    const json obj = TopLevelFields(live, {"apiVersion", "status"});
    clusters.push_back(&live);
    targets.push_back(
        {name, ControlPlaneInitialized(obj), watched.count(name) > 0});
  }
  if (clusters.empty()) return;
  StatusOr<Deliveries> deliveries = ReadDeliveries(*deps_.kube, desired_.ns);
  if (!deliveries.ok()) {
    Note("warning: reading add-on delivery: " + deliveries.status().message());
  }
  std::vector<WorkloadRead> reads =
      ReadWorkloadClusters(*deps_.workload, desired_.ns, targets,
                           IdleIgnoredNamespaces(), kWorkloadReadParallelism);
  for (size_t i = 0; i < clusters.size(); ++i) {
    const std::string& name = targets[i].name;
    WorkloadRead& r = reads[i];
    if (deliveries.ok()) {
      r.reading.addons = AddonsOf(*deliveries, NameAndLabels(*clusters[i]));
    } else if (r.reading.unreadable.empty()) {
      r.reading.unreadable = "add-on delivery could not be read";
    }
    // Said once, when it starts: while the committed status already gives
    // the same reason, a pass has nothing new to report.
    std::string why = !r.reading.unreadable.empty() ? r.reading.unreadable
                      : r.idle                      ? r.idle->unreadable
                                                    : "";
    // The committed status is parsed only when there is a note to weigh.
    bool known = false;
    if (!r.note.empty() && !why.empty()) {
      json before = StatusInGit(CurrentStatus(), StatusPath(name));
      json idle_before =
          before.is_object() ? before.value("idle", json()) : json();
      known =
          before.is_object() &&
          (before.value("usableReason", "") == why ||
           (idle_before.is_object() &&
            idle_before.value("reason", "").find(why) != std::string::npos));
    }
    if (!r.note.empty() && !known) {
      Note("warning: " + name + ": workload cluster: " + r.note);
    }
    if (r.idle) idle_observed_[name] = std::move(*r.idle);
    workload_[name] = std::move(r.reading);
  }
}

// Clusters this pass deleted (or began to) get no usability verdict.
void Reconciler::ForgetRemovedWorkloads() {
  for (const ClusterPassResult& r : result_.clusters) {
    if (r.outcome == ClusterOutcome::kDeleting ||
        r.outcome == ClusterOutcome::kDeleted ||
        r.outcome == ClusterOutcome::kExpired) {
      workload_.erase(r.name);
    }
  }
}

}  // namespace capigitops
