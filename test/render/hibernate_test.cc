// spec.hibernate: GPU pools at zero, control plane and CPU pools unchanged.
#include <gtest/gtest.h>

#include "capigitops/render.h"
#include "render/render_test_util.h"

namespace capigitops {
namespace {

using namespace testing;  // NOLINT

constexpr char kMin[] =
    "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size";
constexpr char kMax[] =
    "cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size";

TEST(HibernateRenderTest, AutoscaledGpuPoolGoesToZeroCpuPoolStays) {
  ClusterRequest req = GcpRequest();  // cpu: 3 fixed; gpu: autoscaled 0-8
  std::vector<nlohmann::json> awake = MustExpand(req);
  req.hibernate = true;
  std::vector<nlohmann::json> asleep = MustExpand(req);
  nlohmann::json gpu = PoolDeployment(asleep, "ml-train", "gpu");
  EXPECT_EQ(gpu["metadata"]["annotations"][kMin], "0");
  EXPECT_EQ(gpu["metadata"]["annotations"][kMax], "0");
  EXPECT_EQ(gpu["spec"]["replicas"], 0);
  EXPECT_EQ(
      PoolDeployment(awake, "ml-train", "gpu")["metadata"]["annotations"][kMax],
      "8");
  EXPECT_FALSE(
      PoolDeployment(awake, "ml-train", "gpu")["spec"].contains("replicas"));
  EXPECT_EQ(PoolDeployment(asleep, "ml-train", "cpu"),
            PoolDeployment(awake, "ml-train", "cpu"));
  EXPECT_EQ(FindObject(asleep, "KubeadmControlPlane"),
            FindObject(awake, "KubeadmControlPlane"));
  // The machine templates do not change: resuming rolls nothing.
  EXPECT_EQ(PoolMachineTemplate(asleep, "ml-train", "gpu"),
            PoolMachineTemplate(awake, "ml-train", "gpu"));
}

TEST(HibernateRenderTest, FixedGpuPoolAndGpuFromTheMachineType) {
  ClusterRequest req = AwsRequest();  // gpu: g4dn.xlarge, GPUs from the type
  req.node_pools[0].autoscaling.reset();
  req.node_pools[0].replicas = 3;
  req.hibernate = true;
  std::vector<nlohmann::json> objects = MustExpand(req);
  EXPECT_EQ(PoolDeployment(objects, "inference", "gpu")["spec"]["replicas"], 0);
  nlohmann::json batch = PoolDeployment(objects, "inference", "batch");
  EXPECT_EQ(batch["metadata"]["annotations"][kMax], "10");
  EXPECT_FALSE(batch["spec"].contains("replicas"));
}

}  // namespace
}  // namespace capigitops
