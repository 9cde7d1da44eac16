#include <gtest/gtest.h>

#include <algorithm>

#include "capigitops/labels.h"
#include "sync/sync_test_util.h"

namespace capigitops::testing {
namespace {

using nlohmann::json;

class ExecutorTest : public SyncTest {
 protected:
  // The name of `cluster`'s object of `kind`.
  static std::string NameOf(const std::string& cluster,
                            const std::string& kind) {
    return FindObject(Rendered(cluster).objects, kind)["metadata"]["name"];
  }
  Inventory StoredInventory(const std::string& cluster) {
    json cm = Stored("ConfigMap", Inventory::ConfigMapName(cluster));
    EXPECT_FALSE(cm.is_null()) << cluster;
    if (cm.is_null()) return {};
    StatusOr<Inventory> inv = Inventory::FromConfigMap(cm);
    EXPECT_TRUE(inv.ok()) << inv.status().ToString();
    return inv.ok() ? *inv : Inventory{};
  }
  // Index in the log of the first request matching, or -1.
  int IndexOf(const std::string& verb, const std::string& kind, bool last) {
    std::vector<FakeKubeApi::Request> log = api_.log();
    int found = -1;
    for (size_t i = 0; i < log.size(); ++i) {
      if (log[i].verb == verb && log[i].kind == kind) {
        found = static_cast<int>(i);
        if (!last) break;
      }
    }
    return found;
  }
};

TEST_F(ExecutorTest, CreatesEveryObjectAndRecordsTheInventoryFirst) {
  DesiredState d = Desired(2);
  std::vector<ClusterApplyResult> results = Sync(d);
  ExpectNoErrors(results);
  ASSERT_EQ(results.size(), 2u);
  for (const ClusterApplyResult& r : results) {
    EXPECT_EQ(r.state, ClusterApplyState::kApplied);
    EXPECT_EQ(r.counts.created, static_cast<int>(d.clusters[0].objects.size()));
    EXPECT_FALSE(Stored("Cluster", r.name).is_null());
    EXPECT_EQ(StoredInventory(r.name).objects.size(),
              d.clusters[0].objects.size());
  }
  std::vector<FakeKubeApi::Request> log = api_.log();
  for (std::string name : {"c0", "c1"}) {
    auto first = std::find_if(log.begin(), log.end(), [&](const auto& r) {
      return r.verb == "apply" && !r.dry_run && r.kind != "Namespace" &&
             (r.name == name || r.name.rfind(name + "-", 0) == 0 ||
              r.name == Inventory::ConfigMapName(name));
    });
    ASSERT_NE(first, log.end());
    EXPECT_EQ(first->name, Inventory::ConfigMapName(name));
  }
  // The Cluster comes last within its cluster.
  EXPECT_GT(IndexOf("apply", "Cluster", false),
            IndexOf("apply", "KubeadmControlPlane", false));
}

TEST_F(ExecutorTest, PruneDeletesOnlyInventoryObjects) {
  DesiredState d = Desired(1);
  ExpectNoErrors(Sync(d));
  json orphan = FindObject(d.clusters[0].objects, "DevMachineTemplate");
  orphan["metadata"]["name"] = "not-in-any-inventory";
  api_.Seed(orphan);
  // Drop the "burst" pool: its MachineDeployment goes first; its templates
  // stay while a live MachineDeployment still references them.
  std::string md =
      PoolDeployment(d.clusters[0].objects, "c0", "burst")["metadata"]["name"];
  std::string tpl = PoolMachineTemplate(d.clusters[0].objects, "c0",
                                        "burst")["metadata"]["name"];
  std::erase_if(d.clusters[0].objects, [&](const json& o) {
    std::string name = o["metadata"]["name"];
    return name.find("burst") != std::string::npos;
  });
  for (int pass = 0; pass < 2; ++pass) ExpectNoErrors(Sync(d));
  EXPECT_TRUE(Stored("MachineDeployment", md).is_null());
  EXPECT_TRUE(Stored("DevMachineTemplate", tpl).is_null());
  EXPECT_FALSE(Stored("DevMachineTemplate", "not-in-any-inventory").is_null());
  EXPECT_FALSE(Stored("Cluster", "c0").is_null());
  Inventory inv = StoredInventory("c0");
  EXPECT_EQ(inv.objects.size(), d.clusters[0].objects.size());
  EXPECT_EQ(
      MakePlan(d).orphans,
      std::vector<std::string>{"DevMachineTemplate/not-in-any-inventory"});
}

TEST_F(ExecutorTest, WithoutPruneNothingIsDeleted) {
  ExpectNoErrors(Sync(Desired(2)));
  options_.prune = false;
  std::vector<ClusterApplyResult> results = Sync(Desired(1));
  EXPECT_EQ(results[1].state, ClusterApplyState::kHeld);
  EXPECT_EQ(api_.Count("delete"), 0);
}

TEST_F(ExecutorTest, DeletionBudgetHoldsMassDeletion) {
  DesiredState d = Desired(5);
  ExpectNoErrors(Sync(d));
  DesiredState empty = Desired(0);
  empty.budget_max_clusters = 1;
  empty.budget_max_percent = 0;
  Plan plan = MakePlan(empty);
  EXPECT_TRUE(plan.budget_exceeded);
  EXPECT_NE(plan.budget_message.find("deletion budget exceeded"),
            std::string::npos);
  api_.ClearLog();
  std::vector<ClusterApplyResult> results = ExecutePlan(api_, plan, options_);
  ASSERT_EQ(results.size(), 5u);
  for (const ClusterApplyResult& r : results) {
    EXPECT_EQ(r.state, ClusterApplyState::kHeld) << r.name;
    EXPECT_FALSE(Stored("Cluster", r.name).is_null());
  }
  EXPECT_EQ(api_.Count("delete"), 0);
  EXPECT_EQ(api_.StoredWrites(), 0);
  // Within the budget (or allowed), the same deletion goes ahead.
  options_.allow_mass_deletion = true;
  for (const ClusterApplyResult& r : Sync(empty)) {
    EXPECT_EQ(r.state, ClusterApplyState::kDeleted) << r.name;
  }
}

TEST_F(ExecutorTest, DeletionProtectionHolds) {
  DesiredState d = Desired(1);
  for (json& obj : d.clusters[0].objects) {
    if (obj["kind"] == "Cluster") {
      obj["metadata"]["annotations"][kDeletionProtectionAnnotation] = "true";
    }
  }
  ExpectNoErrors(Sync(d));
  Plan plan = MakePlan(Desired(0));
  ASSERT_EQ(plan.clusters.size(), 1u);
  EXPECT_TRUE(plan.clusters[0].deletion_held);
  EXPECT_NE(plan.clusters[0].reason.find("deletionProtection"),
            std::string::npos);
  api_.ClearLog();
  std::vector<ClusterApplyResult> results = ExecutePlan(api_, plan, options_);
  EXPECT_EQ(results[0].state, ClusterApplyState::kHeld);
  EXPECT_EQ(api_.StoredWrites(), 0);
  EXPECT_FALSE(Stored("Cluster", "c0").is_null());
}

TEST_F(ExecutorTest, ClusterIsDeletedFirstAndTheRestOnlyAfterItIsGone) {
  DesiredState d = Desired(1);
  ExpectNoErrors(Sync(d));
  api_.SetClusterLinger(2);  // CAPI takes two reads to remove it
  api_.ClearLog();
  std::vector<ClusterApplyResult> results = Sync(Desired(0));
  ExpectNoErrors(results);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].state, ClusterApplyState::kDeleted);
  std::vector<FakeKubeApi::Request> log = api_.log();
  std::vector<FakeKubeApi::Request> deletes;
  for (const auto& r : log) {
    if (r.verb == "delete") deletes.push_back(r);
  }
  ASSERT_EQ(deletes.size(), d.clusters[0].objects.size() + 1);  // + inventory
  // The autoscaler first, so it cannot scale the cluster during teardown.
  EXPECT_EQ(deletes[0].kind, "Deployment");
  EXPECT_EQ(deletes[1].kind, "Cluster");
  EXPECT_EQ(deletes.back().kind, "ConfigMap");
  EXPECT_EQ(api_.Count("get", "Cluster"), 3);  // there, there, gone
  EXPECT_LT(IndexOf("get", "Cluster", true),
            IndexOf("delete", "KubeadmControlPlane", false));
  for (const json& obj : d.clusters[0].objects) {
    EXPECT_TRUE(Stored(obj["kind"], obj["metadata"]["name"]).is_null())
        << obj["kind"];
  }
  EXPECT_TRUE(Stored("ConfigMap", Inventory::ConfigMapName("c0")).is_null());
}

TEST_F(ExecutorTest, ClusterThatStaysKeepsTheRestAndTheNextPassResumes) {
  DesiredState d = Desired(1);
  ExpectNoErrors(Sync(d));
  api_.SetClusterLinger(-1);
  options_.wait_seconds = 0;
  api_.ClearLog();
  std::vector<ClusterApplyResult> results = Sync(Desired(0));
  ExpectNoErrors(results);
  EXPECT_EQ(results[0].state, ClusterApplyState::kDeleting);
  // The Cluster, and before it the autoscaler that would scale it.
  EXPECT_EQ(api_.Count("delete"), 2);
  EXPECT_EQ(api_.Count("delete", "Cluster"), 1);
  EXPECT_EQ(api_.Count("delete", "Deployment"), 1);
  for (const json& obj : d.clusters[0].objects) {
    if (obj["kind"] == "Deployment") continue;
    EXPECT_FALSE(Stored(obj["kind"], obj["metadata"]["name"]).is_null())
        << obj["kind"] << " was deleted while the Cluster is still there";
  }
  Inventory inv = StoredInventory("c0");
  EXPECT_TRUE(inv.deleting);
  EXPECT_EQ(inv.objects.size(), d.clusters[0].objects.size());
  // Deletion in progress does not count against the budget, and a later
  // pass (the Cluster still there) keeps waiting without deleting more.
  Plan plan = MakePlan(Desired(0));
  EXPECT_NE(plan.clusters[0].reason.find("deletion in progress"),
            std::string::npos);
  EXPECT_FALSE(plan.budget_exceeded);
}

TEST_F(ExecutorTest, OneFailingClusterDoesNotStopTheOthers) {
  api_.FailOn("apply", "Cluster", Status::Unavailable("injected"), "c1");
  DesiredState d = Desired(3);
  std::vector<ClusterApplyResult> results = Sync(d);
  ASSERT_EQ(results.size(), 3u);
  for (const ClusterApplyResult& r : results) {
    if (r.name == "c1") {
      ASSERT_EQ(r.errors.size(), 1u);
      EXPECT_EQ(r.errors[0].code(), StatusCode::kUnavailable);
      EXPECT_EQ(r.counts.failed, 1);
      EXPECT_TRUE(Stored("Cluster", "c1").is_null());
      EXPECT_FALSE(
          Stored("KubeadmControlPlane", NameOf("c1", "KubeadmControlPlane"))
              .is_null());
    } else {
      EXPECT_TRUE(r.errors.empty()) << r.name;
      EXPECT_EQ(r.state, ClusterApplyState::kApplied);
      EXPECT_FALSE(Stored("Cluster", r.name).is_null());
    }
  }
}

TEST_F(ExecutorTest, FailedStageStopsLaterStagesOfThatCluster) {
  api_.FailOn("apply", "KubeadmControlPlane", Status::Unavailable("injected"));
  std::vector<ClusterApplyResult> results = Sync(Desired(1));
  EXPECT_FALSE(results[0].errors.empty());
  EXPECT_EQ(api_.Count("apply", "Cluster"), 0);
  EXPECT_TRUE(Stored("Cluster", "c0").is_null());
}

TEST_F(ExecutorTest, DryRunKubeApiStoresNothing) {
  ExpectNoErrors(Sync(Desired(1)));  // the namespace and c0 exist
  DesiredState d = Desired(3);
  for (json& obj : d.clusters[0].objects) {
    if (obj["kind"] == "KubeadmControlPlane") obj["spec"]["replicas"] = 3;
  }
  api_.ClearLog();
  DryRunKubeApi dry(api_);
  options_.wait_seconds = 0;
  std::vector<ClusterApplyResult> results = Sync(dry, d);
  ExpectNoErrors(results);
  EXPECT_GT(api_.Count("apply"), 10);
  EXPECT_EQ(api_.StoredWrites(), 0);
  EXPECT_TRUE(Stored("Cluster", "c1").is_null());
  EXPECT_TRUE(Stored("ConfigMap", Inventory::ConfigMapName("c1")).is_null());
  EXPECT_EQ(Stored("KubeadmControlPlane",
                   NameOf("c0", "KubeadmControlPlane"))["spec"]["replicas"],
            1);
}

// The server cannot dry-run a write into a namespace that does not exist
// (its Namespace apply was a dry run too): such writes are not sent, the
// objects count as created, and Unchecked() names the namespace.
TEST_F(ExecutorTest, DryRunIntoAMissingNamespaceReportsCreatesNotErrors) {
  DryRunKubeApi dry(api_);
  options_.wait_seconds = 0;
  DesiredState d = Desired(2);
  std::vector<ClusterApplyResult> results = Sync(dry, d);
  ExpectNoErrors(results);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].counts.created,
            static_cast<int>(d.clusters[0].objects.size()));
  EXPECT_EQ(api_.StoredWrites(), 0);
  EXPECT_EQ(api_.Count("apply", "Cluster"), 0) << "not sent";
  DryRunKubeApi::UncheckedWrites u = dry.Unchecked();
  EXPECT_EQ(u.namespaces, std::vector<std::string>{d.ns});
  EXPECT_GE(u.writes, 2 * d.clusters[0].objects.size());

  // Once the namespace exists, every write goes to the server again.
  ExpectNoErrors(Sync(Desired(1)));
  api_.ClearLog();
  DryRunKubeApi checked(api_);
  ExpectNoErrors(Sync(checked, Desired(2)));
  EXPECT_GT(api_.Count("apply", "Cluster"), 0);
  EXPECT_TRUE(checked.Unchecked().namespaces.empty());
}

}  // namespace
}  // namespace capigitops::testing
