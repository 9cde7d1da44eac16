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
  PlanReview Review() const { return ReviewFor(plan, ev, LiveState{}); }
};

TEST(PlanOutputTest, MarkdownIsAPullRequestCommentWhereDeletionsStandOut) {
  Fixture f;
  std::string md = PlanMarkdown(f.plan, f.ev, f.Review());
  EXPECT_EQ(md.rfind("<!-- capi-gitops-plan -->", 0), 0u);
  EXPECT_NE(
      md.find("**1 cluster will be DELETED** by this change: `old-experiment`"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("| `old-experiment` | 🗑️ **DELETE** |"),
            std::string::npos)
      << md;
  // Unchanged clusters are one line; a TTL about to end is still named.
  EXPECT_EQ(md.find("| `llm-train` |"), std::string::npos) << md;
  EXPECT_NE(md.find("1 unchanged: `llm-train` (EXPIRES SOON: in 40m)"),
            std::string::npos)
      << md;
  // No record of what old-experiment ran: said, not guessed.
  EXPECT_NE(md.find("before spec unknown"), std::string::npos) << md;
  EXPECT_NE(md.find("- Cluster/old-experiment  (deleted first"),
            std::string::npos)
      << md;
}

TEST(PlanOutputTest, TextAndJsonShowExpiryAndDeletions) {
  Fixture f;
  std::string text = PlanText(f.plan, f.ev, f.Review(), false);
  EXPECT_NE(text.find("- DELETE  old-experiment"), std::string::npos) << text;
  EXPECT_NE(text.find("= 1 unchanged: llm-train (EXPIRES SOON: in 40m)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("0 to create, 0 to update, 1 to DELETE"),
            std::string::npos);
  nlohmann::json j = PlanJson(f.plan, f.ev, f.Review());
  EXPECT_EQ(j["summary"]["delete"], 1);
  EXPECT_EQ(j["clusters"][0]["expiresSoon"], true);
  EXPECT_EQ(j["clusters"][1]["action"], "delete");
  EXPECT_TRUE(j["changes"].get<bool>());
  EXPECT_EQ(j["unchanged"], nlohmann::json::array({"llm-train"}));
  EXPECT_EQ(j["clusters"][1]["beforeSpecKnown"], false);
  EXPECT_EQ(j["clusters"][0]["expiresAt"], "2027-01-15T08:40:00Z");
}

// An update of train: its gpu pool goes from 2 x g5.2xlarge to g5.4xlarge
// (a new machine template) and its TTL from 4h to 8h; what was applied is
// recorded on the live Cluster.
struct ReviewFixture {
  Evaluation ev;
  Plan plan;
  LiveState live;
  ReviewFixture() {
    ev.prices.currency = "USD";
    ev.prices.machine_types[Provider::kAws]["g5.2xlarge"] =
        Price{1, {}, true, {}, {}};
    ev.prices.machine_types[Provider::kAws]["g5.4xlarge"] =
        Price{2, {}, true, {}, {}};
    ev.prices.machine_types[Provider::kAws]["m5.large"] =
        Price{0.1, {}, false, {}, {}};
    ClusterRequest before;
    before.name = "train";
    before.provider = Provider::kAws;
    before.control_plane = {1, "m5.large"};
    NodePool gpu;
    gpu.name = "gpu";
    gpu.machine_type = "g5.2xlarge";
    gpu.replicas = 2;
    before.node_pools = {gpu};
    before.ttl = Ttl{TtlKind::kDuration, 4 * 3600, 0, "4h"};
    ClusterResult r;
    r.request = before;
    r.request.node_pools[0].machine_type = "g5.4xlarge";
    r.request.ttl = Ttl{TtlKind::kDuration, 8 * 3600, 0, "8h"};
    r.cost = EstimateCost(r.request, ev.prices);
    ev.clusters.push_back(r);
    ClusterResult same;
    same.request = before;
    same.request.name = "steady";
    Verdict warn;
    warn.policy = "baseline";
    warn.rule = "team-label";
    warn.message = "required label \"team\" is missing";
    same.verdicts.push_back(warn);
    ev.clusters.push_back(same);

    plan.ns = "capi-clusters";
    plan.now = 1'800'000'000;
    ClusterPlan cp;
    cp.name = "train";
    cp.action = ClusterAction::kUpdate;
    cp.inventory = Inventory{};
    cp.inventory->created_at = plan.now;
    ObjectChange md;
    md.ref =
        ObjRef{"cluster.x-k8s.io/v1beta2", "MachineDeployment", "train-gpu"};
    md.action = ObjectAction::kUpdate;
    md.changes = {{"spec.template.spec.infrastructureRef.name",
                   "train-gpu-aaaa", "train-gpu-bbbb"}};
    cp.objects.push_back(md);
    ClusterPlan steady;
    steady.name = "steady";
    plan.clusters = {steady, cp};
    live.objects[md.ref] =
        LiveObject(nlohmann::json{{"status", {{"replicas", 2}}}});
    live.objects[ObjRef{"cluster.x-k8s.io/v1beta2", "Cluster", "train"}] =
        LiveObject(nlohmann::json{
            {"metadata",
             {{"annotations",
               {{kAppliedSpecAnnotation, SpecRecord(before).dump()}}}}}});
  }
};

TEST(PlanOutputTest, TextMarkdownAndJsonCarryTheSameReview) {
  ReviewFixture f;
  PlanReview review = ReviewFor(f.plan, f.ev, f.live);
  std::string text = PlanText(f.plan, f.ev, review, false);
  std::string md = PlanMarkdown(f.plan, f.ev, review);
  const std::string facts[] = {
      "gpu.machineType g5.2xlarge → g5.4xlarge",
      "ttl 4h → 8h",
      "rolling replacement of 2 machines in pool gpu (new machine template "
      "train-gpu-bbbb)",
      "$2.10/hour → $4.10/hour",
      "expiry moves from 2027-01-15 12:00 UTC to 2027-01-15 16:00 UTC",
      "+$2.00/hour",
  };
  for (const std::string& fact : facts) {
    EXPECT_NE(text.find(fact), std::string::npos) << fact << "\n" << text;
    EXPECT_NE(md.find(fact), std::string::npos) << fact << "\n" << md;
  }
  nlohmann::json j = PlanJson(f.plan, f.ev, review);
  const nlohmann::json& c = j["clusters"][1];
  EXPECT_EQ(c["specChanges"][0]["field"], "gpu.machineType");
  EXPECT_EQ(c["specChanges"][0]["before"], "g5.2xlarge");
  EXPECT_EQ(c["specChanges"][0]["after"], "g5.4xlarge");
  EXPECT_EQ(c["replacements"][0]["machines"], 2);
  EXPECT_EQ(c["replacements"][0]["text"], facts[2]);
  EXPECT_EQ(c["hourlyBefore"]["min"], 2.1);
  EXPECT_EQ(c["hourlyAfter"]["min"], 4.1);
  EXPECT_EQ(c["expiresAtBefore"], "2027-01-15T12:00:00Z");
  EXPECT_EQ(c["expiresAt"], "2027-01-15T16:00:00Z");
  EXPECT_EQ(j["costChange"]["hourlyMin"], 2.0);
  EXPECT_EQ(c["specChanges"][1]["field"], "ttl");
  EXPECT_EQ(c["expiryMoves"], true);
  // The unchanged cluster is one line in every format.
  EXPECT_NE(text.find("= 1 unchanged: steady"), std::string::npos) << text;
  EXPECT_NE(md.find("1 unchanged: `steady`"), std::string::npos) << md;
  EXPECT_EQ(md.find("| `steady` |"), std::string::npos) << md;
  EXPECT_EQ(j["unchanged"], nlohmann::json::array({"steady"}));
  // ... and its verdicts are still reported.
  EXPECT_NE(text.find("    steady: "), std::string::npos) << text;
  EXPECT_NE(md.find("<code>steady</code>: unchanged"), std::string::npos) << md;
  EXPECT_NE(text.find("team-label"), std::string::npos) << text;
  // The callout above the table names the replacement.
  EXPECT_NE(md.find("**Machines will be replaced:**\n> - `train`: rolling"),
            std::string::npos)
      << md;
}

}  // namespace
}  // namespace capigitops
