// The idle signals of one workload cluster (addons-and-idle.md section 2.2):
// GPU Pods that are Pending or Running, active Jobs, Kueue Workloads not
// finished, outside the ignored namespaces. A few LISTs per cluster.
#include "reconcile/idle_signals.h"

#include <nlohmann/json.hpp>

#include "util/parallel.h"

namespace capigitops {
namespace {

using nlohmann::json;

// GPUs as device plugins name them; MIG slices carry a prefix.
bool IsGpuResource(const std::string& name) {
  return name == "nvidia.com/gpu" || name.rfind("nvidia.com/mig-", 0) == 0 ||
         name == "amd.com/gpu";
}

// The GPU resource a container asks for ("" for none); limits first, since
// GPUs are only supposed to be set there (requests default to them).
std::string GpuRequest(const json& container) {
  const json resources = container.value("resources", json::object());
  for (const char* part : {"limits", "requests"}) {
    const json block = resources.value(part, json::object());
    if (!block.is_object()) continue;
    for (const auto& [name, quantity] : block.items()) {
      bool zero = quantity == "0" || quantity == 0;
      if (IsGpuResource(name) && !zero) return name;
    }
  }
  return "";
}

std::string PodGpu(const json& pod) {
  const json spec = pod.value("spec", json::object());
  for (const char* list : {"containers", "initContainers"}) {
    const json containers = spec.value(list, json::array());
    if (!containers.is_array()) continue;
    for (const json& c : containers) {
      if (!c.is_object()) continue;
      std::string gpu = GpuRequest(c);
      if (!gpu.empty()) return gpu;
    }
  }
  // A DRA claim may be a GPU too; counting it errs on the side of busy.
  const json claims = spec.value("resourceClaims", json::array());
  if (claims.is_array() && !claims.empty()) return "a resource claim";
  return "";
}

bool ConditionTrue(const json& obj, const std::string& type) {
  const json conds =
      obj.value("status", json::object()).value("conditions", json::array());
  if (!conds.is_array()) return false;
  for (const json& c : conds) {
    if (c.is_object() && c.value("type", "") == type &&
        c.value("status", "") == "True") {
      return true;
    }
  }
  return false;
}

// A Job runs pods, or will: active pods, or neither suspended nor finished.
bool JobActive(const json& job) {
  const json status = job.value("status", json::object());
  const json active = status.value("active", json(0));
  if (active.is_number_integer() && active.get<int64_t>() > 0) return true;
  if (ConditionTrue(job, "Complete") || ConditionTrue(job, "Failed")) {
    return false;
  }
  const json suspend =
      job.value("spec", json::object()).value("suspend", json(false));
  return !(suspend.is_boolean() && suspend.get<bool>());
}

std::string Where(const json& obj) {
  const json meta = obj.value("metadata", json::object());
  return meta.value("namespace", "") + "/" + meta.value("name", "");
}

bool Ignored(const json& obj, const std::set<std::string>& ignored) {
  return ignored.count(
             obj.value("metadata", json::object()).value("namespace", "")) > 0;
}

// Lists `kind`; on failure the observation becomes unreadable.
bool ListAll(KubeApi& api, const std::string& api_version,
             const std::string& kind, IdleObservation* obs,
             std::vector<json>* out) {
  StatusOr<ResourceInfo> r = api.Resolve(api_version, kind);
  StatusOr<std::vector<json>> items =
      r.ok() ? api.List(*r, "", "") : StatusOr<std::vector<json>>(r.status());
  if (!items.ok()) {
    obs->readable = false;
    obs->unreadable = "listing " + kind + "s: " + items.status().message();
    return false;
  }
  *out = std::move(items).value();
  return true;
}

// Kueue's Workloads where the kind is served; NotFound means no Kueue.
bool ObserveKueue(KubeApi& api, const std::set<std::string>& ignored,
                  IdleObservation* obs) {
  for (const char* version :
       {"kueue.x-k8s.io/v1beta2", "kueue.x-k8s.io/v1beta1"}) {
    StatusOr<ResourceInfo> r = api.Resolve(version, "Workload");
    if (!r.ok() && r.status().code() == StatusCode::kNotFound) continue;
    std::vector<json> items;
    if (!ListAll(api, version, "Workload", obs, &items)) return false;
    for (const json& w : items) {
      if (Ignored(w, ignored) || ConditionTrue(w, "Finished")) continue;
      obs->busy.push_back(
          "Kueue workload " + Where(w) +
          (ConditionTrue(w, "Admitted") ? " is admitted" : " is pending"));
    }
    return true;
  }
  return true;
}

}  // namespace

IdleObservation ObserveWorkload(KubeApi& api,
                                const std::set<std::string>& ignored) {
  IdleObservation obs;
  obs.readable = true;
  std::vector<json> items;
  if (!ListAll(api, "v1", "Node", &obs, &items)) return obs;
  for (const json& node : items) {
    if (ConditionTrue(node, "Ready")) ++obs.ready_nodes;
  }
  if (!ListAll(api, "v1", "Pod", &obs, &items)) return obs;
  for (const json& pod : items) {
    if (Ignored(pod, ignored)) continue;
    std::string phase =
        pod.value("status", json::object()).value("phase", "Pending");
    if (phase != "Pending" && phase != "Running") continue;
    std::string gpu = PodGpu(pod);
    if (gpu.empty()) continue;
    obs.busy.push_back("pod " + Where(pod) + " requests " + gpu + " (" + phase +
                       ")");
  }
  if (!ListAll(api, "batch/v1", "Job", &obs, &items)) return obs;
  for (const json& job : items) {
    if (!Ignored(job, ignored) && JobActive(job)) {
      obs.busy.push_back("job " + Where(job) + " is active");
    }
  }
  ObserveKueue(api, ignored, &obs);
  return obs;
}

std::vector<IdleObservation> ObserveWorkloads(
    WorkloadConnector& connector, const std::string& ns,
    const std::vector<std::string>& clusters,
    const std::set<std::string>& ignored, unsigned parallelism) {
  std::vector<IdleObservation> out(clusters.size());
  ParallelForBlocking(
      clusters.size(),
      [&](size_t i) {
        StatusOr<std::unique_ptr<KubeApi>> api =
            connector.Connect(ns, clusters[i]);
        if (!api.ok()) {
          out[i].unreadable =
              api.status().code() == StatusCode::kNotFound
                  ? "no kubeconfig Secret yet (" + api.status().message() + ")"
                  : api.status().message();
          return;
        }
        out[i] = ObserveWorkload(**api, ignored);
      },
      std::max(1u, std::min<unsigned>(parallelism, clusters.size())));
  return out;
}

}  // namespace capigitops
