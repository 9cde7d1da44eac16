// Everything rendered from sample-repo must be valid for the real CRDs.
#include <gtest/gtest.h>

#include "app/builtin_policies.h"
#include "capigitops/reconcile.h"
#include "schema/crd_testing.h"
#include "testing/subprocess.h"

namespace capigitops {
namespace {

TEST(SampleRepoTest, EveryRenderedObjectPassesTheUpstreamCrds) {
  SKIP_WITHOUT_CRDS();
  StatusOr<FileSet> files =
      ReadRepoDirectory(testutil::SourcePath("sample-repo"));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EvaluateOptions options;
  options.render = true;
  options.revision = "0123456789abcdef";
  Evaluation ev = Evaluate(*files, BuiltinPolicyFiles(), options);
  ASSERT_FALSE(ev.has_errors);
  ASSERT_EQ(ev.clusters.size(), 5u);
  const schema::CrdRegistry& crds = schema::testing::UpstreamCrds();
  size_t checked = 0;
  for (const ClusterResult& c : ev.clusters) {
    EXPECT_FALSE(c.objects.empty()) << c.request.name;
    for (const nlohmann::json& obj : c.objects) {
      // Built-in kinds (the autoscaler's Deployment and RBAC): no CRD.
      if (obj["apiVersion"] == "v1" || obj["apiVersion"] == "apps/v1" ||
          obj["apiVersion"] == "rbac.authorization.k8s.io/v1") {
        continue;
      }
      auto errors = crds.ValidateObject(obj);
      EXPECT_TRUE(errors.empty()) << c.request.name << " " << obj["kind"] << " "
                                  << obj["metadata"]["name"] << ":\n"
                                  << schema::testing::Describe(errors);
      ++checked;
    }
  }
  EXPECT_GT(checked, 40u);
}

}  // namespace
}  // namespace capigitops
