// The plan review says what hibernation does.
#include <gtest/gtest.h>

#include "app/plan_review_output.h"
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

// Hibernation drops the GPU pools from the $/hour in the plan (and back).
TEST(HibernatePlanTest, PlanShowsTheCostDropAndTheResume) {
  ClusterRequest awake = testing::GpuTrainingRequest();
  awake.node_pools[1].autoscaling.reset();
  awake.node_pools[1].replicas = 2;
  ClusterRequest asleep = awake;
  asleep.hibernate = true;
  PriceTable prices;
  prices.currency = "USD";
  prices.machine_types[Provider::kGcp]["n2-standard-4"] =
      Price{0.25, {}, false, {}, {}};
  prices.machine_types[Provider::kGcp]["n2-standard-8"] =
      Price{0.5, {}, false, {}, {}};
  prices.machine_types[Provider::kGcp]["n1-standard-32"] =
      Price{1.5, 0.25, false, {}, {}};
  prices.accelerators[Provider::kGcp]["nvidia-tesla-v100"] =
      Price{2.5, 0.75, false, {}, {}};
  auto review = [&](const ClusterRequest& before, const ClusterRequest& after) {
    CostEstimate cost = EstimateCost(after, prices);
    ClusterPlan cp;
    cp.name = after.name;
    cp.action = ClusterAction::kUpdate;
    cp.inventory = Inventory{};
    nlohmann::json live = {
        {"metadata",
         {{"name", after.name},
          {"annotations",
           {{kAppliedSpecAnnotation, SpecRecord(before).dump()}}}}}};
    Plan plan;
    plan.clusters = {cp};
    PlanReview r =
        ReviewPlan(plan, {{after.name, ReviewInput{&after, &cost}}}, prices,
                   {{ObjRef{"cluster.x-k8s.io/v1beta2", "Cluster", after.name},
                     LiveObject(live)}});
    return r.clusters.at(0);
  };
  // 3 x 0.25 + 2 x 0.5 = 1.75 always; the GPU pool 2 x (0.25 + 4 x 0.75).
  ClusterReview down = review(awake, asleep);
  ASSERT_TRUE(down.CostChanges());
  std::vector<std::string> lines = ReviewLines(down);
  EXPECT_NE(
      std::find(lines.begin(), lines.end(), "cost: $8.25/hour → $1.75/hour"),
      lines.end())
      << ::testing::PrintToString(lines);
  ClusterReview up = review(asleep, awake);
  lines = ReviewLines(up);
  EXPECT_NE(
      std::find(lines.begin(), lines.end(), "cost: $1.75/hour → $8.25/hour"),
      lines.end())
      << ::testing::PrintToString(lines);
}

}  // namespace
}  // namespace capigitops
