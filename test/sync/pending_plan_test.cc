// BuildPlan with pending clusters (DesiredState::render): rendered and
// planned a batch at a time, the same plan as from rendered clusters, and
// only what will be applied keeps its desired object.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>

#include "sync/sync_test_util.h"

namespace capigitops::testing {
namespace {

using nlohmann::json;

class PendingPlanTest : public SyncTest {
 protected:
  // `d` with every cluster pending, rendered (counted) from d's objects.
  DesiredState Pending(const DesiredState& d) {
    auto objects = std::make_shared<std::map<std::string, std::vector<json>>>();
    DesiredState p = d;
    for (DesiredCluster& c : p.clusters) {
      for (const json& obj : c.objects)
        p.pending_kinds.emplace(obj["apiVersion"], obj["kind"]);
      (*objects)[c.name] = std::move(c.objects);
      c.objects.clear();
      c.pending = true;
    }
    p.render = [objects, this](const DesiredCluster& dc) {
      ++renders_;
      return objects->at(dc.name);
    };
    return p;
  }

  Plan PlanPending(DesiredState* d) {
    StatusOr<LiveState> live = FetchLiveState(api_, d->ns, d->pending_kinds);
    EXPECT_TRUE(live.ok()) << live.status().ToString();
    if (!live.ok()) return Plan{};
    return BuildPlan(api_, d, *live, options_);
  }

  static void SetReplicas(DesiredCluster* c, int replicas) {
    for (json& obj : c->objects) {
      if (obj["kind"] == "KubeadmControlPlane")
        obj["spec"]["replicas"] = replicas;
    }
  }

  static json ClusterLabels(const DesiredCluster& c) {
    for (const json& obj : c.objects) {
      if (obj["kind"] == "Cluster") return obj["metadata"]["labels"];
    }
    return nullptr;
  }

  std::atomic<int> renders_{0};
};

TEST_F(PendingPlanTest, BatchesPlanAsRenderedClustersDo) {
  // More clusters than one batch, a change in the first and in the last.
  const int n = 140;
  DesiredState d = Desired(n);
  ExpectNoErrors(Sync(d));
  SetReplicas(&d.clusters[3], 3);
  SetReplicas(&d.clusters[n - 1], 2);
  Plan want = MakePlan(d);
  DesiredState pending = Pending(d);
  api_.ClearLog();
  Plan got = PlanPending(&pending);
  EXPECT_EQ(renders_.load(), n) << "each cluster rendered once";
  EXPECT_EQ(api_.Count("apply"), 2) << "one dry run per changed object";
  EXPECT_EQ(api_.StoredWrites(), 0);
  ASSERT_EQ(got.clusters.size(), want.clusters.size());
  for (size_t i = 0; i < want.clusters.size(); ++i) {
    const ClusterPlan& w = want.clusters[i];
    const ClusterPlan& g = got.clusters[i];
    ASSERT_EQ(g.name, w.name);
    EXPECT_EQ(g.action, w.action) << w.name;
    ASSERT_EQ(g.objects.size(), w.objects.size()) << w.name;
    for (size_t j = 0; j < w.objects.size(); ++j) {
      EXPECT_EQ(g.objects[j].ref, w.objects[j].ref);
      EXPECT_EQ(g.objects[j].action, w.objects[j].action);
      EXPECT_EQ(g.objects[j].changes.size(), w.objects[j].changes.size());
      EXPECT_EQ(g.objects[j].DesiredObject(), w.objects[j].DesiredObject());
    }
  }
  EXPECT_EQ(Find(got, "c3")->action, ClusterAction::kUpdate);
  EXPECT_EQ(Find(got, "c" + std::to_string(n - 1))->action,
            ClusterAction::kUpdate);
  EXPECT_EQ(Find(got, "c4")->action, ClusterAction::kUnchanged);
  // The pending state keeps no objects: they went into the plan.
  for (const DesiredCluster& c : pending.clusters)
    EXPECT_TRUE(c.objects.empty());
}

TEST_F(PendingPlanTest, OnlyWhatIsAppliedKeepsItsDesiredObject) {
  DesiredState d = Desired(3);
  ExpectNoErrors(Sync(d));
  SetReplicas(&d.clusters[1], 3);
  DesiredState pending = Pending(d);
  Plan plan = PlanPending(&pending);
  int kept = 0;
  for (const ClusterPlan& cp : plan.clusters) {
    const DesiredCluster* dc = nullptr;
    for (const DesiredCluster& c : d.clusters) {
      if (c.name == cp.name) dc = &c;
    }
    ASSERT_NE(dc, nullptr);
    for (const ObjectChange& oc : cp.objects) {
      if (oc.action == ObjectAction::kUpdate) {
        EXPECT_EQ(oc.ref.kind, "KubeadmControlPlane");
        EXPECT_EQ(oc.DesiredObject()["spec"]["replicas"], 3);
        ++kept;
      } else if (oc.ref.kind == "Cluster") {
        // Its labels stay: the add-ons the plan output lists.
        ASSERT_FALSE(ClusterLabels(*dc).is_null());
        EXPECT_EQ(oc.desired,
                  json({{"metadata", {{"labels", ClusterLabels(*dc)}}}}));
      } else {
        EXPECT_TRUE(oc.desired.is_null()) << oc.ref.ToString();
        EXPECT_EQ(oc.desired_encoded.EncodedSize(), 0u) << oc.ref.ToString();
      }
    }
  }
  EXPECT_EQ(kept, 1);
}

TEST_F(PendingPlanTest, FirstPlanKeepsEveryObjectToCreate) {
  DesiredState d = Desired(2);
  DesiredState pending = Pending(d);
  Plan plan = PlanPending(&pending);
  ASSERT_EQ(plan.clusters.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const ClusterPlan& cp = plan.clusters[i];
    EXPECT_EQ(cp.action, ClusterAction::kCreate);
    ASSERT_EQ(cp.objects.size(), d.clusters[i].objects.size());
    for (size_t j = 0; j < cp.objects.size(); ++j) {
      const ObjectChange& oc = cp.objects[j];
      EXPECT_EQ(oc.action, ObjectAction::kCreate);
      if (oc.ref.kind == "Cluster") {  // a tree: later steps read it
        EXPECT_TRUE(oc.desired.is_object());
        EXPECT_EQ(oc.desired["metadata"]["name"],
                  d.clusters[i].objects[j]["metadata"]["name"]);
        continue;
      }
      // Kept encoded until apply, and decoded to exactly what was rendered.
      EXPECT_TRUE(oc.desired.is_null()) << oc.ref.ToString();
      EXPECT_GT(oc.desired_encoded.EncodedSize(), 0u) << oc.ref.ToString();
      EXPECT_EQ(oc.DesiredObject(), d.clusters[i].objects[j])
          << oc.ref.ToString();
    }
  }
}

// A pending cluster that renders to nothing (no renderer, or a cluster the
// evaluation no longer has) is left as it is: planned with no objects, its
// whole inventory would be pruned.
TEST_F(PendingPlanTest, APendingClusterRenderedToNothingIsBlocked) {
  DesiredState d = Desired(2);
  ExpectNoErrors(Sync(d));
  DesiredState pending = Pending(d);
  auto render = pending.render;
  pending.render = [render](const DesiredCluster& dc) {
    return dc.name == "c1" ? std::vector<json>{} : render(dc);
  };
  Plan plan = PlanPending(&pending);
  EXPECT_EQ(Find(plan, "c0")->action, ClusterAction::kUnchanged);
  const ClusterPlan* c1 = Find(plan, "c1");
  ASSERT_NE(c1, nullptr);
  EXPECT_EQ(c1->action, ClusterAction::kBlocked);
  EXPECT_EQ(c1->Count(ObjectAction::kDelete), 0);
  EXPECT_FALSE(plan.HasChanges());
  pending.render = nullptr;
  plan = PlanPending(&pending);
  EXPECT_EQ(Find(plan, "c0")->action, ClusterAction::kBlocked);
  EXPECT_FALSE(plan.HasChanges());
}

}  // namespace
}  // namespace capigitops::testing
