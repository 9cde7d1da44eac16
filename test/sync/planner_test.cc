#include <gtest/gtest.h>

#include "capigitops/labels.h"
#include "sync/sync_test_util.h"

namespace capigitops::testing {
namespace {

using nlohmann::json;

class PlannerTest : public SyncTest {};

// One LIST for the inventories plus one per desired kind.
int ListsForOnePass(const DesiredState& d) {
  std::set<std::string> kinds;
  for (const json& obj : d.clusters.front().objects) {
    kinds.insert(obj.value("kind", ""));
  }
  return static_cast<int>(kinds.size()) + 1;
}

TEST_F(PlannerTest, FirstPlanCreatesEverythingAndWritesNothing) {
  DesiredState d = Desired(2);
  Plan plan = MakePlan(d);
  ASSERT_EQ(plan.clusters.size(), 2u);
  for (const ClusterPlan& cp : plan.clusters) {
    EXPECT_EQ(cp.action, ClusterAction::kCreate) << cp.name;
    EXPECT_EQ(cp.Count(ObjectAction::kCreate),
              static_cast<int>(d.clusters[0].objects.size()));
  }
  EXPECT_TRUE(plan.HasChanges());
  EXPECT_EQ(api_.StoredWrites(), 0);
}

TEST_F(PlannerTest, NoOpPlanWritesNothingAndListsEachKindOnceAtAnyScale) {
  for (int n : {1, 6}) {
    FakeKubeApi api;
    DesiredState d = Desired(n);
    ExpectNoErrors(Sync(api, d));
    api.ClearLog();
    Plan plan = MakePlan(api, d);
    EXPECT_FALSE(plan.HasChanges()) << n << " clusters";
    for (const ClusterPlan& cp : plan.clusters) {
      EXPECT_EQ(cp.action, ClusterAction::kUnchanged) << cp.name;
    }
    EXPECT_EQ(api.StoredWrites(), 0);
    EXPECT_EQ(api.Count("apply"), 0) << "not even a dry run";
    EXPECT_EQ(api.Count("get"), 0);
    EXPECT_EQ(api.Count("list"), ListsForOnePass(d)) << n << " clusters";
  }
}

TEST_F(PlannerTest, ChangedFieldIsAnUpdateWithTheFieldChange) {
  DesiredState d = Desired(2);
  ExpectNoErrors(Sync(d));
  for (json& obj : d.clusters[1].objects) {
    if (obj["kind"] == "KubeadmControlPlane") obj["spec"]["replicas"] = 3;
  }
  api_.ClearLog();
  Plan plan = MakePlan(d);
  EXPECT_EQ(Find(plan, "c0")->action, ClusterAction::kUnchanged);
  const ClusterPlan* cp = Find(plan, "c1");
  ASSERT_NE(cp, nullptr);
  EXPECT_EQ(cp->action, ClusterAction::kUpdate);
  ASSERT_EQ(cp->Count(ObjectAction::kUpdate), 1);
  for (const ObjectChange& oc : cp->objects) {
    if (oc.action != ObjectAction::kUpdate) continue;
    EXPECT_EQ(oc.ref.kind, "KubeadmControlPlane");
    ASSERT_EQ(oc.changes.size(), 1u);
    EXPECT_EQ(oc.changes[0].path, "spec.replicas");
    EXPECT_EQ(oc.changes[0].before, 1);
    EXPECT_EQ(oc.changes[0].after, 3);
  }
  // Confirmed with one dry-run apply; nothing stored.
  EXPECT_EQ(api_.Count("apply"), 1);
  EXPECT_EQ(api_.StoredWrites(), 0);
}

// True when every key of `fields`, at every level, is an "f:" key.
bool OnlyFieldKeys(const json& fields) {
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (it.key().rfind("f:", 0) != 0) return false;
    if (!it->is_object() || !OnlyFieldKeys(*it)) return false;
  }
  return true;
}

TEST_F(PlannerTest, LiveStateKeepsOnlyWhatThePlanReads) {
  DesiredState d = Desired(1);
  ExpectNoErrors(Sync(d));
  std::set<std::pair<std::string, std::string>> kinds;
  for (const json& obj : d.clusters[0].objects) {
    kinds.emplace(obj["apiVersion"], obj["kind"]);
  }
  StatusOr<LiveState> live = FetchLiveState(api_, d.ns, kinds);
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  ASSERT_FALSE(live->objects.empty());
  for (const auto& [ref, encoded] : live->objects) {
    const json obj = encoded.Decode();
    EXPECT_EQ(ObjRef::Of(obj), ref);
    const json& meta = obj["metadata"];
    EXPECT_FALSE(meta.contains("creationTimestamp")) << ref.ToString();
    ASSERT_TRUE(meta.contains("managedFields")) << ref.ToString();
    for (const json& mf : meta["managedFields"]) {
      EXPECT_EQ(mf["operation"], "Apply");
      // Only the "f:" keys: no list entries, no "." markers.
      ASSERT_TRUE(mf["fieldsV1"].is_object());
      EXPECT_TRUE(OnlyFieldKeys(mf["fieldsV1"])) << mf["fieldsV1"].dump();
    }
    if (ref.kind == "KubeadmControlPlane") {
      EXPECT_TRUE(meta["managedFields"][0]["fieldsV1"]["f:spec"].contains(
          "f:replicas"));
    }
    // Encoded: smaller than the object's own JSON text.
    EXPECT_LT(encoded.EncodedSize(), obj.dump().size()) << ref.ToString();
  }
}

TEST_F(PlannerTest, AFieldWeAppliedAndNoLongerSetIsAnUpdate) {
  DesiredState d = Desired(1);
  for (json& obj : d.clusters[0].objects) {
    if (obj["kind"] == "KubeadmControlPlane") {
      obj["metadata"]["labels"]["example.com/extra"] = "yes";
    }
  }
  ExpectNoErrors(Sync(d));
  for (json& obj : d.clusters[0].objects) {
    if (obj["kind"] == "KubeadmControlPlane") {
      obj["metadata"]["labels"].erase("example.com/extra");
    }
  }
  // What is live still holds everything we want: only the managed fields
  // (read from the compact live state) tell that the label must go.
  Plan plan = MakePlan(d);
  const ClusterPlan* cp = Find(plan, "c0");
  ASSERT_NE(cp, nullptr);
  ASSERT_EQ(cp->Count(ObjectAction::kUpdate), 1);
  for (const ObjectChange& oc : cp->objects) {
    if (oc.action == ObjectAction::kUpdate) {
      EXPECT_EQ(oc.ref.kind, "KubeadmControlPlane");
    }
  }
}

// A read-only identity (CI's plan reader, deploy/components/ci-plan-reader)
// may not patch, so its dry runs are refused: the client-side diff stands
// instead of an error, as through ReadOnlyKubeApi.
TEST_F(PlannerTest, RefusedDryRunKeepsTheClientSideDiff) {
  DesiredState d = Desired(2);
  ExpectNoErrors(Sync(d));
  for (json& obj : d.clusters[1].objects) {
    if (obj["kind"] == "KubeadmControlPlane") obj["spec"]["replicas"] = 3;
  }
  api_.FailOn("apply", "KubeadmControlPlane",
              Status(StatusCode::kPermissionDenied, "patch is forbidden"));
  Plan plan = MakePlan(d);
  const ClusterPlan* cp = Find(plan, "c1");
  ASSERT_NE(cp, nullptr);
  EXPECT_TRUE(cp->error.empty()) << cp->error;
  EXPECT_EQ(cp->action, ClusterAction::kUpdate);
  ASSERT_EQ(cp->Count(ObjectAction::kUpdate), 1);
  // Any other refusal is still an error of the cluster's plan.
  FakeKubeApi other;
  ExpectNoErrors(Sync(other, Desired(2)));
  other.FailOn("apply", "KubeadmControlPlane", Status::Unavailable("down"));
  plan = MakePlan(other, d);
  EXPECT_NE(Find(plan, "c1")->error.find("down"), std::string::npos);
}

TEST_F(PlannerTest, UnmanagedObjectsAreOrphansAndNeverInTheDeletionPlan) {
  DesiredState d = Desired(1);
  ExpectNoErrors(Sync(d));
  json orphan = d.clusters[0].objects.front();  // labelled as ours
  orphan["metadata"]["name"] = "left-behind";
  api_.Seed(orphan);
  Plan plan = MakePlan(Desired(0));
  ASSERT_EQ(plan.orphans.size(), 1u);
  EXPECT_EQ(plan.orphans[0],
            orphan["kind"].get<std::string>() + "/left-behind");
  for (const ClusterPlan& cp : plan.clusters) {
    for (const ObjectChange& oc : cp.objects) {
      EXPECT_NE(oc.ref.name, "left-behind");
    }
  }
}

TEST_F(PlannerTest, BlockedClusterIsLeftAsItIs) {
  DesiredState d = Desired(1);
  ExpectNoErrors(Sync(d));
  DesiredState broken = Desired(0);
  broken.blocked["c0"] = "its spec has errors";
  Plan plan = MakePlan(broken);
  ASSERT_EQ(plan.clusters.size(), 1u);
  EXPECT_EQ(plan.clusters[0].action, ClusterAction::kBlocked);
  EXPECT_TRUE(plan.clusters[0].objects.empty());
  EXPECT_FALSE(plan.HasChanges());
}

// ... and the plan says it cannot be applied (issue 10: a provider release
// that does not serve the version rendered, such as CAPO v0.14 and v1beta2).
TEST_F(PlannerTest, KindNotServedHasNoLiveObjectsAndThePlanSaysSo) {
  api_.Unserve("MachineHealthCheck");
  Plan plan = MakePlan(Desired(1));
  ASSERT_EQ(plan.clusters.size(), 1u);
  EXPECT_EQ(plan.clusters[0].action, ClusterAction::kCreate);
  EXPECT_NE(plan.clusters[0].error.find(
                "the management cluster does not serve MachineHealthCheck in "
                "cluster.x-k8s.io/v1beta2"),
            std::string::npos)
      << plan.clusters[0].error;
}

// Inventories are read as each ConfigMap arrives, in their own LIST or in
// the catalog's ConfigMap LIST; a broken one still fails the read, by name.
TEST_F(PlannerTest, ABrokenInventoryFailsTheRead) {
  api_.Seed(
      {{"apiVersion", "v1"},
       {"kind", "ConfigMap"},
       {"metadata",
        {{"name", "capi-gitops-inventory-x"},
         {"namespace", ns_},
         {"labels",
          {{kInventoryLabel, "true"}, {kManagedByLabel, kManagedByValue}}}}},
       {"data", {{"cluster", "x"}, {"objects", "{not a list"}}}},
      "test");
  for (const std::set<std::pair<std::string, std::string>>& kinds :
       std::vector<std::set<std::pair<std::string, std::string>>>{
           {{"cluster.x-k8s.io/v1beta2", "Cluster"}},
           {{"cluster.x-k8s.io/v1beta2", "Cluster"}, {"v1", "ConfigMap"}}}) {
    StatusOr<LiveState> live = FetchLiveState(api_, ns_, kinds);
    ASSERT_FALSE(live.ok()) << kinds.size();
    EXPECT_NE(live.status().message().find(
                  "reading inventory in " + ns_ +
                  ": inventory capi-gitops-inventory-x has a corrupt object "
                  "list"),
              std::string::npos)
        << live.status().message();
  }
}

TEST_F(PlannerTest, ListFailureFailsTheRead) {
  api_.FailOn("list", "Cluster", Status::Unavailable("injected"));
  StatusOr<LiveState> live =
      FetchLiveState(api_, ns_, {{"cluster.x-k8s.io/v1beta2", "Cluster"}});
  ASSERT_FALSE(live.ok());
  EXPECT_NE(live.status().message().find("injected"), std::string::npos);
}

}  // namespace
}  // namespace capigitops::testing
