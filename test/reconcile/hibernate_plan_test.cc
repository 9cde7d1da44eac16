// The plan review says what hibernation does.
#include <gtest/gtest.h>

#include "capigitops/plan_review.h"
#include "policy/test_requests.h"

namespace capigitops {
namespace {

TEST(HibernatePlanTest, PlanSaysGpuPoolsScaledToZeroAndBack) {
  ClusterRequest awake = testing::GpuTrainingRequest();
  ClusterRequest asleep = awake;
  asleep.hibernate = true;
  std::vector<SpecChange> changes = DiffSpecs(awake, asleep);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].ToString(),
            "hibernate false → true (hibernated: GPU pools scaled to zero)");
  changes = DiffSpecs(asleep, awake);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].after, "false");
  // The record on the live Cluster keeps it, so the next plan compares
  // against it; a cluster that never hibernated keeps its old record.
  EXPECT_FALSE(SpecRecord(awake).contains("hibernate"));
  std::optional<ClusterRequest> back = RequestFromRecord(SpecRecord(asleep));
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->hibernate);
}

}  // namespace
}  // namespace capigitops
