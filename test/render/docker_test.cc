#include <gtest/gtest.h>

#include "capigitops/render.h"
#include "render/render_test_util.h"

namespace capigitops {
namespace {

using namespace testing;  // NOLINT

TEST(DockerRenderTest, MatchesGolden) {
  ExpectGolden("docker", EmitStream(MustExpand(DockerRequest())));
}

TEST(DockerRenderTest, UsesDevKindsWithTheDockerBackend) {
  auto objects = MustExpand(DockerRequest());
  nlohmann::json cluster = FindObject(objects, "DevCluster");
  ASSERT_FALSE(cluster.is_null());
  EXPECT_EQ(cluster["apiVersion"], "infrastructure.cluster.x-k8s.io/v1beta2");
  EXPECT_TRUE(cluster["spec"]["backend"].contains("docker"));
  nlohmann::json tmpl = PoolMachineTemplate(objects, "dev", "md-0");
  EXPECT_EQ(tmpl["kind"], "DevMachineTemplate");
  EXPECT_TRUE(tmpl["spec"]["template"]["spec"]["backend"].contains("docker"));
  EXPECT_TRUE(FindObject(objects, "DockerCluster").is_null());
}

TEST(DockerRenderTest, AutoscaledPoolWithoutKnownShapeHasOnlyMinMax) {
  auto objects = MustExpand(DockerRequest());
  auto ann = PoolDeployment(objects, "dev", "burst")["metadata"]["annotations"];
  EXPECT_EQ(ann.size(), 2u) << ann.dump();
  EXPECT_FALSE(
      PoolDeployment(objects, "dev", "burst")["spec"].contains("replicas"));
}

TEST(DockerRenderTest, NoTtlMeansNever) {
  auto cluster = MustExpand(DockerRequest()).back();
  EXPECT_EQ(cluster["metadata"]["annotations"]["capigitops.io/ttl"], "never");
}

TEST(DockerRenderTest, SpotAndGpusAreRejected) {
  ClusterRequest req = DockerRequest();
  req.node_pools[0].spot = true;
  EXPECT_FALSE(Expand(req, TestRepoConfig(), {}).ok());
  req = DockerRequest();
  req.node_pools[0].accelerator = Accelerator{"nvidia-tesla-t4", 1};
  auto failed = Expand(req, TestRepoConfig(), {});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("spec.nodePools[0].accelerator"),
            std::string::npos);
}

}  // namespace
}  // namespace capigitops
