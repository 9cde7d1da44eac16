// Held deletions in every plan format: shown as held, with the reason and
// how to release them, never as "will be DELETED".
#include <gtest/gtest.h>

#include "app/plan_output.h"

namespace capigitops {
namespace {

// Two clusters removed from the repository: one protected, one over the
// budget (with the budget exceeded, every deletion is held).
Plan HeldPlan(bool budget_exceeded) {
  Plan plan;
  plan.ns = "capi-clusters";
  plan.now = 1'800'000'000;
  for (const char* name : {"sovereign", "scratch"}) {
    ClusterPlan cp;
    cp.name = name;
    cp.action = ClusterAction::kDelete;
    cp.reason = "removed from the repository";
    ObjectChange oc;
    oc.ref = ObjRef{"cluster.x-k8s.io/v1beta2", "Cluster", name};
    oc.action = ObjectAction::kDelete;
    cp.objects.push_back(oc);
    plan.clusters.push_back(cp);
  }
  plan.clusters[0].deletion_held = true;
  plan.clusters[0].reason = "deletionProtection is true on the live cluster";
  if (budget_exceeded) {
    plan.budget_exceeded = true;
    plan.budget_message = "deletion budget exceeded: nothing is deleted";
  }
  return plan;
}

TEST(PlanHeldOutputTest, TextSaysHeldWithReasonAndRelease) {
  Evaluation ev;
  std::string text = PlanText(HeldPlan(false), ev, PlanReview{}, false);
  EXPECT_NE(text.find("= deletion HELD  sovereign"), std::string::npos) << text;
  EXPECT_NE(text.find("deletion held: deletionProtection is true"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("to release: set deletionProtection: false"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("- DELETE  scratch"), std::string::npos) << text;
  EXPECT_NE(text.find("1 to DELETE, 1 deletion held"), std::string::npos)
      << text;

  text = PlanText(HeldPlan(true), ev, PlanReview{}, false);
  EXPECT_EQ(text.find("- DELETE"), std::string::npos) << text;
  EXPECT_NE(text.find("0 to DELETE, 2 deletions held"), std::string::npos)
      << text;
  EXPECT_NE(text.find("to release: approve the deletion in approvals.yaml"),
            std::string::npos)
      << text;
}

TEST(PlanHeldOutputTest, MarkdownDoesNotCallAHeldDeletionADeletion) {
  Evaluation ev;
  std::string md = PlanMarkdown(HeldPlan(true), ev, PlanReview{});
  EXPECT_EQ(md.find("will be DELETED"), std::string::npos) << md;
  EXPECT_NE(md.find("**Deletion held** (nothing is deleted): `sovereign` "
                    "`scratch`"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| `scratch` | ✋ deletion held |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("To release: approve the deletion in approvals.yaml"),
            std::string::npos)
      << md;

  md = PlanMarkdown(HeldPlan(false), ev, PlanReview{});
  EXPECT_NE(md.find("**1 cluster will be DELETED** by this change: `scratch`"),
            std::string::npos)
      << md;
}

TEST(PlanHeldOutputTest, JsonMarksHeldWithReasonAndRelease) {
  Evaluation ev;
  nlohmann::json j = PlanJson(HeldPlan(true), ev, PlanReview{});
  EXPECT_EQ(j["summary"]["delete"], 0);
  EXPECT_EQ(j["summary"]["deletionHeld"], 2);
  EXPECT_EQ(j["clusters"][1]["deletionHeld"], true);
  EXPECT_EQ(j["clusters"][1]["heldReason"],
            "deletion budget exceeded: nothing is deleted");
  EXPECT_NE(j["clusters"][0]["release"].get<std::string>().find(
                "deletionProtection: false"),
            std::string::npos);
}

}  // namespace
}  // namespace capigitops
