// Node shapes and states. Capacities of the named instance types come from
// the clouds' public tables; unknown types keep the defaults, and the
// autoscaler capacity annotations capi-gitops renders override both.
#include "workload_nodes.h"

#include <map>

#include "util.h"

namespace capigitops::sandbox {
namespace {

constexpr char kGpuResource[] = "nvidia.com/gpu";
constexpr char kUninitializedTaint[] =
    "node.cloudprovider.kubernetes.io/uninitialized";
constexpr char kNotReadyTaint[] = "node.kubernetes.io/not-ready";
constexpr char kCapacityPrefix[] = "capacity.cluster-autoscaler.kubernetes.io/";

struct KnownShape {
  int64_t cpus;
  int64_t memory_gib;
  int64_t gpus;
};

// A few common types per cloud, including the sample repo's.
const std::map<std::string, KnownShape>& KnownShapes() {
  static const auto* shapes = new std::map<std::string, KnownShape>{
      {"t3.medium", {2, 4, 0}},
      {"m5.large", {2, 8, 0}},
      {"m5.xlarge", {4, 16, 0}},
      {"m5.2xlarge", {8, 32, 0}},
      {"g4dn.xlarge", {4, 16, 1}},
      {"g4dn.12xlarge", {48, 192, 4}},
      {"g5.xlarge", {4, 16, 1}},
      {"g5.12xlarge", {48, 192, 4}},
      {"g5.48xlarge", {192, 768, 8}},
      {"g6.xlarge", {4, 16, 1}},
      {"p3.2xlarge", {8, 61, 1}},
      {"p3.8xlarge", {32, 244, 4}},
      {"p4d.24xlarge", {96, 1152, 8}},
      {"p5.48xlarge", {192, 2048, 8}},
      {"Standard_D2s_v5", {2, 8, 0}},
      {"Standard_D4s_v5", {4, 16, 0}},
      {"Standard_D8s_v5", {8, 32, 0}},
      {"Standard_NC4as_T4_v3", {4, 28, 1}},
      {"Standard_NC64as_T4_v3", {64, 440, 4}},
      {"Standard_NC6s_v3", {6, 112, 1}},
      {"Standard_NC24ads_A100_v4", {24, 220, 1}},
      {"Standard_NC48ads_A100_v4", {48, 440, 2}},
      {"Standard_NC96ads_A100_v4", {96, 880, 4}},
      {"Standard_ND96asr_v4", {96, 900, 8}},
      {"Standard_ND96isr_H100_v5", {96, 1900, 8}},
      {"a2-highgpu-1g", {12, 85, 1}},
      {"a2-highgpu-8g", {96, 680, 8}},
      {"a3-highgpu-8g", {208, 1872, 8}},
      {"g2-standard-4", {4, 16, 1}},
  };
  return *shapes;
}

// GCP's n1/n2/e2-standard-N: N vCPUs and 3.75 or 4 GiB each.
bool GcpStandardShape(const std::string& type, MachineShape* shape) {
  for (const auto& [prefix, mib_per_cpu] :
       std::vector<std::pair<std::string, int64_t>>{{"n1-standard-", 3840},
                                                    {"n2-standard-", 4096},
                                                    {"e2-standard-", 4096}}) {
    if (type.rfind(prefix, 0) != 0) continue;
    try {
      int64_t n = std::stoll(type.substr(prefix.size()));
      shape->cpus = n;
      shape->memory_mib = n * mib_per_cpu;
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }
  return false;
}

void ApplyInstanceType(const std::string& type, MachineShape* shape) {
  shape->instance_type = type;
  auto it = KnownShapes().find(type);
  if (it != KnownShapes().end()) {
    shape->cpus = it->second.cpus;
    shape->memory_mib = it->second.memory_gib * 1024;
    shape->gpus = it->second.gpus;
    return;
  }
  GcpStandardShape(type, shape);
}

std::optional<int64_t> AnnotationInt(const json& annotations,
                                     const std::string& key) {
  if (!annotations.is_object() || !annotations.contains(key) ||
      !annotations[key].is_string()) {
    return std::nullopt;
  }
  std::string text = annotations[key].get<std::string>();
  try {
    size_t used = 0;
    int64_t n = std::stoll(text, &used);
    std::string unit = text.substr(used);
    if (unit == "Gi") n *= 1024;
    if (unit == "G") n = n * 1000 * 1000 * 1000 / (1024 * 1024);
    return n;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

json Taint(const std::string& key, const std::string& value,
           const std::string& effect) {
  json t = {{"key", key}, {"effect", effect}};
  if (!value.empty()) t["value"] = value;
  return t;
}

json Condition(const std::string& type, bool ok, const std::string& reason,
               const std::string& message, const std::string& now,
               const json* live) {
  std::string status = ok ? "True" : "False";
  std::string since = now;
  if (live != nullptr) {
    for (const json& c :
         Field(*live, "status").value("conditions", json::array())) {
      if (c.value("type", "") == type && c.value("status", "") == status) {
        since = c.value("lastTransitionTime", now);
      }
    }
  }
  return {{"type", type},
          {"status", status},
          {"reason", reason},
          {"message", message},
          {"lastHeartbeatTime", since},
          {"lastTransitionTime", since}};
}

std::string ProviderId(const NodePlan& plan) {
  const std::string& p = plan.provider;
  std::string id = RandomHex(8);
  if (p == "aws") return "aws:///us-east-1a/i-" + id + RandomHex(1);
  if (p == "gce") return "gce://sandbox-project/us-central1-a/" + plan.name;
  if (p == "azure") {
    return "azure:///subscriptions/00000000-0000-0000-0000-000000000000/"
           "resourceGroups/" +
           plan.cluster + "/providers/Microsoft.Compute/virtualMachines/" +
           plan.name;
  }
  if (p == "vsphere") return "vsphere://" + NewUid();
  if (p == "openstack") return "openstack:///" + NewUid();
  return "docker:////" + plan.name;
}

}  // namespace

std::string ProviderOfInfraKind(const std::string& kind) {
  if (kind.rfind("AWS", 0) == 0) return "aws";
  if (kind.rfind("GCP", 0) == 0) return "gce";
  if (kind.rfind("Azure", 0) == 0) return "azure";
  if (kind.rfind("VSphere", 0) == 0) return "vsphere";
  if (kind.rfind("OpenStack", 0) == 0) return "openstack";
  if (kind.rfind("Docker", 0) == 0 || kind.rfind("Dev", 0) == 0) {
    return "docker";
  }
  return "";
}

bool NeedsCloudControllerManager(const std::string& provider) {
  return provider != "docker" && !provider.empty();
}

MachineShape ShapeOf(const json& infra_template, const json& md_annotations) {
  MachineShape shape;
  const json spec =
      infra_template.is_object()
          ? Field(Field(Field(infra_template, "spec"), "template"), "spec")
          : json::object();
  for (const char* field : {"instanceType", "vmSize"}) {
    if (spec.contains(field) && spec[field].is_string()) {
      ApplyInstanceType(spec[field].get<std::string>(), &shape);
    }
  }
  if (spec.contains("flavor")) {
    const json& f = spec["flavor"];
    if (f.is_string()) shape.instance_type = f.get<std::string>();
    if (f.is_object()) {
      shape.instance_type = Field(f, "filter").value("name", "");
    }
  }
  if (spec.contains("guestAccelerators") &&
      spec["guestAccelerators"].is_array()) {
    int64_t n = 0;
    for (const json& a : spec["guestAccelerators"]) n += a.value("count", 0);
    shape.gpus = n;
  }
  if (spec.contains("numCPUs") && spec["numCPUs"].is_number_integer()) {
    shape.cpus = spec["numCPUs"].get<int64_t>();
  }
  if (spec.contains("memoryMiB") && spec["memoryMiB"].is_number_integer()) {
    shape.memory_mib = spec["memoryMiB"].get<int64_t>();
  }
  if (spec.contains("pciDevices") && spec["pciDevices"].is_array()) {
    shape.gpus = static_cast<int64_t>(spec["pciDevices"].size());
  }
  const std::string prefix = kCapacityPrefix;
  if (auto n = AnnotationInt(md_annotations, prefix + "cpu")) shape.cpus = *n;
  if (auto n = AnnotationInt(md_annotations, prefix + "memory")) {
    shape.memory_mib = *n;
  }
  if (auto n = AnnotationInt(md_annotations, prefix + "gpu-count")) {
    shape.gpus = *n;
  }
  return shape;
}

json BuildNode(const NodePlan& plan, const DeliveredAddons& addons,
               const json* live, const std::string& now) {
  json node = live != nullptr ? *live : json::object();
  node["apiVersion"] = "v1";
  node["kind"] = "Node";
  json& meta = node["metadata"];
  meta["name"] = plan.name;
  // Labels others set (kubectl label) stay; the GPU operator's go with it.
  json labels = Field(meta, "labels");
  for (const char* gfd : {"nvidia.com/gpu.present", "nvidia.com/gpu.count"}) {
    labels.erase(gfd);
  }
  if (plan.labels.is_object()) labels.update(plan.labels);
  labels["kubernetes.io/hostname"] = plan.name;
  labels["kubernetes.io/os"] = "linux";
  labels["kubernetes.io/arch"] = "amd64";
  if (plan.control_plane) labels["node-role.kubernetes.io/control-plane"] = "";
  bool initialized = addons.ccm || !NeedsCloudControllerManager(plan.provider);
  if (initialized && !plan.shape.instance_type.empty()) {
    labels["node.kubernetes.io/instance-type"] = plan.shape.instance_type;
  }
  if (addons.gpu && plan.shape.gpus > 0) {
    labels["nvidia.com/gpu.present"] = "true";
    labels["nvidia.com/gpu.count"] = std::to_string(plan.shape.gpus);
  }
  meta["labels"] = labels;
  meta["annotations"] = {
      {"cluster.x-k8s.io/cluster-name", plan.cluster},
      {"cluster.x-k8s.io/cluster-namespace", plan.cluster_namespace},
      {"cluster.x-k8s.io/machine", plan.name},
      {"cluster.x-k8s.io/owner-kind", plan.owner_kind},
      {"cluster.x-k8s.io/owner-name", plan.owner_name}};
  json taints = plan.taints.is_array() ? plan.taints : json::array();
  if (!initialized)
    taints.push_back(Taint(kUninitializedTaint, "true", "NoSchedule"));
  if (!addons.cni) taints.push_back(Taint(kNotReadyTaint, "", "NoSchedule"));
  json& spec = node["spec"];
  spec["taints"] = taints;
  if (initialized && !spec.contains("providerID")) {
    spec["providerID"] = ProviderId(plan);
  }
  if (!initialized) spec.erase("providerID");
  std::string memory = std::to_string(plan.shape.memory_mib) + "Mi";
  json capacity = {{"cpu", std::to_string(plan.shape.cpus)},
                   {"memory", memory},
                   {"pods", "110"},
                   {"ephemeral-storage", "100Gi"}};
  if (addons.gpu && plan.shape.gpus > 0) {
    capacity[kGpuResource] = std::to_string(plan.shape.gpus);
  }
  json status = {{"capacity", capacity}, {"allocatable", capacity}};
  status["nodeInfo"] = {{"kubeletVersion", plan.version},
                        {"containerRuntimeVersion", "containerd://1.7.22"},
                        {"osImage", "Ubuntu 24.04 LTS"},
                        {"operatingSystem", "linux"},
                        {"architecture", "amd64"},
                        {"kernelVersion", "6.8.0"}};
  status["addresses"] = {{{"type", "Hostname"}, {"address", plan.name}}};
  status["conditions"] = {
      Condition("MemoryPressure", false, "KubeletHasSufficientMemory", "", now,
                live),
      Condition("DiskPressure", false, "KubeletHasNoDiskPressure", "", now,
                live),
      Condition("PIDPressure", false, "KubeletHasSufficientPID", "", now, live),
      addons.cni
          ? Condition("Ready", true, "KubeletReady",
                      "kubelet is posting ready status", now, live)
          : Condition("Ready", false, "KubeletNotReady",
                      "container runtime network not ready: "
                      "NetworkReady=false reason:NetworkPluginNotReady "
                      "message:Network plugin returns error: cni plugin not "
                      "initialized",
                      now, live)};
  node["status"] = status;
  return node;
}

json Field(const json& obj, const char* key) {
  if (!obj.is_object()) return json::object();
  auto it = obj.find(key);
  return it != obj.end() && it->is_object() ? *it : json::object();
}

int64_t PodGpuRequest(const json& pod) {
  int64_t total = 0;
  for (const json& c : Field(pod, "spec").value("containers", json::array())) {
    json res = Field(c, "resources");
    for (const char* field : {"limits", "requests"}) {
      json r = res.value(field, json::object());
      if (!r.contains(kGpuResource)) continue;
      const json& v = r[kGpuResource];
      try {
        total += v.is_number_integer() ? v.get<int64_t>()
                                       : std::stoll(v.get<std::string>());
      } catch (const std::exception&) {
      }
      break;
    }
  }
  return total;
}

bool ToleratesTaints(const json& pod, const json& node) {
  json tolerations = Field(pod, "spec").value("tolerations", json::array());
  for (const json& taint : Field(node, "spec").value("taints", json::array())) {
    std::string effect = taint.value("effect", "");
    if (effect != "NoSchedule" && effect != "NoExecute") continue;
    bool tolerated = false;
    for (const json& t : tolerations) {
      std::string op = t.value("operator", "Equal");
      std::string key = t.value("key", "");
      std::string t_effect = t.value("effect", "");
      if (!t_effect.empty() && t_effect != effect) continue;
      if (op == "Exists" && (key.empty() || key == taint.value("key", ""))) {
        tolerated = true;
      } else if (op == "Equal" && key == taint.value("key", "") &&
                 t.value("value", "") == taint.value("value", "")) {
        tolerated = true;
      }
      if (tolerated) break;
    }
    if (!tolerated) return false;
  }
  return true;
}

bool NodeIsReady(const json& node) {
  for (const json& c :
       Field(node, "status").value("conditions", json::array())) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

int64_t NodeAllocatableGpus(const json& node) {
  json a = Field(Field(node, "status"), "allocatable");
  if (!a.contains(kGpuResource) || !a[kGpuResource].is_string()) return 0;
  try {
    return std::stoll(a[kGpuResource].get<std::string>());
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace capigitops::sandbox
