// Everything rendered from sample-repo must be valid for the real CRDs.
#include <gtest/gtest.h>

#include <map>
#include <set>

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
  // The add-on catalog: every HelmChartProxy and ClusterResourceSet.
  size_t addons = 0;
  ASSERT_TRUE(ev.catalog_error.empty()) << ev.catalog_error;
  for (const nlohmann::json& obj : ev.catalog_objects) {
    if (obj["apiVersion"] == "v1") continue;
    auto errors = crds.ValidateObject(obj);
    EXPECT_TRUE(errors.empty())
        << obj["kind"] << " " << obj["metadata"]["name"] << ":\n"
        << schema::testing::Describe(errors);
    ++addons;
  }
  EXPECT_GE(addons, 9u);
}

// Each sample cluster is labelled for a CNI, its cloud's CCM (none for
// docker), and the GPU operator when it has GPUs.
TEST(SampleRepoTest, EveryClusterGetsTheAddonsItNeeds) {
  StatusOr<FileSet> files =
      ReadRepoDirectory(testutil::SourcePath("sample-repo"));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EvaluateOptions options;
  options.render = true;
  Evaluation ev = Evaluate(*files, BuiltinPolicyFiles(), options);
  ASSERT_FALSE(ev.has_errors);
  std::map<std::string, std::set<std::string>> provides;  // cluster -> kinds
  for (const ClusterResult& c : ev.clusters) {
    for (const nlohmann::json& obj : c.objects) {
      if (obj["kind"] != "Cluster") continue;
      for (const auto& [key, value] : obj["metadata"]["labels"].items()) {
        if (key.rfind(kAddonLabelPrefix, 0) != 0) continue;
        const Addon* a =
            ev.repo.catalog.Find(key.substr(sizeof(kAddonLabelPrefix) - 1));
        ASSERT_NE(a, nullptr) << key;
        provides[c.request.name].insert(AddonProvidesName(a->provides));
      }
    }
    bool gpus = false;
    for (const NodePool& p : c.request.node_pools) gpus |= !!p.accelerator;
    std::set<std::string>& got = provides[c.request.name];
    EXPECT_TRUE(got.count("cni")) << c.request.name;
    EXPECT_EQ(got.count("ccm"),
              c.request.provider == Provider::kDocker ? 0u : 1u)
        << c.request.name;
    EXPECT_EQ(got.count("gpu"), gpus ? 1u : 0u) << c.request.name;
  }
  EXPECT_TRUE(provides["inference-us-east1"].count("csi"));
  EXPECT_TRUE(provides["finetune-westeurope"].count("csi"));
}

}  // namespace
}  // namespace capigitops
