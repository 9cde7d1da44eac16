// The idle signals of one workload cluster (addons-and-idle.md section 2.2):
// GPU Pods that are Pending or Running, active Jobs, Kueue Workloads not
// finished, outside the ignored namespaces. Three or four LISTs per
// cluster, without discovery: the kinds are built in (or, for Kueue, a
// list that is not served answers 404 just as its discovery would).
#include "reconcile/idle_signals.h"

#include <nlohmann/json.hpp>

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

// Pods, Jobs and Kueue Workloads as every API server serves them: no
// discovery request is needed to find them.
const ResourceInfo kPods{"", "v1", "Pod", "pods", true};
const ResourceInfo kJobs{"batch", "v1", "Job", "jobs", true};

void Unreadable(const ResourceInfo& r, const Status& s, IdleObservation* obs,
                std::string* note) {
  obs->readable = false;
  obs->unreadable =
      "listing " + r.kind + "s: " + WorkloadFailure(s, "the list");
  *note = "listing " + r.kind + "s: " + s.message();
}

// Lists `r`; on failure the observation becomes unreadable.
bool ListAll(KubeApi& api, const ResourceInfo& r, IdleObservation* obs,
             std::vector<json>* out, std::string* note) {
  StatusOr<std::vector<json>> items = api.List(r, "", "");
  if (!items.ok()) {
    Unreadable(r, items.status(), obs, note);
    return false;
  }
  *out = std::move(items).value();
  return true;
}

// Kueue's Workloads where the kind is served; NotFound means no Kueue.
void ObserveKueue(KubeApi& api, const std::set<std::string>& ignored,
                  IdleObservation* obs, std::string* note) {
  for (const char* version : {"v1beta2", "v1beta1"}) {
    ResourceInfo r{"kueue.x-k8s.io", version, "Workload", "workloads", true};
    StatusOr<std::vector<json>> items = api.List(r, "", "");
    if (items.status().IsNotFound()) continue;
    if (!items.ok()) return Unreadable(r, items.status(), obs, note);
    for (const json& w : *items) {
      if (Ignored(w, ignored) || ConditionTrue(w, "Finished")) continue;
      obs->busy.push_back(
          "Kueue workload " + Where(w) +
          (ConditionTrue(w, "Admitted") ? " is admitted" : " is pending"));
    }
    return;
  }
}

}  // namespace

IdleObservation ObserveWorkload(KubeApi& api,
                                const std::set<std::string>& ignored,
                                std::string* note) {
  IdleObservation obs;
  obs.readable = true;
  std::vector<json> items;
  if (!ListAll(api, kPods, &obs, &items, note)) return obs;
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
  if (!ListAll(api, kJobs, &obs, &items, note)) return obs;
  for (const json& job : items) {
    if (!Ignored(job, ignored) && JobActive(job)) {
      obs.busy.push_back("job " + Where(job) + " is active");
    }
  }
  ObserveKueue(api, ignored, &obs, note);
  return obs;
}

}  // namespace capigitops
