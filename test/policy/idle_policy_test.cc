// maxIdleAfter and requireIdle.
#include <gtest/gtest.h>

#include "capigitops/policy.h"
#include "policy/test_requests.h"

namespace capigitops {
namespace {

std::vector<std::string> Verdicts(const ClusterRequest& req,
                                  const std::string& rules) {
  std::string text =
      "apiVersion: capigitops.io/v1alpha1\n"
      "kind: Policy\n"
      "metadata: {name: gpu-idle}\n"
      "spec:\n"
      "  rules:\n" +
      rules;
  std::vector<Policy> policies;
  Diagnostics diags;
  LoadPolicies("policies/p.yaml", text, &policies, &diags);
  for (const Diagnostic& d : diags) ADD_FAILURE() << d.ToString();
  std::vector<std::string> out;
  for (const Verdict& v :
       EvaluatePolicies(req, policies, CostEstimate{}, PolicyContext{})) {
    out.push_back(v.ToString());
  }
  return out;
}

IdleSpec After(int64_t secs, const char* text) {
  IdleSpec s;
  s.after = secs;
  s.after_text = text;
  return s;
}

TEST(IdlePolicyTest, RequireIdleForGpuPools) {
  ClusterRequest req = testing::GpuTrainingRequest();
  const char* rule =
      "  - {name: idle-gpu, requireIdle: {forAccelerators: true}}\n";
  std::vector<std::string> v = Verdicts(req, rule);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_NE(v[0].find("deny: policy gpu-idle rule idle-gpu: spec.idle: "
                      "clusters with GPU node pools need spec.idle"),
            std::string::npos)
      << v[0];
  req.idle = After(1800, "30m");
  EXPECT_TRUE(Verdicts(req, rule).empty());
  ClusterRequest cpu = testing::GpuTrainingRequest();
  cpu.node_pools.pop_back();  // the GPU pool
  EXPECT_TRUE(Verdicts(cpu, rule).empty());
}

TEST(IdlePolicyTest, MaxIdleAfter) {
  ClusterRequest req = testing::GpuTrainingRequest();
  const char* rule = "  - {name: short-idle, maxIdleAfter: 2h, action: warn}\n";
  EXPECT_TRUE(Verdicts(req, rule).empty()) << "requireIdle asks for one";
  req.idle = After(3 * 3600, "3h");
  std::vector<std::string> v = Verdicts(req, rule);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_NE(v[0].find("warn: policy gpu-idle rule short-idle: "
                      "spec.idle.after: idle after 3h exceeds the limit of 2h"),
            std::string::npos)
      << v[0];
  req.idle = After(3600, "1h");
  EXPECT_TRUE(Verdicts(req, rule).empty());
}

TEST(IdlePolicyTest, BadValuesAreFileLineErrors) {
  std::vector<Policy> policies;
  Diagnostics diags;
  LoadPolicies("policies/p.yaml",
               "apiVersion: capigitops.io/v1alpha1\n"
               "kind: Policy\n"
               "metadata: {name: p}\n"
               "spec:\n"
               "  rules:\n"
               "  - {name: a, maxIdleAfter: soon}\n",
               &policies, &diags);
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags[0].ToString().find("policies/p.yaml:6:"), std::string::npos)
      << diags[0].ToString();
}

}  // namespace
}  // namespace capigitops
