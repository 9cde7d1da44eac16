// Events on Clusters (src/reconcile/events.cc) and the per-cluster facts
// of a pass (cluster_facts.cc), in-process against FakeKubeApi, which is
// capi-sandbox's request handler: the events are stored as capi-sandbox
// stores them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/reconcile_fixture.h"

namespace capigitops::testing {
namespace {

using nlohmann::json;

class ClusterEventsTest : public ReconcileFixture {
 protected:
  std::vector<json> Events(const std::string& reason = "") {
    StatusOr<ResourceInfo> r = kube_.Resolve("v1", "Event");
    EXPECT_TRUE(r.ok());
    StatusOr<std::vector<json>> all = kube_.List(*r, "capi-clusters", "");
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    std::vector<json> out;
    for (const json& e : *all) {
      if (reason.empty() || e.value("reason", "") == reason) out.push_back(e);
    }
    return out;
  }
  static std::string Involved(const json& e) {
    return e["involvedObject"].value("name", "");
  }
};

TEST_F(ClusterEventsTest, AppliesRecordOneEventPerClusterAndANoOpPassNone) {
  PassResult r = Pass("2026-11-27T08:00:00Z");
  std::vector<json> applied = Events("Applied");
  size_t created = 0;
  for (const ClusterPassResult& c : r.clusters) {
    // The add-on catalog's inventory is planned as one more "cluster",
    // without a Cluster object to carry an event.
    if (c.outcome == ClusterOutcome::kCreated && Live(c.name)) ++created;
  }
  ASSERT_GT(created, 2u) << Notes(r);
  EXPECT_EQ(applied.size(), created) << Notes(r);
  for (const json& e : applied) {
    std::string name = Involved(e);
    json cluster = LiveCluster(name);
    ASSERT_FALSE(cluster.is_null()) << name;
    EXPECT_EQ(e["involvedObject"]["kind"], "Cluster");
    EXPECT_EQ(e["involvedObject"]["apiVersion"], cluster["apiVersion"]);
    EXPECT_EQ(e["involvedObject"]["namespace"], "capi-clusters");
    // kubectl describe selects a Cluster's events by its uid.
    EXPECT_EQ(e["involvedObject"]["uid"], cluster["metadata"]["uid"]);
    EXPECT_EQ(e["metadata"]["namespace"], "capi-clusters");
    EXPECT_EQ(e["type"], "Normal");
    EXPECT_EQ(e["count"], 1);
    EXPECT_EQ(e["source"]["component"], "capi-gitops");
    EXPECT_EQ(e["firstTimestamp"], "2026-11-27T08:00:00Z");
    EXPECT_NE(e.value("message", "").find("created at revision"),
              std::string::npos)
        << e["message"];
  }
  // Nothing changed: not one request about events.
  kube_.ClearLog();
  r = Pass("2026-11-27T08:01:00Z");
  EXPECT_FALSE(r.changed()) << Notes(r);
  EXPECT_EQ(kube_.Count("", "Event"), 0);
  EXPECT_EQ(Events().size(), applied.size());
}

TEST_F(ClusterEventsTest, AHeldDeletionIsOneWarningWhoseLastTimestampMoves) {
  Pass("2026-11-27T08:00:00Z");
  git_.PushFiles({{"clusters/sovereign-onprem.yaml", std::nullopt}},
                 "retire sovereign");
  PassResult r = Pass("2026-11-27T08:01:00Z");
  ASSERT_EQ(r.outcome(), PassOutcome::kDeletionHeld) << Notes(r);
  std::vector<json> held = Events("DeletionHeld");
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(Involved(held[0]), "sovereign-onprem");
  EXPECT_EQ(held[0]["type"], "Warning");
  EXPECT_NE(held[0].value("message", "").find("deletionProtection is true"),
            std::string::npos)
      << held[0]["message"];
  // Held again an hour later: the same event, seen again.
  kube_.ClearLog();
  r = Pass("2026-11-27T09:01:00Z");
  ASSERT_EQ(r.outcome(), PassOutcome::kDeletionHeld) << Notes(r);
  held = Events("DeletionHeld");
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0]["firstTimestamp"], "2026-11-27T08:01:00Z");
  EXPECT_EQ(held[0]["lastTimestamp"], "2026-11-27T09:01:00Z");
  EXPECT_EQ(kube_.Count("create", "Event"), 1);  // answered AlreadyExists
  EXPECT_EQ(kube_.Count("apply", "Event"), 1);
}

TEST_F(ClusterEventsTest, ATtlTeardownRecordsTornDownOnTheCluster) {
  Pass("2026-11-27T08:00:00Z");
  std::string uid = LiveCluster("dev-sandbox")["metadata"]["uid"];
  PassResult r = Pass("2026-11-27T10:00:00Z");  // ttl 90m: expired
  ASSERT_EQ(r.teardown_commits.size(), 1u) << Notes(r);
  std::vector<json> torn = Events("TornDown");
  ASSERT_EQ(torn.size(), 1u);
  EXPECT_EQ(Involved(torn[0]), "dev-sandbox");
  EXPECT_EQ(torn[0]["involvedObject"]["uid"], uid);
  EXPECT_EQ(torn[0].value("message", "").rfind("ttl: tear down dev-sandbox", 0),
            0u)
      << torn[0]["message"];
  // Removing a spec by hand is a deletion, not a teardown.
  git_.PushFiles({{"clusters/finetune-westeurope.yaml", std::nullopt}},
                 "retire finetune");
  r = Pass("2026-11-27T10:01:00Z");
  EXPECT_EQ(Events("TornDown").size(), 1u) << Notes(r);
}

TEST_F(ClusterEventsTest, AnEventThatCannotBeWrittenIsANoteNotAFailure) {
  kube_.FailOn("create", "Event",
               Status(StatusCode::kPermissionDenied, "events is forbidden"));
  PassResult r = Pass("2026-11-27T08:00:00Z");
  EXPECT_TRUE(r.changed());
  EXPECT_NE(r.outcome(), PassOutcome::kApplyFailed);
  EXPECT_NE(r.outcome(), PassOutcome::kApiError);
  EXPECT_NE(Notes(r).find("event(s) not recorded: events is forbidden"),
            std::string::npos)
      << Notes(r);
  EXPECT_TRUE(Events().empty());
}

TEST_F(ClusterEventsTest, FactsCarryOwnerAndExpiryOfEveryCluster) {
  PassResult r = Pass("2026-11-27T08:00:00Z");
  ASSERT_TRUE(r.status_known);
  ASSERT_TRUE(r.cluster_facts.count("dev-sandbox"));
  const ClusterFacts& dev = r.cluster_facts.at("dev-sandbox");
  EXPECT_EQ(dev.owner, "platform");
  EXPECT_EQ(dev.expires_at, *ParseRfc3339("2026-11-27T09:30:00Z"));  // 90m
  // ttl: never has no expiry.
  EXPECT_EQ(r.cluster_facts.at("sovereign-onprem").expires_at, 0);
  EXPECT_EQ(r.cluster_facts.at("sovereign-onprem").owner, "data-platform");
  // No workload connector: nothing read, so no nodes or GPUs to report.
  EXPECT_FALSE(dev.workload_read);
  EXPECT_EQ(r.cluster_facts.size(), r.phases.size());
}

}  // namespace
}  // namespace capigitops::testing
