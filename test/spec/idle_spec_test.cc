// spec.idle, spec.hibernate and capi-gitops.yaml's idle default.
#include <gtest/gtest.h>

#include "capigitops/loader.h"

namespace capigitops {
namespace {

const char kBase[] = R"(apiVersion: capigitops.io/v1alpha1
kind: ClusterRequest
metadata:
  name: gpu
spec:
  owner: ml
  provider: gcp
  region: us-central1
  zone: us-central1-c
  kubernetesVersion: v1.33.4
  controlPlane: {replicas: 1, machineType: n2-standard-4}
  nodePools:
  - {name: gpu, machineType: n1-standard-8, replicas: 1, accelerator: {type: nvidia-tesla-t4, count: 1}}
  providerConfig: {project: p}
)";

struct IdleLoaded {
  std::optional<ClusterRequest> req;
  std::vector<std::string> errors;
};

IdleLoaded LoadIdle(const std::string& extra, const RepoConfig& config = {}) {
  Diagnostics diags;
  IdleLoaded out;
  out.req = LoadClusterRequest("clusters/gpu.yaml", std::string(kBase) + extra,
                               config, &diags);
  for (const Diagnostic& d : diags) out.errors.push_back(d.ToString());
  return out;
}

TEST(IdleSpecTest, DecodesIdleAndHibernate) {
  IdleLoaded l = LoadIdle(
      "  idle: {after: 30m, action: hibernate, teardownAfter: 24h}\n"
      "  hibernate: true\n");
  ASSERT_TRUE(l.req) << (l.errors.empty() ? "" : l.errors[0]);
  ASSERT_TRUE(l.req->idle);
  EXPECT_EQ(l.req->idle->after, 1800);
  EXPECT_EQ(l.req->idle->after_text, "30m");
  EXPECT_EQ(l.req->idle->action, IdleAction::kHibernate);
  EXPECT_EQ(l.req->idle->teardown_after, 24 * 3600);
  EXPECT_TRUE(l.req->hibernate);
  EXPECT_TRUE(l.req->HasGpuPools());
}

TEST(IdleSpecTest, ErrorsNameFileLineAndField) {
  EXPECT_EQ(LoadIdle("  idle: {after: soon}\n").errors,
            std::vector<std::string>{
                "clusters/gpu.yaml:15:17: spec.idle.after: \"soon\" is not a "
                "duration: use e.g. 30m, 2h or 1d"});
  std::vector<std::string> errs = LoadIdle("  idle: {after: 2m}\n").errors;
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].find("clusters/gpu.yaml:15:17: spec.idle.after: 2m is "
                         "shorter than the minimum of 10m"),
            std::string::npos)
      << errs[0];
  errs = LoadIdle("  idle: {after: 30m, action: stop}\n").errors;
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].find("spec.idle.action: unsupported value \"stop\""),
            std::string::npos);
  errs = LoadIdle("  idle: {after: 30m, teardownAfter: 1h}\n").errors;
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].find("teardownAfter only goes with action: hibernate"),
            std::string::npos);
  errs = LoadIdle("  idle: {action: teardown}\n").errors;
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].find("spec.idle.after"), std::string::npos) << errs[0];
  errs = LoadIdle("  idle: {after: 30m, afterr: 1h}\n").errors;
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].find("afterr"), std::string::npos);
  errs = LoadIdle("  hibernate: yes please\n").errors;
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].find("spec.hibernate"), std::string::npos);
}

TEST(IdleSpecTest, RepoDefaultAppliesUnlessTheSpecSetsItsOwn) {
  Diagnostics diags;
  RepoConfig config;
  ASSERT_TRUE(LoadRepoConfig("capi-gitops.yaml",
                             "apiVersion: capigitops.io/v1alpha1\n"
                             "kind: RepoConfig\n"
                             "idle:\n"
                             "  after: 2h\n"
                             "  ignoreNamespaces: [ray-system, jupyter]\n",
                             &config, &diags))
      << diags[0].ToString();
  ASSERT_TRUE(config.idle.default_spec);
  EXPECT_EQ(config.idle.default_spec->after, 7200);
  EXPECT_EQ(config.idle.ignore_namespaces,
            (std::vector<std::string>{"ray-system", "jupyter"}));
  IdleLoaded l = LoadIdle("", config);
  ASSERT_TRUE(l.req && l.req->idle);
  EXPECT_EQ(l.req->idle->after, 7200);
  l = LoadIdle("  idle: {after: 45m}\n", config);
  ASSERT_TRUE(l.req && l.req->idle);
  EXPECT_EQ(l.req->idle->after, 2700);
  // Only an ignore list: no default.
  RepoConfig only;
  ASSERT_TRUE(LoadRepoConfig("capi-gitops.yaml",
                             "apiVersion: capigitops.io/v1alpha1\n"
                             "kind: RepoConfig\n"
                             "idle: {ignoreNamespaces: [BAD_NS]}\n",
                             &only, &diags) == false);
  EXPECT_NE(diags.back().ToString().find("capi-gitops.yaml:3:"),
            std::string::npos);
}

}  // namespace
}  // namespace capigitops
