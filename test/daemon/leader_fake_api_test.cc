// Leader election in-process, against FakeKubeApi (capi-sandbox's request
// handler): two electors share one Lease, each with its own clock so expiry
// is tested without waiting; and how an API failure surfaces.
#include <gtest/gtest.h>

#include "capigitops/leader.h"
#include "testing/fake_kube_api.h"

namespace capigitops {
namespace {

using nlohmann::json;

struct ManualClock {
  int64_t ms = 1000000;
  LeaseClock Clock() {
    return {[this] { return ms; }, [this] { return ms * 1000; }};
  }
};

class LeaderFakeApiTest : public ::testing::Test {
 protected:
  LeaderFakeApiTest() {
    api_.Seed({{"apiVersion", "v1"},
               {"kind", "Namespace"},
               {"metadata", {{"name", "capi-gitops-system"}}}});
  }
  std::unique_ptr<LeaderElector> Elector(const std::string& id,
                                         ManualClock* clock) {
    LeaseOptions o;
    o.identity = id;
    return std::make_unique<LeaderElector>(&api_, o, clock->Clock());
  }
  json Lease() {
    return api_.Stored("coordination.k8s.io/v1", "Lease", "capi-gitops-system",
                       "capi-gitops");
  }
  FakeKubeApi api_;
};

TEST_F(LeaderFakeApiTest, OneLeadsTheOtherTakesOverAfterExpiry) {
  ManualClock ca, cb;
  auto a = Elector("a", &ca);
  auto b = Elector("b", &cb);
  ASSERT_TRUE(*a->TryAcquireOrRenew());
  EXPECT_EQ(api_.Count("create", "Lease"), 1);
  ASSERT_FALSE(*b->TryAcquireOrRenew());
  EXPECT_EQ(b->observed_holder(), "a");
  EXPECT_EQ(Lease()["spec"]["holderIdentity"], "a");
  cb.ms += 16000;  // a stopped renewing a full lease duration ago
  ASSERT_TRUE(*b->TryAcquireOrRenew());
  EXPECT_EQ(Lease()["spec"]["holderIdentity"], "b");
  EXPECT_EQ(Lease()["spec"]["leaseTransitions"], 1);
  ca.ms += 1000;
  ASSERT_FALSE(*a->TryAcquireOrRenew());
  EXPECT_FALSE(a->leading());
}

TEST_F(LeaderFakeApiTest, FailedRenewalIsReturned) {
  ManualClock ca;
  auto a = Elector("a", &ca);
  ASSERT_TRUE(*a->TryAcquireOrRenew());
  api_.FailOn("replace", "Lease", Status::Unavailable("injected"));
  ca.ms += 2000;
  StatusOr<bool> renewed = a->TryAcquireOrRenew();
  ASSERT_FALSE(renewed.ok());
  EXPECT_EQ(renewed.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Lease()["spec"]["holderIdentity"], "a");
}

TEST_F(LeaderFakeApiTest, ReleaseLetsTheStandbyLeadAtOnce) {
  ManualClock ca, cb;
  auto a = Elector("a", &ca);
  auto b = Elector("b", &cb);
  ASSERT_TRUE(*a->TryAcquireOrRenew());
  ASSERT_FALSE(*b->TryAcquireOrRenew());
  ASSERT_TRUE(a->Release().ok());
  cb.ms += 1500;  // the released lease lasts 1 s
  ASSERT_TRUE(*b->TryAcquireOrRenew());
  EXPECT_EQ(Lease()["spec"]["holderIdentity"], "b");
}

TEST_F(LeaderFakeApiTest, FirstCreatesTheLeaseSecondStaysStandby) {
  ManualClock ca, cb;
  auto a = Elector("a", &ca);
  auto b = Elector("b", &cb);
  auto ra = a->TryAcquireOrRenew();
  ASSERT_TRUE(ra.ok()) << ra.status().message();
  EXPECT_TRUE(*ra);
  auto rb = b->TryAcquireOrRenew();
  ASSERT_TRUE(rb.ok()) << rb.status().message();
  EXPECT_FALSE(*rb);
  EXPECT_EQ(b->observed_holder(), "a");
  json lease = Lease();
  EXPECT_EQ(lease["spec"]["holderIdentity"], "a");
  EXPECT_EQ(lease["spec"]["leaseDurationSeconds"], 15);
  EXPECT_EQ(lease["spec"]["leaseTransitions"], 0);
  // Renewing keeps the holder and moves only renewTime.
  std::string acquired = lease["spec"]["acquireTime"];
  ca.ms += 2000;
  ASSERT_TRUE(*a->TryAcquireOrRenew());
  json renewed = Lease();
  EXPECT_EQ(renewed["spec"]["acquireTime"], acquired);
  EXPECT_NE(renewed["spec"]["renewTime"], lease["spec"]["renewTime"]);
}

TEST_F(LeaderFakeApiTest, StandbyTakesOverOnlyAfterTheLeaseExpires) {
  ManualClock ca, cb;
  auto a = Elector("a", &ca);
  auto b = Elector("b", &cb);
  ASSERT_TRUE(*a->TryAcquireOrRenew());
  ASSERT_FALSE(*b->TryAcquireOrRenew());
  // The leader dies: no more renewals. Before the lease duration has passed
  // on the standby's clock, it waits.
  cb.ms += 14000;
  ASSERT_FALSE(*b->TryAcquireOrRenew());
  cb.ms += 2000;
  auto rb = b->TryAcquireOrRenew();
  ASSERT_TRUE(rb.ok()) << rb.status().message();
  EXPECT_TRUE(*rb);
  json lease = Lease();
  EXPECT_EQ(lease["spec"]["holderIdentity"], "b");
  EXPECT_EQ(lease["spec"]["leaseTransitions"], 1);
  // The old leader, if it comes back, finds it has lost.
  ca.ms += 1000;
  auto ra = a->TryAcquireOrRenew();
  ASSERT_TRUE(ra.ok()) << ra.status().message();
  EXPECT_FALSE(*ra);
  EXPECT_FALSE(a->leading());
}

TEST_F(LeaderFakeApiTest, RenewalsKeepTheStandbyWaiting) {
  ManualClock ca, cb;
  auto a = Elector("a", &ca);
  auto b = Elector("b", &cb);
  ASSERT_TRUE(*a->TryAcquireOrRenew());
  for (int i = 0; i < 5; ++i) {
    ca.ms += 5000;
    cb.ms += 5000;
    ASSERT_TRUE(*a->TryAcquireOrRenew());
    ASSERT_FALSE(*b->TryAcquireOrRenew()) << "round " << i;
  }
}

TEST_F(LeaderFakeApiTest, StandbySyncRequestReachesTheLeader) {
  ManualClock ca, cb;
  auto a = Elector("a", &ca);
  auto b = Elector("b", &cb);
  ASSERT_TRUE(*a->TryAcquireOrRenew());
  EXPECT_EQ(a->ObservedSyncRequest(), "");
  cb.ms += 500;
  ASSERT_TRUE(b->RequestSync().ok());
  // The leader's cached Lease is stale now; it still renews and sees it.
  ca.ms += 2000;
  ASSERT_TRUE(*a->TryAcquireOrRenew());
  EXPECT_NE(a->ObservedSyncRequest(), "");
  EXPECT_EQ(Lease()["spec"]["holderIdentity"], "a");
}

TEST(LeaseOptionsTest, TimingMustFollowClientGosConstraint) {
  LeaseOptions o;
  o.identity = "x";
  EXPECT_TRUE(ValidateLeaseOptions(o).ok());
  o.renew_deadline_ms = 2000;  // not > 1.2 x retry period
  EXPECT_FALSE(ValidateLeaseOptions(o).ok());
  o.renew_deadline_ms = 20000;  // not < duration
  EXPECT_FALSE(ValidateLeaseOptions(o).ok());
  o = LeaseOptions();
  EXPECT_FALSE(ValidateLeaseOptions(o).ok());  // no identity
}

TEST(MicroTimeTest, FormatsAsTheApiDoes) {
  EXPECT_EQ(FormatMicroTime(1795773600123456), "2026-11-27T10:00:00.123456Z");
}

}  // namespace
}  // namespace capigitops
