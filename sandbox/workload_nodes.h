// Nodes of a simulated workload cluster: a Node per control-plane and worker
// replica, shaped from the machine templates, and what the delivered add-ons
// change on it (Ready, providerID, GPUs). Pure: no store access.
#ifndef CAPIGITOPS_SANDBOX_WORKLOAD_NODES_H_
#define CAPIGITOPS_SANDBOX_WORKLOAD_NODES_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace capigitops::sandbox {

using nlohmann::json;

struct MachineShape {
  std::string instance_type;  // "" when the template names none
  int64_t cpus = 4;
  int64_t memory_mib = 16384;
  int64_t gpus = 0;
};

// What the cluster's add-ons have delivered so far.
struct DeliveredAddons {
  bool cni = false;
  bool ccm = false;
  bool csi = false;
  bool gpu = false;
};

// "aws", "gce", "azure", "vsphere", "openstack", "docker" (Docker and Dev),
// from the kind of the Cluster's infrastructureRef; "" when unknown.
std::string ProviderOfInfraKind(const std::string& kind);
// Whether nodes wait for an external cloud-controller-manager.
bool NeedsCloudControllerManager(const std::string& provider);

// The shape from an infrastructure machine template (GCP guestAccelerators,
// AWS instanceType, Azure vmSize, vSphere numCPUs/memoryMiB/pciDevices,
// OpenStack flavor) and the cluster-autoscaler capacity annotations of the
// MachineDeployment, which win where present.
MachineShape ShapeOf(const json& infra_template, const json& md_annotations);

struct NodePlan {
  std::string name;
  std::string provider;
  std::string cluster;
  std::string cluster_namespace;
  std::string owner_kind;  // "MachineSet" or "KubeadmControlPlane"
  std::string owner_name;  // MachineDeployment or control plane name
  bool control_plane = false;
  std::string version;  // kubelet version, "v1.32.0"
  MachineShape shape;
  json labels = json::object();  // from the template and --node-labels
  json taints = json::array();   // kubeadm nodeRegistration taints
};

// The Node as the kubelet, the cloud-controller-manager, the CNI and the
// GPU operator would leave it. `live` (or null) keeps creation metadata and
// the providerID once set.
json BuildNode(const NodePlan& plan, const DeliveredAddons& addons,
               const json* live, const std::string& now);

// obj[key] when it is an object, else {}: user objects may hold nulls.
json Field(const json& obj, const char* key);

// Sums the nvidia.com/gpu limits (else requests) of a Pod's containers.
int64_t PodGpuRequest(const json& pod);
// Whether the Pod tolerates every NoSchedule/NoExecute taint of the Node.
bool ToleratesTaints(const json& pod, const json& node);
bool NodeIsReady(const json& node);
int64_t NodeAllocatableGpus(const json& node);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_WORKLOAD_NODES_H_
