// cluster-autoscaler annotations (clusterapi cloud provider) and the GPUs of
// a pool, which both the annotations and the node labels need.
#include <string>

#include "capigitops/machine_catalog.h"
#include "render/common.h"

namespace capigitops::render {
namespace {

constexpr char kMinSize[] =
    "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size";
constexpr char kMaxSize[] =
    "cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size";
constexpr char kCapacity[] = "capacity.cluster-autoscaler.kubernetes.io/";
// The device plugin's resource name; the autoscaler needs it to know a node
// from this group would satisfy a pending GPU pod.
constexpr char kGpuResource[] = "nvidia.com/gpu";

std::string JoinLabels(
    const std::vector<std::pair<std::string, std::string>>& labels) {
  std::string out;
  for (const auto& [key, value] : labels) {
    if (!out.empty()) out += ",";
    out += key + "=" + value;
  }
  return out;
}

// "key=value:Effect,key2:Effect" as the autoscaler parses it.
std::string JoinTaints(const std::vector<Taint>& taints) {
  std::string out;
  for (const Taint& taint : taints) {
    if (!out.empty()) out += ",";
    out += taint.key;
    if (!taint.value.empty()) out += "=" + taint.value;
    out += ":" + taint.effect;
  }
  return out;
}

}  // namespace

bool Hibernated(const RenderContext& ctx, const NodePool& pool) {
  return ctx.req.hibernate && ctx.req.IsGpuPool(pool);
}

std::optional<PoolGpu> PoolGpus(const RenderContext& ctx,
                                const NodePool& pool) {
  if (pool.accelerator && pool.accelerator->count > 0) {
    return PoolGpu{pool.accelerator->type, pool.accelerator->count};
  }
  auto shape =
      LookupMachineShape(ctx.req.provider, pool.machine_type, ctx.settings());
  if (shape && shape->gpu_count > 0) {
    return PoolGpu{shape->gpu_type, shape->gpu_count};
  }
  return std::nullopt;
}

nlohmann::json AutoscalerAnnotations(const RenderContext& ctx,
                                     const NodePool& pool) {
  nlohmann::json ann = nlohmann::json::object();
  if (!pool.autoscaling) return ann;
  ann[kMinSize] = std::to_string(pool.autoscaling->min);
  ann[kMaxSize] = std::to_string(pool.autoscaling->max);
  if (Hibernated(ctx, pool)) {
    // max 0 keeps the autoscaler from scaling a hibernated pool back up.
    ann[kMinSize] = "0";
    ann[kMaxSize] = "0";
  }

  auto gpu = PoolGpus(ctx, pool);
  if (pool.autoscaling->min > 0 && !gpu) return ann;
  // A group at zero has no node to learn its capacity from, and GCP and
  // vSphere templates publish no status.capacity: tell the autoscaler.
  std::string prefix = kCapacity;
  auto shape =
      LookupMachineShape(ctx.req.provider, pool.machine_type, ctx.settings());
  if (shape && shape->HasCapacity()) {
    ann[prefix + "cpu"] = std::to_string(shape->cpus);
    ann[prefix + "memory"] = std::to_string(shape->memory_mib) + "Mi";
  }
  if (gpu) {
    ann[prefix + "gpu-type"] = kGpuResource;
    ann[prefix + "gpu-count"] = std::to_string(gpu->count);
  }
  auto labels = NodeLabels(ctx, pool);
  if (!labels.empty()) ann[prefix + "labels"] = JoinLabels(labels);
  // The node kubeadm registers carries these taints; a template node
  // without them would let the autoscaler scale up for pods that do not
  // tolerate them.
  auto taints = NodeTaints(ctx, pool);
  if (!taints.empty()) ann[prefix + "taints"] = JoinTaints(taints);
  return ann;
}

}  // namespace capigitops::render
