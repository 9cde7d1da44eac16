// An object several clusters' inventories list is deleted only with the
// last cluster that needs it (issue #15, finding 7).
#include <gtest/gtest.h>

#include "sync/sync_test_util.h"

namespace capigitops::testing {
namespace {

using nlohmann::json;

class SharedObjectsTest : public SyncTest {
 protected:
  // c0 and c1, both with the same cluster-scoped identity.
  DesiredState WithSharedIdentity(int n) {
    DesiredState d = Desired(n);
    for (DesiredCluster& c : d.clusters) {
      c.objects.push_back(
          {{"apiVersion", "infrastructure.cluster.x-k8s.io/v1beta2"},
           {"kind", "AWSClusterRoleIdentity"},
           {"metadata",
            {{"name", "shared"},
             {"labels", c.objects.front()["metadata"]["labels"]}}},
           {"spec", {{"roleARN", "arn:aws:iam::1:role/r"}}}});
    }
    return d;
  }
  bool IdentityLive() {
    return !api_.Stored("infrastructure.cluster.x-k8s.io/v1beta2",
                        "AWSClusterRoleIdentity", "", "shared")
                .is_null();
  }
};

TEST_F(SharedObjectsTest, KeptWhileAnotherInventoryNeedsItThenDeleted) {
  ExpectNoErrors(Sync(WithSharedIdentity(2)));
  ASSERT_TRUE(IdentityLive());
  DesiredState one = WithSharedIdentity(2);
  one.clusters.erase(one.clusters.begin());  // c0 is removed
  Plan plan = MakePlan(one);
  const ClusterPlan* c0 = Find(plan, "c0");
  ASSERT_NE(c0, nullptr);
  EXPECT_EQ(c0->action, ClusterAction::kDelete);
  bool kept = false;
  for (const ObjectChange& oc : c0->objects) {
    if (oc.ref.kind == "AWSClusterRoleIdentity") {
      kept = oc.action == ObjectAction::kKeep;
      EXPECT_EQ(oc.note, "shared: cluster c1 still needs it");
    }
  }
  EXPECT_TRUE(kept);
  ExpectNoErrors(Sync(one));
  EXPECT_TRUE(Stored("Cluster", "c0").is_null());
  EXPECT_TRUE(IdentityLive()) << "c1 still needs it";
  DesiredState none = Desired(0);
  ExpectNoErrors(Sync(none));
  EXPECT_TRUE(Stored("Cluster", "c1").is_null());
  EXPECT_FALSE(IdentityLive()) << "the last cluster that needed it is gone";
}

}  // namespace
}  // namespace capigitops::testing
