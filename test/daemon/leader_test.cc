// Leader election against a real capi-sandbox: two electors share one Lease,
// each with its own fake clock so expiry can be tested without waiting.
#include "capigitops/leader.h"

#include <gtest/gtest.h>

#include "capigitops/kube_client.h"
#include "capigitops/kubeconfig.h"
#include "sandbox/sandbox_process.h"

namespace capigitops {
namespace {

using nlohmann::json;

struct FakeClock {
  int64_t ms = 1000000;
  LeaseClock Clock() {
    return {[this] { return ms; }, [this] { return ms * 1000; }};
  }
};

class LeaderElectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    sandbox_ = sandbox_test::SandboxProcess::Start({}, &error);
    ASSERT_NE(sandbox_, nullptr) << error;
    auto rc = LoadRestConfig(sandbox_->kubeconfig(), {}, {});
    ASSERT_TRUE(rc.ok()) << rc.status().message();
    ClientOptions opts;
    opts.max_retries = 1;
    auto client = KubeClient::Create(*rc, opts);
    ASSERT_TRUE(client.ok()) << client.status().message();
    client_ = std::move(client).value();
  }

  std::unique_ptr<LeaderElector> Elector(const std::string& id,
                                         FakeClock* clock) {
    LeaseOptions o;
    o.ns = "default";
    o.name = "capi-gitops";
    o.identity = id;
    o.lease_duration_ms = 15000;
    o.renew_deadline_ms = 10000;
    o.retry_period_ms = 2000;
    return std::make_unique<LeaderElector>(client_.get(), o, clock->Clock());
  }

  json Lease() {
    auto r = client_->Resolve("coordination.k8s.io/v1", "Lease");
    EXPECT_TRUE(r.ok());
    auto got = client_->Get(*r, "default", "capi-gitops");
    EXPECT_TRUE(got.ok()) << got.status().message();
    return got.ok() ? *got : json();
  }

  std::unique_ptr<sandbox_test::SandboxProcess> sandbox_;
  std::unique_ptr<KubeClient> client_;
};

TEST_F(LeaderElectorTest, FirstCreatesTheLeaseSecondStaysStandby) {
  FakeClock ca, cb;
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

TEST_F(LeaderElectorTest, StandbyTakesOverOnlyAfterTheLeaseExpires) {
  FakeClock ca, cb;
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

TEST_F(LeaderElectorTest, RenewalsKeepTheStandbyWaiting) {
  FakeClock ca, cb;
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

TEST_F(LeaderElectorTest, ReleaseHandsOverAtOnce) {
  FakeClock ca, cb;
  auto a = Elector("a", &ca);
  auto b = Elector("b", &cb);
  ASSERT_TRUE(*a->TryAcquireOrRenew());
  ASSERT_FALSE(*b->TryAcquireOrRenew());
  ASSERT_TRUE(a->Release().ok());
  EXPECT_FALSE(a->leading());
  EXPECT_EQ(Lease()["spec"]["holderIdentity"], "");
  EXPECT_TRUE(*b->TryAcquireOrRenew());  // no waiting for the duration
}

TEST_F(LeaderElectorTest, StandbySyncRequestReachesTheLeader) {
  FakeClock ca, cb;
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
