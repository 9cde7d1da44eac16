#include "capigitops/apply_order.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "render/render_test_util.h"

namespace capigitops::testing {
namespace {

using nlohmann::json;

TEST(ApplyOrderTest, ReferencedFirstClusterLast) {
  EXPECT_EQ(ApplyStageOf("DevMachineTemplate"), ApplyStage::kReferenced);
  EXPECT_EQ(ApplyStageOf("KubeadmConfigTemplate"), ApplyStage::kReferenced);
  EXPECT_EQ(ApplyStageOf("Secret"), ApplyStage::kReferenced);
  EXPECT_EQ(ApplyStageOf("AzureClusterIdentity"), ApplyStage::kReferenced);
  EXPECT_EQ(ApplyStageOf("AWSCluster"), ApplyStage::kMembers);
  EXPECT_EQ(ApplyStageOf("KubeadmControlPlane"), ApplyStage::kMembers);
  EXPECT_EQ(ApplyStageOf("MachineDeployment"), ApplyStage::kMembers);
  EXPECT_EQ(ApplyStageOf("MachineHealthCheck"), ApplyStage::kMembers);
  EXPECT_EQ(ApplyStageOf("Cluster"), ApplyStage::kCluster);
}

TEST(ApplyOrderTest, SortIsStableByStage) {
  std::vector<json> objects = {
      {{"kind", "Cluster"}, {"n", 0}},
      {{"kind", "MachineDeployment"}, {"n", 1}},
      {{"kind", "Secret"}, {"n", 2}},
      {{"kind", "MachineDeployment"}, {"n", 3}},
      {{"kind", "Secret"}, {"n", 4}},
  };
  SortInApplyOrder(&objects);
  std::vector<int> order;
  for (const json& o : objects) order.push_back(o["n"]);
  EXPECT_EQ(order, (std::vector<int>{2, 4, 1, 3, 0}));
}

// Expand returns every provider's objects in the table's order.
TEST(ApplyOrderTest, ExpandReturnsObjectsInApplyOrder) {
  for (const ClusterRequest& req : AllProviderRequests()) {
    std::vector<json> objects = MustExpand(req);
    ASSERT_FALSE(objects.empty());
    EXPECT_EQ(objects.back()["kind"], "Cluster");
    EXPECT_TRUE(
        std::is_sorted(objects.begin(), objects.end(),
                       [](const json& a, const json& b) {
                         return ApplyStageOf(a["kind"].get<std::string>()) <
                                ApplyStageOf(b["kind"].get<std::string>());
                       }))
        << req.name;
  }
}

}  // namespace
}  // namespace capigitops::testing
