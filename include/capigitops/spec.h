// The ClusterRequest: what a team writes in clusters/<name>.yaml.
//
// A plain value type. The loader (loader.h) fills it from YAML and checks it;
// policies, cost, expansion and TTL read it and never do I/O.
#ifndef CAPIGITOPS_SPEC_H_
#define CAPIGITOPS_SPEC_H_

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capigitops/config.h"
#include "capigitops/yaml.h"

namespace capigitops {

struct Taint {
  std::string key;
  std::string value;
  std::string effect;  // NoSchedule | PreferNoSchedule | NoExecute
};

struct Accelerator {
  std::string type;  // e.g. nvidia-tesla-v100, nvidia-tesla-t4
  int count = 0;     // per node
};

struct Autoscaling {
  int min = 0;
  int max = 0;
};

struct NodePool {
  std::string name;
  std::string machine_type;     // provider type, or a size name (vSphere)
  std::optional<int> replicas;  // exactly one of replicas and
  std::optional<Autoscaling> autoscaling;  // autoscaling is set
  bool spot = false;
  std::optional<int> disk_gib;
  std::optional<Accelerator> accelerator;
  std::map<std::string, std::string> labels;
  std::vector<Taint> taints;
  // GPU pools get the nvidia.com/gpu=present:NoSchedule taint unless this is
  // false (gpuTaint: false), so CPU pods stay off expensive nodes.
  bool gpu_taint = true;

  // Replicas at the smallest and largest size the pool may have.
  int MinReplicas() const { return autoscaling ? autoscaling->min : *replicas; }
  int MaxReplicas() const { return autoscaling ? autoscaling->max : *replicas; }
};

struct ControlPlaneSpec {
  int replicas = 1;  // 1, 3 or 5
  std::string machine_type;
};

enum class TtlKind {
  kNone,       // no ttl given
  kDuration,   // ttl: 4h (counted from the cluster's creation)
  kExpiresAt,  // expiresAt: 2026-12-01T18:00:00Z
  kNever,      // ttl: never
};

struct Ttl {
  TtlKind kind = TtlKind::kNone;
  int64_t seconds = 0;     // kDuration
  int64_t expires_at = 0;  // kExpiresAt, Unix seconds
  std::string text;        // as written: "4h", "never", "2026-12-01T18:00:00Z"
};

// spec.addons: which catalog add-ons (addons.h) the cluster gets beyond the
// ones chosen for it (its provider's cloud-controller-manager and CSI, the GPU
// operator when a pool has GPUs).
struct AddonChoice {
  std::string cni;  // empty: the repository's addons.defaults.cni
  std::vector<std::string> extra;  // opt-in add-ons by name
};

// A request's provider settings: the repository's, with spec.providerConfig
// applied. Requests without a providerConfig share one copy of the
// repository's (a copy each cost ~5 KiB per request: 50 MB at 10,000);
// Mutable() gives a request its own copy before anything writes to it.
class RequestSettings {
 public:
  RequestSettings();  // the defaults
  explicit RequestSettings(std::shared_ptr<const ProviderSettings> shared)
      : settings_(std::move(shared)) {}
  // A copy shares the settings until either side calls Mutable().
  RequestSettings(const RequestSettings& other) : settings_(other.settings_) {}
  RequestSettings& operator=(const RequestSettings& other) {
    settings_ = other.settings_;
    owned_ = false;
    return *this;
  }
  RequestSettings(RequestSettings&&) = default;
  RequestSettings& operator=(RequestSettings&&) = default;

  const ProviderSettings& get() const { return *settings_; }
  const ProviderSettings* operator->() const { return settings_.get(); }
  operator const ProviderSettings&() const { return *settings_; }
  ProviderSettings& Mutable();

 private:
  std::shared_ptr<const ProviderSettings> settings_;
  bool owned_ = false;  // settings_ is this object's own, made by Mutable()
};

struct ClusterRequest {
  std::string file;  // repository-relative path, e.g. clusters/a.yaml
  std::string name;
  std::map<std::string, std::string> labels;
  std::string owner;
  Provider provider = Provider::kDocker;
  std::string region;
  std::string zone;
  std::string kubernetes_version;  // "v1.33.4"
  ControlPlaneSpec control_plane;
  std::vector<NodePool> node_pools;
  Ttl ttl;
  bool deletion_protection = false;
  AddonChoice addons;
  // spec.idle, else capi-gitops.yaml's idle default; unset: never idle.
  std::optional<IdleSpec> idle;
  // spec.hibernate: GPU pools render at zero (set by hand or by an idle
  // decision with action hibernate).
  bool hibernate = false;
  // The repo's defaults for this provider with spec.providerConfig applied.
  RequestSettings settings;
  // Where each field was written ("spec.nodePools[0].replicas" -> 14:17), so
  // policy verdicts and later errors can point at the line.
  std::map<std::string, yaml::Mark> marks;

  int TotalAccelerators(bool at_max) const;
  bool HasAccelerators() const;
  bool HasSpot() const;
  // A pool whose nodes have GPUs: an accelerator, or a machine type that
  // comes with GPUs (a2-highgpu-1g, g4dn.xlarge). Hibernation scales these.
  bool IsGpuPool(const NodePool& pool) const;
  bool HasGpuPools() const;
  yaml::Mark MarkOf(const std::string& field) const;
};

// Node labels Cluster API copies from the Machine to the Node
// (node-role.kubernetes.io/*, the node-restriction.kubernetes.io and
// node.cluster.x-k8s.io domains): the kubelet may not set the first two on
// itself, so they go on the MachineDeployment's machine template, not into
// --node-labels.
bool IsCapiSyncedNodeLabel(std::string_view key);

}  // namespace capigitops

#endif  // CAPIGITOPS_SPEC_H_
