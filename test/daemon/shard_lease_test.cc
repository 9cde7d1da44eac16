// Leader election per shard: replicas of one shard share its Lease (one
// leader), and the shards' Leases are independent, so every shard has a
// leader at the same time.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "capigitops/leader.h"
#include "capigitops/shard.h"
#include "testing/fake_kube_api.h"

namespace capigitops {
namespace {

TEST(ShardLeaseElectionTest, EachShardHasExactlyOneLeader) {
  FakeKubeApi api;
  api.Seed({{"apiVersion", "v1"},
            {"kind", "Namespace"},
            {"metadata", {{"name", "capi-gitops-system"}}}});
  int64_t now_ms = 1000000;
  LeaseClock clock{[&] { return now_ms; }, [&] { return now_ms * 1000; }};
  constexpr int kShards = 3;
  std::unique_ptr<LeaderElector> first[kShards], second[kShards];
  for (int i = 0; i < kShards; ++i) {
    LeaseOptions o;
    o.name = ShardLeaseName("capi-gitops", {i, kShards});
    o.identity = "shard-" + std::to_string(i) + "-a";
    first[i] = std::make_unique<LeaderElector>(&api, o, clock);
    o.identity = "shard-" + std::to_string(i) + "-b";
    second[i] = std::make_unique<LeaderElector>(&api, o, clock);
  }
  for (int i = 0; i < kShards; ++i) {
    StatusOr<bool> a = first[i]->TryAcquireOrRenew();
    StatusOr<bool> b = second[i]->TryAcquireOrRenew();
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_TRUE(*a) << "shard " << i << " is not held by another shard";
    EXPECT_FALSE(*b) << "shard " << i << " has one leader";
    nlohmann::json lease =
        api.Stored("coordination.k8s.io/v1", "Lease", "capi-gitops-system",
                   "capi-gitops-shard-" + std::to_string(i) + "-of-3");
    EXPECT_EQ(lease["spec"]["holderIdentity"],
              "shard-" + std::to_string(i) + "-a");
  }
  EXPECT_EQ(api.Count("create", "Lease"), kShards);
  // The unsharded Lease is none of them.
  EXPECT_TRUE(api.Stored("coordination.k8s.io/v1", "Lease",
                         "capi-gitops-system", "capi-gitops")
                  .is_null());
}

}  // namespace
}  // namespace capigitops
