// maxLifetime: the cap on a cluster's whole life counted from createdAt, so
// extensions (each within maxTTL) cannot go on forever.
#include <gtest/gtest.h>

#include "capigitops/duration.h"
#include "capigitops/policy.h"
#include "policy/test_requests.h"

namespace capigitops {
namespace {

std::vector<Verdict> Lifetime(const ClusterRequest& req,
                              const PolicyContext& context) {
  std::string text =
      "apiVersion: capigitops.io/v1alpha1\nkind: Policy\n"
      "metadata: {name: lifetimes}\nspec:\n  rules:\n"
      "  - {name: cap, maxLifetime: 30d, action: enforce}\n";
  std::vector<Policy> policies;
  Diagnostics diags;
  LoadPolicies("policies/p.yaml", text, &policies, &diags);
  EXPECT_TRUE(diags.empty()) << diags[0].ToString();
  return EvaluatePolicies(req, policies, CostEstimate{}, context);
}

TEST(MaxLifetimeTest, ExpiresAtCountsFromCreatedAtNotFromNow) {
  ClusterRequest req = testing::GpuTrainingRequest();
  req.ttl.kind = TtlKind::kExpiresAt;
  req.ttl.text = "2026-12-31T00:00:00Z";
  req.ttl.expires_at = *ParseRfc3339(req.ttl.text);
  PolicyContext context;
  context.now = *ParseRfc3339("2026-12-25T00:00:00Z");  // 6 days left
  EXPECT_TRUE(Lifetime(req, context).empty());
  // Created 40 days before its expiry: over the cap, however near the end.
  context.created_at = *ParseRfc3339("2026-11-21T00:00:00Z");
  std::vector<Verdict> v = Lifetime(req, context);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_TRUE(v[0].enforce);
  EXPECT_EQ(v[0].field, "spec.expiresAt");
  EXPECT_NE(v[0].message.find("a lifetime of 40d from createdAt "
                              "2026-11-21T00:00:00Z exceeds the limit of 30d"),
            std::string::npos)
      << v[0].message;
}

TEST(MaxLifetimeTest, DurationNeverAndMissingTtl) {
  ClusterRequest req = testing::GpuTrainingRequest();
  req.ttl = {TtlKind::kDuration, 29 * 86400, 0, "29d"};
  EXPECT_TRUE(Lifetime(req, {}).empty());
  req.ttl = {TtlKind::kDuration, 31 * 86400, 0, "31d"};
  EXPECT_EQ(Lifetime(req, {}).size(), 1u);
  req.ttl = {TtlKind::kNever, 0, 0, "never"};
  EXPECT_EQ(Lifetime(req, {}).size(), 1u);
  req.ttl = {};
  EXPECT_EQ(Lifetime(req, {}).size(), 1u);
  EXPECT_STREQ(RuleKindName(RuleKind::kMaxLifetime), "maxLifetime");
}

}  // namespace
}  // namespace capigitops
