#include <gtest/gtest.h>

#include "capigitops/render.h"
#include "render/render_test_util.h"

namespace capigitops {
namespace {

using namespace testing;  // NOLINT

TEST(VsphereRenderTest, MatchesGolden) {
  ExpectGolden("vsphere", EmitStream(MustExpand(VsphereRequest())));
}

TEST(VsphereRenderTest, SizesComeFromConfigAndGpusArePciDevices) {
  auto objects = MustExpand(VsphereRequest());
  nlohmann::json spec =
      PoolMachineTemplate(objects, "onprem", "gpu")["spec"]["template"]["spec"];
  EXPECT_EQ(spec["numCPUs"], 16);
  EXPECT_EQ(spec["memoryMiB"], 65536);
  EXPECT_EQ(spec["diskGiB"], 200);
  // Built-in default for a T4 (the test config maps no accelerators).
  nlohmann::json t4 = {{"vendorId", 4318}, {"deviceId", 7864}};
  EXPECT_EQ(spec["pciDevices"], nlohmann::json::array({t4, t4}));
  EXPECT_EQ(spec["template"], "ubuntu-2404-kube-v1.33.4");
  EXPECT_EQ(spec["network"]["devices"][0]["networkName"], "VM Network");

  auto ann =
      PoolDeployment(objects, "onprem", "gpu")["metadata"]["annotations"];
  EXPECT_EQ(ann["capacity.cluster-autoscaler.kubernetes.io/cpu"], "16");
  EXPECT_EQ(ann["capacity.cluster-autoscaler.kubernetes.io/memory"], "65536Mi");
  EXPECT_EQ(ann["capacity.cluster-autoscaler.kubernetes.io/gpu-count"], "2");
}

TEST(VsphereRenderTest, ConfiguredVgpuProfileWins) {
  ClusterRequest req = VsphereRequest();
  req.settings.vsphere.accelerators["nvidia-tesla-t4"] =
      VspherePciDevice{0, 0, "grid_t4-16c"};
  auto objects = MustExpand(req);
  nlohmann::json spec =
      PoolMachineTemplate(objects, "onprem", "gpu")["spec"]["template"]["spec"];
  nlohmann::json vgpu = {{"vGPUProfile", "grid_t4-16c"}};
  EXPECT_EQ(spec["pciDevices"], nlohmann::json::array({vgpu, vgpu}));
}

TEST(VsphereRenderTest, UnknownAcceleratorAndSizeAreErrors) {
  ClusterRequest req = VsphereRequest();
  req.node_pools[1].accelerator->type = "nvidia-h200";
  auto failed = Expand(req, TestRepoConfig(), {});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("spec.nodePools[1].accelerator"),
            std::string::npos);

  req = VsphereRequest();
  req.node_pools[0].machine_type = "huge";
  failed = Expand(req, TestRepoConfig(), {});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("spec.nodePools[0].machineType"),
            std::string::npos);
}

TEST(VsphereRenderTest, SpotIsRejected) {
  ClusterRequest req = VsphereRequest();
  req.node_pools[0].spot = true;
  auto failed = Expand(req, TestRepoConfig(), {});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(failed.status().message().find("spec.nodePools[0].spot"),
            std::string::npos);
}

TEST(VsphereRenderTest, ClusterUsesCredentialsSecretAndEndpoint) {
  auto cluster = FindObject(MustExpand(VsphereRequest()), "VSphereCluster");
  EXPECT_EQ(cluster["apiVersion"], "infrastructure.cluster.x-k8s.io/v1beta2");
  EXPECT_EQ(
      cluster["spec"]["identityRef"],
      (nlohmann::json{{"kind", "Secret"}, {"name", "vsphere-credentials"}}));
  EXPECT_EQ(cluster["spec"]["controlPlaneEndpoint"]["host"], "10.0.0.10");
}

}  // namespace
}  // namespace capigitops
