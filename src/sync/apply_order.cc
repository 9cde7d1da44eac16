#include "capigitops/apply_order.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace capigitops {
namespace {

struct KindStage {
  std::string_view kind;
  ApplyStage stage;
};

// Kinds not listed are kReferenced, except infrastructure clusters (any
// other kind ending in "Cluster": AWSCluster, DockerCluster, ...), which are
// members.
constexpr KindStage kApplyOrder[] = {
    {"Cluster", ApplyStage::kCluster},
    {"KubeadmControlPlane", ApplyStage::kMembers},
    {"MachineDeployment", ApplyStage::kMembers},
    {"MachineHealthCheck", ApplyStage::kMembers},
    {"Deployment", ApplyStage::kControllers},
};

}  // namespace

ApplyStage ApplyStageOf(std::string_view kind) {
  for (const KindStage& ks : kApplyOrder) {
    if (ks.kind == kind) return ks.stage;
  }
  constexpr std::string_view kSuffix = "Cluster";
  if (kind.size() > kSuffix.size() &&
      kind.substr(kind.size() - kSuffix.size()) == kSuffix) {
    return ApplyStage::kMembers;
  }
  return ApplyStage::kReferenced;
}

void SortInApplyOrder(std::vector<nlohmann::json>* objects) {
  auto stage = [](const nlohmann::json& o) {
    auto kind = o.find("kind");
    return ApplyStageOf(kind != o.end() && kind->is_string()
                            ? kind->get_ref<const std::string&>()
                            : std::string_view());
  };
  std::stable_sort(objects->begin(), objects->end(),
                   [&](const nlohmann::json& a, const nlohmann::json& b) {
                     return stage(a) < stage(b);
                   });
}

}  // namespace capigitops
