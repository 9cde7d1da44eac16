// Leader election in-process, against FakeKubeApi: the Lease protocol and
// how an API failure surfaces, without starting capi-sandbox.
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

}  // namespace
}  // namespace capigitops
