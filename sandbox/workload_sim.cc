// Nodes, the scheduler and the Job controller of the workload clusters.
#include "workload_sim.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "capi_status.h"
#include "util.h"

namespace capigitops::sandbox {
namespace {

const char kCapiGroup[] = "cluster.x-k8s.io";

std::vector<json> ListWl(Store* store, const std::string& group,
                         const std::string& resource) {
  return store
      ->List(group, resource, "", std::nullopt, 0,
             [](const json&) { return true; })
      .items;
}

std::string MetaName(const json& o) { return o["metadata"].value("name", ""); }
std::string MetaNs(const json& o) {
  return o["metadata"].value("namespace", "");
}

std::optional<json> GetRef(Store* mgmt, const json& ref,
                           const std::string& ns) {
  if (!ref.is_object()) return std::nullopt;
  return mgmt->Get(
      {RefGroup(ref), RefResource(ref), ns, ref.value("name", "")});
}

int64_t ReadyReplicas(const json& obj) {
  json s = Field(obj, "status");
  return s.contains("readyReplicas") && s["readyReplicas"].is_number_integer()
             ? s["readyReplicas"].get<int64_t>()
             : 0;
}

// --node-labels of a kubeadm nodeRegistration (v1beta2 list or v1beta1 map).
void AddKubeletNodeLabels(const json& registration, json* labels) {
  json args = registration.value("kubeletExtraArgs", json());
  std::string value;
  if (args.is_array()) {
    for (const json& a : args) {
      if (a.value("name", "") == "node-labels") value = a.value("value", "");
    }
  } else if (args.is_object()) {
    value = args.value("node-labels", "");
  }
  size_t start = 0;
  while (start < value.size()) {
    size_t end = value.find(',', start);
    if (end == std::string::npos) end = value.size();
    std::string kv = value.substr(start, end - start);
    size_t eq = kv.find('=');
    if (eq != std::string::npos)
      (*labels)[kv.substr(0, eq)] = kv.substr(eq + 1);
    start = end + 1;
  }
}

// Machine labels CAPI copies onto the Node.
void AddSyncedLabels(const json& template_labels, json* labels) {
  if (!template_labels.is_object()) return;
  for (const auto& [k, v] : template_labels.items()) {
    if (k.rfind("node-role.kubernetes.io/", 0) == 0 ||
        k.rfind("node-restriction.kubernetes.io/", 0) == 0 ||
        k.rfind("node.cluster.x-k8s.io/", 0) == 0) {
      (*labels)[k] = v;
    }
  }
}

void PlanControlPlane(Store* mgmt, const json& cluster, NodePlan base,
                      std::vector<NodePlan>* out) {
  const std::string ns = MetaNs(cluster);
  json spec = Field(cluster, "spec");
  std::optional<json> cp =
      GetRef(mgmt, spec.value("controlPlaneRef", json()), ns);
  if (!cp) return;
  json cps = Field(*cp, "spec");
  json mt = Field(cps, "machineTemplate");
  json infra_ref = Field(mt, "spec").value("infrastructureRef", json());
  if (!infra_ref.is_object()) infra_ref = mt.value("infrastructureRef", json());
  std::optional<json> tmpl = GetRef(mgmt, infra_ref, ns);
  json reg = Field(Field(Field(cps, "kubeadmConfigSpec"), "initConfiguration"),
                   "nodeRegistration");
  base.control_plane = true;
  base.owner_kind = cp->value("kind", "KubeadmControlPlane");
  base.owner_name = MetaName(*cp);
  base.version = cps.value("version", "");
  base.shape = ShapeOf(tmpl ? *tmpl : json(), json::object());
  base.taints =
      reg.contains("taints")
          ? reg["taints"]
          : json::array({{{"key", "node-role.kubernetes.io/control-plane"},
                          {"effect", "NoSchedule"}}});
  AddKubeletNodeLabels(reg, &base.labels);
  for (int64_t i = 0; i < ReadyReplicas(*cp); ++i) {
    NodePlan p = base;
    p.name = base.owner_name + "-" + std::to_string(i);
    out->push_back(std::move(p));
  }
}

void PlanMachineDeployment(Store* mgmt, const json& md, NodePlan base,
                           std::vector<NodePlan>* out) {
  const std::string ns = MetaNs(md);
  json tspec = Field(Field(md, "spec"), "template");
  json mspec = Field(tspec, "spec");
  std::optional<json> tmpl =
      GetRef(mgmt, mspec.value("infrastructureRef", json()), ns);
  std::optional<json> boot =
      GetRef(mgmt, Field(mspec, "bootstrap").value("configRef", json()), ns);
  json reg =
      boot ? Field(Field(Field(Field(Field(*boot, "spec"), "template"), "spec"),
                         "joinConfiguration"),
                   "nodeRegistration")
           : json::object();
  base.owner_kind = "MachineSet";
  base.owner_name = MetaName(md);
  base.version = mspec.value("version", "");
  base.shape =
      ShapeOf(tmpl ? *tmpl : json(), Field(md["metadata"], "annotations"));
  base.taints = reg.value("taints", json::array());
  AddSyncedLabels(Field(tspec, "metadata").value("labels", json()),
                  &base.labels);
  AddKubeletNodeLabels(reg, &base.labels);
  for (int64_t i = 0; i < ReadyReplicas(md); ++i) {
    NodePlan p = base;
    p.name = base.owner_name + "-" + std::to_string(i);
    out->push_back(std::move(p));
  }
}

void ReconcileNodes(Store* mgmt, const json& cluster,
                    const std::vector<json>& machine_deployments,
                    WorkloadCluster* wl, const DeliveredAddons& addons) {
  std::vector<NodePlan> plans = PlanNodes(mgmt, cluster, machine_deployments);
  std::set<std::string> wanted;
  std::string now = NowRfc3339();
  for (const NodePlan& plan : plans) {
    wanted.insert(plan.name);
    wl->store.Write({"", "nodes", "", plan.name},
                    [&](const json* live) -> ApiOr<json> {
                      return BuildNode(plan, addons, live, now);
                    },
                    {false, true});
  }
  for (const json& node : ListWl(&wl->store, "", "nodes")) {
    json ann = Field(node["metadata"], "annotations");
    if (!ann.contains("cluster.x-k8s.io/machine") ||
        wanted.count(MetaName(node))) {
      continue;
    }
    wl->store.Delete({"", "nodes", "", MetaName(node)}, DeleteOptions{});
  }
}

std::string Annotation(const json& obj, const std::string& key) {
  json a = Field(obj["metadata"], "annotations");
  return a.contains(key) && a[key].is_string() ? a[key].get<std::string>() : "";
}

json PodCondition(const std::string& type, bool ok, const std::string& reason,
                  const std::string& message, const std::string& now) {
  json c = {{"type", type},
            {"status", ok ? "True" : "False"},
            {"lastProbeTime", nullptr},
            {"lastTransitionTime", now}};
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  return c;
}

std::string LowerHex(size_t n) { return RandomHex((n + 1) / 2).substr(0, n); }

// Which node the pod fits on, or why none: as the scheduler's filters.
std::string FindNode(const json& pod, const std::vector<json>& nodes,
                     const std::map<std::string, int64_t>& used,
                     std::string* why) {
  int64_t gpus = PodGpuRequest(pod);
  json selector = Field(Field(pod, "spec"), "nodeSelector");
  std::map<std::string, int> reasons;
  for (const json& node : nodes) {
    json labels = Field(node["metadata"], "labels");
    bool selected = true;
    for (const auto& [k, v] : selector.items()) {
      if (!labels.contains(k) || labels[k] != v) selected = false;
    }
    if (!selected) {
      ++reasons["node(s) didn't match Pod's node affinity/selector"];
    } else if (!ToleratesTaints(pod, node)) {
      ++reasons["node(s) had untolerated taint(s)"];
    } else if (!NodeIsReady(node)) {
      ++reasons["node(s) were not ready"];
    } else if (gpus > 0 &&
               NodeAllocatableGpus(node) - (used.count(MetaName(node))
                                                ? used.at(MetaName(node))
                                                : 0) <
                   gpus) {
      ++reasons["Insufficient nvidia.com/gpu"];
    } else {
      return MetaName(node);
    }
  }
  *why = "0/" + std::to_string(nodes.size()) + " nodes are available";
  std::string sep = ": ";
  for (const auto& [reason, n] : reasons) {
    *why += sep + std::to_string(n) + " " + reason;
    sep = ", ";
  }
  *why += ".";
  return "";
}

json ContainerStatuses(const json& pod, bool running, const std::string& now,
                       const std::string& started) {
  json out = json::array();
  for (const json& c : Field(pod, "spec").value("containers", json::array())) {
    json state = running ? json{{"running", {{"startedAt", started}}}}
                         : json{{"terminated",
                                 {{"exitCode", 0},
                                  {"reason", "Completed"},
                                  {"startedAt", started},
                                  {"finishedAt", now}}}};
    out.push_back({{"name", c.value("name", "")},
                   {"image", c.value("image", "")},
                   {"imageID", ""},
                   {"containerID", "containerd://" + RandomHex(32)},
                   {"ready", running},
                   {"started", running},
                   {"restartCount", 0},
                   {"state", state}});
  }
  return out;
}

void SetPodStatus(WorkloadCluster* wl, const json& pod,
                  const std::function<void(json*)>& fn) {
  wl->store.Write({"", "pods", MetaNs(pod), MetaName(pod)},
                  [&](const json* live) -> ApiOr<json> {
                    json obj = *live;
                    fn(&obj);
                    return obj;
                  },
                  {false, false});
}

void RunPods(const AddonContext& ctx, WorkloadCluster* wl) {
  std::vector<json> nodes = ListWl(&wl->store, "", "nodes");
  std::vector<json> pods = ListWl(&wl->store, "", "pods");
  std::map<std::string, int64_t> used;  // GPUs bound per node
  for (const json& pod : pods) {
    std::string phase = Field(pod, "status").value("phase", "");
    std::string node = Field(pod, "spec").value("nodeName", "");
    if (!node.empty() && phase != "Succeeded" && phase != "Failed") {
      used[node] += PodGpuRequest(pod);
    }
  }
  std::string now = NowRfc3339();
  for (const json& pod : pods) {
    if (pod["metadata"].contains("deletionTimestamp")) continue;
    json status = Field(pod, "status");
    std::string phase = status.value("phase", "");
    std::string node = Field(pod, "spec").value("nodeName", "");
    if (phase == "Succeeded" || phase == "Failed") continue;
    if (phase == "Running") {
      std::optional<int64_t> run_for =
          ParseDuration(Annotation(pod, kRunForAnnotation));
      if (!run_for) continue;
      double ran = ctx.age("running/" + pod["metadata"].value("uid", ""));
      if (ran < static_cast<double>(*run_for)) continue;
      std::string started = status.value("startTime", now);
      SetPodStatus(wl, pod, [&](json* p) {
        json& s = (*p)["status"];
        if (!s.is_object()) s = json::object();
        s["phase"] = "Succeeded";
        s["conditions"] = {
            PodCondition("PodScheduled", true, "", "", started),
            PodCondition("Initialized", true, "PodCompleted", "", started),
            PodCondition("Ready", false, "PodCompleted", "", now),
            PodCondition("ContainersReady", false, "PodCompleted", "", now)};
        s["containerStatuses"] = ContainerStatuses(*p, false, now, started);
      });
      continue;
    }
    std::string why;
    if (node.empty()) node = FindNode(pod, nodes, used, &why);
    if (node.empty()) {
      SetPodStatus(wl, pod, [&](json* p) {
        json& s = (*p)["status"];
        if (!s.is_object()) s = json::object();
        std::string since = now;
        for (const json& c : s.value("conditions", json::array())) {
          if (c.value("type", "") == "PodScheduled" &&
              c.value("message", "") == why) {
            since = c.value("lastTransitionTime", now);
          }
        }
        s["phase"] = "Pending";
        s["conditions"] = {
            PodCondition("PodScheduled", false, "Unschedulable", why, since)};
        s["qosClass"] = "BestEffort";
      });
      continue;
    }
    used[node] += PodGpuRequest(pod);
    ctx.age("running/" + pod["metadata"].value("uid", ""));  // starts the clock
    SetPodStatus(wl, pod, [&](json* p) {
      (*p)["spec"]["nodeName"] = node;
      json& s = (*p)["status"];
      if (!s.is_object()) s = json::object();
      s["phase"] = "Running";
      s["hostIP"] = "10.0.0.10";
      s["podIP"] = "192.168.0." + std::to_string(1 + std::rand() % 250);
      s["startTime"] = now;
      s["qosClass"] = "BestEffort";
      s["conditions"] = {
          PodCondition("PodReadyToStartContainers", true, "", "", now),
          PodCondition("Initialized", true, "", "", now),
          PodCondition("Ready", true, "", "", now),
          PodCondition("ContainersReady", true, "", "", now),
          PodCondition("PodScheduled", true, "", "", now)};
      s["containerStatuses"] = ContainerStatuses(*p, true, now, now);
    });
  }
}

bool HasTrueCondition(const json& obj, const std::string& type) {
  for (const json& c :
       Field(obj, "status").value("conditions", json::array())) {
    if (c.value("type", "") == type && c.value("status", "") == "True") {
      return true;
    }
  }
  return false;
}

int64_t SpecInt(const json& spec, const char* field, int64_t fallback) {
  return spec.contains(field) && spec[field].is_number_integer()
             ? spec[field].get<int64_t>()
             : fallback;
}

json JobPod(const json& job) {
  json tmpl = Field(job["spec"], "template");
  json meta = Field(tmpl, "metadata");
  std::string uid = job["metadata"].value("uid", "");
  std::string name = MetaName(job);
  json labels = Field(meta, "labels");
  labels["batch.kubernetes.io/controller-uid"] = uid;
  labels["batch.kubernetes.io/job-name"] = name;
  labels["controller-uid"] = uid;
  labels["job-name"] = name;
  json annotations = Field(meta, "annotations");
  std::string run_for = Annotation(job, kRunForAnnotation);
  if (!run_for.empty() && !annotations.contains(kRunForAnnotation)) {
    annotations[kRunForAnnotation] = run_for;
  }
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata",
               {{"name", name + "-" + LowerHex(5)},
                {"namespace", MetaNs(job)},
                {"labels", labels},
                {"ownerReferences",
                 {{{"apiVersion", "batch/v1"},
                   {"kind", "Job"},
                   {"name", name},
                   {"uid", uid},
                   {"controller", true},
                   {"blockOwnerDeletion", true}}}}}},
              {"spec", Field(tmpl, "spec")},
              {"status", {{"phase", "Pending"}}}};
  if (!annotations.empty()) pod["metadata"]["annotations"] = annotations;
  return pod;
}

json JobCondition(const std::string& type, const std::string& reason,
                  const std::string& message, const std::string& now) {
  return {{"type", type},         {"status", "True"},
          {"reason", reason},     {"message", message},
          {"lastProbeTime", now}, {"lastTransitionTime", now}};
}

void ReconcileJob(WorkloadCluster* wl, const json& job,
                  const std::vector<json>& pods) {
  if (job["metadata"].contains("deletionTimestamp") ||
      HasTrueCondition(job, "Complete") || HasTrueCondition(job, "Failed")) {
    return;  // finished, or a test set its status itself
  }
  json spec = Field(job, "spec");
  if (spec.value("suspend", false)) return;
  int64_t completions = SpecInt(spec, "completions", 1);
  int64_t parallelism = SpecInt(spec, "parallelism", 1);
  int64_t backoff = SpecInt(spec, "backoffLimit", 6);
  std::string uid = job["metadata"].value("uid", "");
  int64_t active = 0, ready = 0, succeeded = 0, failed = 0;
  for (const json& pod : pods) {
    bool owned = false;
    for (const json& o :
         pod["metadata"].value("ownerReferences", json::array())) {
      if (o.value("uid", "") == uid) owned = true;
    }
    if (!owned) continue;
    std::string phase = Field(pod, "status").value("phase", "");
    if (phase == "Succeeded") {
      ++succeeded;
    } else if (phase == "Failed") {
      ++failed;
    } else {
      ++active;
      if (phase == "Running") ++ready;
    }
  }
  std::string now = NowRfc3339();
  bool complete = succeeded >= completions;
  bool failed_out = !complete && failed > backoff;
  int64_t want = complete || failed_out
                     ? 0
                     : std::min(parallelism, completions - succeeded) - active;
  for (int64_t i = 0; i < want; ++i) {
    json pod = JobPod(job);
    wl->store.Write({"", "pods", MetaNs(job), MetaName(pod)},
                    [&](const json*) -> ApiOr<json> { return pod; },
                    {false, true});
    ++active;
  }
  wl->store.Write(
      {"batch", "jobs", MetaNs(job), MetaName(job)},
      [&](const json* live) -> ApiOr<json> {
        json obj = *live;
        json& s = obj["status"];
        if (!s.is_object()) s = json::object();
        if (!s.contains("startTime")) s["startTime"] = now;
        s["active"] = complete || failed_out ? 0 : active;
        s["ready"] = complete || failed_out ? 0 : ready;
        s["succeeded"] = succeeded;
        s["failed"] = failed;
        s["terminating"] = 0;
        s["uncountedTerminatedPods"] = json::object();
        if (complete) {
          s["completionTime"] = now;
          s["conditions"] = {
              JobCondition("SuccessCriteriaMet", "CompletionsReached",
                           "Reached expected number of succeeded pods", now),
              JobCondition("Complete", "CompletionsReached",
                           "Reached expected number of succeeded pods", now)};
        } else if (failed_out) {
          s["conditions"] = {
              JobCondition("FailureTarget", "BackoffLimitExceeded",
                           "Job has reached the specified backoff limit", now),
              JobCondition("Failed", "BackoffLimitExceeded",
                           "Job has reached the specified backoff limit", now)};
        }
        return obj;
      },
      {false, false});
}

}  // namespace

namespace {

constexpr char kMaxSizeAnnotation[] =
    "cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size";

// Whether a cluster-autoscaler for this Cluster runs on the management
// cluster (a Deployment with the clusterapi provider discovering it).
bool HasAutoscaler(const std::vector<json>& deployments,
                   const std::string& cluster) {
  for (const json& d : deployments) {
    json containers = Field(Field(Field(d, "spec"), "template"), "spec")
                          .value("containers", json::array());
    for (const json& c : containers) {
      bool clusterapi = false, discovers = false;
      for (const json& a : c.value("args", json::array())) {
        if (!a.is_string()) continue;
        std::string arg = a.get<std::string>();
        if (arg == "--cloud-provider=clusterapi") clusterapi = true;
        if (arg.find("clusterName=" + cluster) != std::string::npos &&
            arg.find("--node-group-auto-discovery=clusterapi:") == 0) {
          discovers = true;
        }
      }
      if (clusterapi && discovers) return true;
    }
  }
  return false;
}

// The cluster-autoscaler's clusterapi provider, reduced to what GPU work
// needs: a GPU Pod the scheduler cannot place grows the first autoscaled
// MachineDeployment whose nodes have enough GPUs by one replica (once the
// previous scale-up is ready), and a group above its max size shrinks to
// it. It never scales down idle nodes.
void SimulateAutoscaler(const AddonContext& ctx, WorkloadCluster* wl,
                        const std::vector<json>& mds) {
  int64_t wanted_gpus = 0;
  for (const json& pod : ListWl(&wl->store, "", "pods")) {
    for (const json& c :
         Field(pod, "status").value("conditions", json::array())) {
      if (c.value("type", "") == "PodScheduled" &&
          c.value("reason", "") == "Unschedulable") {
        wanted_gpus = std::max(wanted_gpus, PodGpuRequest(pod));
      }
    }
  }
  bool scaled = false;
  for (const json& md : mds) {
    json ann = Field(md["metadata"], "annotations");
    if (!ann.contains(kMaxSizeAnnotation)) continue;
    int64_t max = 0;
    try {
      max = std::stoll(ann[kMaxSizeAnnotation].get<std::string>());
    } catch (const std::exception&) {
      continue;
    }
    int64_t desired = DesiredReplicas(md);
    int64_t target = desired;
    if (desired > max) {
      target = max;
    } else if (!scaled && wanted_gpus > 0 && desired < max &&
               ReadyReplicas(md) >= desired &&
               ShapeOf(json(), ann).gpus >= wanted_gpus) {
      target = desired + 1;
      scaled = true;
    }
    if (target == desired) continue;
    ctx.mgmt->Write(
        {kCapiGroup, "machinedeployments", MetaNs(md), MetaName(md)},
        [&](const json* live) -> ApiOr<json> {
          json obj = *live;
          obj["spec"]["replicas"] = target;
          return obj;
        },
        {false, false});
  }
}

}  // namespace

std::vector<NodePlan> PlanNodes(Store* mgmt, const json& cluster,
                                const std::vector<json>& machine_deployments) {
  std::vector<NodePlan> out;
  NodePlan base;
  base.cluster = MetaName(cluster);
  base.cluster_namespace = MetaNs(cluster);
  base.provider = ProviderOfInfraKind(
      Field(Field(cluster, "spec"), "infrastructureRef").value("kind", ""));
  PlanControlPlane(mgmt, cluster, base, &out);
  for (const json& md : machine_deployments) {
    if (!md["metadata"].contains("deletionTimestamp")) {
      PlanMachineDeployment(mgmt, md, base, &out);
    }
  }
  return out;
}

void ReconcileWorkloads(const AddonContext& ctx,
                        const std::vector<json>& clusters) {
  ReconcileClusterResourceSets(ctx, clusters);
  ReconcileHelmChartProxies(ctx, clusters);
  // Listed once per pass and grouped: a sandbox with a thousand clusters
  // must not list every MachineDeployment for each of them.
  std::map<std::string, std::vector<json>> mds, proxies, deployments;
  for (json& d : ListWl(ctx.mgmt, "apps", "deployments")) {
    deployments[MetaNs(d)].push_back(std::move(d));
  }
  for (json& md : ListWl(ctx.mgmt, kCapiGroup, "machinedeployments")) {
    std::string key =
        MetaNs(md) + "/" + Field(md, "spec").value("clusterName", "");
    mds[key].push_back(std::move(md));
  }
  for (json& hrp :
       ListWl(ctx.mgmt, "addons.cluster.x-k8s.io", "helmreleaseproxies")) {
    std::string key = MetaNs(hrp) + "/" +
                      Field(hrp["metadata"], "labels")
                          .value("cluster.x-k8s.io/cluster-name", "");
    proxies[key].push_back(std::move(hrp));
  }
  std::set<std::string> live;
  for (const json& cluster : clusters) {
    std::string key = MetaNs(cluster) + "/" + MetaName(cluster);
    live.insert(key);
    std::shared_ptr<WorkloadCluster> wl =
        ctx.workloads->Find(MetaNs(cluster), MetaName(cluster));
    if (!wl) continue;
    try {
      ReconcileNodes(ctx.mgmt, cluster, mds[key], wl.get(),
                     Delivered(ctx, cluster, *wl, proxies[key]));
      RunPods(ctx, wl.get());
      if (HasAutoscaler(deployments[MetaNs(cluster)], MetaName(cluster))) {
        SimulateAutoscaler(ctx, wl.get(), mds[key]);
      }
      std::vector<json> pods = ListWl(&wl->store, "", "pods");
      for (const json& job : ListWl(&wl->store, "batch", "jobs")) {
        ReconcileJob(wl.get(), job, pods);
      }
    } catch (const json::exception& e) {
      // Objects are user input: a malformed one must not stop the others.
      std::fprintf(stderr, "capi-sandbox: workload %s: %s\n", key.c_str(),
                   e.what());
    }
  }
  for (const std::shared_ptr<WorkloadCluster>& wl : ctx.workloads->All()) {
    if (!live.count(wl->ns + "/" + wl->name)) {
      ctx.workloads->Remove(wl->ns, wl->name);
    }
  }
}

}  // namespace capigitops::sandbox
