#include "app/plan_output.h"

#include <gtest/gtest.h>

namespace capigitops {
namespace {

// One cluster created 3h20m ago with a 4h TTL, one to be deleted.
struct Fixture {
  Evaluation ev;
  Plan plan;
  Fixture() {
    ClusterResult r;
    r.request.name = "llm-train";
    r.request.provider = Provider::kGcp;
    r.request.ttl = Ttl{TtlKind::kDuration, 4 * 3600, 0, "4h"};
    r.cost.known = true;
    r.cost.hourly_min = 1;
    r.cost.hourly_max = 10;
    ev.clusters.push_back(r);
    plan.ns = "capi-clusters";
    plan.now = 1'800'000'000;
    ClusterPlan keep;
    keep.name = "llm-train";
    keep.inventory = Inventory{};
    keep.inventory->created_at = plan.now - (3 * 3600 + 20 * 60);
    ClusterPlan gone;
    gone.name = "old-experiment";
    gone.action = ClusterAction::kDelete;
    gone.reason = "removed from the repository";
    ObjectChange cluster_object;
    cluster_object.ref =
        ObjRef{"cluster.x-k8s.io/v1beta2", "Cluster", "old-experiment"};
    cluster_object.action = ObjectAction::kDelete;
    gone.objects.push_back(cluster_object);
    plan.clusters = {keep, gone};
  }
};

TEST(PlanOutputTest, MarkdownIsAPullRequestCommentWhereDeletionsStandOut) {
  Fixture f;
  std::string md = PlanMarkdown(f.plan, f.ev);
  EXPECT_EQ(md.rfind("<!-- capi-gitops-plan -->", 0), 0u);
  EXPECT_NE(
      md.find("**1 cluster will be DELETED** by this change: `old-experiment`"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("| `old-experiment` | 🗑️ **DELETE** |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| `llm-train` | unchanged | gcp | 0 | $1.00-$10.00 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("EXPIRES SOON: in 40m"), std::string::npos) << md;
  EXPECT_NE(md.find("- Cluster/old-experiment  (deleted first"),
            std::string::npos)
      << md;
}

TEST(PlanOutputTest, TextAndJsonShowExpiryAndDeletions) {
  Fixture f;
  std::string text = PlanText(f.plan, f.ev, false);
  EXPECT_NE(text.find("- DELETE  old-experiment"), std::string::npos) << text;
  EXPECT_NE(text.find("EXPIRES SOON: in 40m"), std::string::npos) << text;
  EXPECT_NE(text.find("0 to create, 0 to update, 1 to DELETE"),
            std::string::npos);
  nlohmann::json j = PlanJson(f.plan, f.ev);
  EXPECT_EQ(j["summary"]["delete"], 1);
  EXPECT_EQ(j["clusters"][0]["expiresSoon"], true);
  EXPECT_EQ(j["clusters"][1]["action"], "delete");
  EXPECT_TRUE(j["changes"].get<bool>());
}

}  // namespace
}  // namespace capigitops
