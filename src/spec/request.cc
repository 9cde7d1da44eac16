#include "capigitops/machine_catalog.h"
#include "capigitops/spec.h"

namespace capigitops {

RequestSettings::RequestSettings() {
  static const auto* defaults = new std::shared_ptr<const ProviderSettings>(
      std::make_shared<const ProviderSettings>());
  settings_ = *defaults;
}

ProviderSettings& RequestSettings::Mutable() {
  if (!owned_) {
    settings_ = std::make_shared<ProviderSettings>(*settings_);
    owned_ = true;
  }
  // Made non-const by the line above, so writing to it is allowed.
  return const_cast<ProviderSettings&>(*settings_);
}

int ClusterRequest::TotalAccelerators(bool at_max) const {
  int total = 0;
  for (const NodePool& p : node_pools) {
    if (!p.accelerator) continue;
    total +=
        p.accelerator->count * (at_max ? p.MaxReplicas() : p.MinReplicas());
  }
  return total;
}

bool ClusterRequest::HasAccelerators() const {
  for (const NodePool& p : node_pools) {
    if (p.accelerator) return true;
  }
  return false;
}

bool ClusterRequest::HasSpot() const {
  for (const NodePool& p : node_pools) {
    if (p.spot) return true;
  }
  return false;
}

bool ClusterRequest::IsGpuPool(const NodePool& pool) const {
  if (pool.accelerator && pool.accelerator->count > 0) return true;
  auto shape = LookupMachineShape(provider, pool.machine_type, settings);
  return shape && shape->gpu_count > 0;
}

bool ClusterRequest::HasGpuPools() const {
  for (const NodePool& p : node_pools) {
    if (IsGpuPool(p)) return true;
  }
  return false;
}

yaml::Mark ClusterRequest::MarkOf(const std::string& field) const {
  auto it = marks.find(field);
  return it == marks.end() ? yaml::Mark{} : it->second;
}

}  // namespace capigitops
