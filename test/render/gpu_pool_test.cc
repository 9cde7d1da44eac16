// What every provider gives GPU pools and MachineDeployments by default:
// the nvidia.com/gpu taint (and its autoscaler mirror), a GPU-sized root
// disk and a node drain timeout.
#include <gtest/gtest.h>

#include "capigitops/render.h"
#include "render/render_test_util.h"

namespace capigitops {
namespace {

using namespace testing;  // NOLINT

constexpr char kTaintsAnnotation[] =
    "capacity.cluster-autoscaler.kubernetes.io/taints";

nlohmann::json Registration(const std::vector<nlohmann::json>& objects,
                            const std::string& cluster,
                            const std::string& pool) {
  return PoolBootstrapTemplate(
      objects, cluster, pool)["spec"]["template"]["spec"]["joinConfiguration"]
                             ["nodeRegistration"];
}

// The GPU pool of each provider's test request, without a taint in the spec.
struct GpuCase {
  ClusterRequest req;
  std::string pool;
};
std::vector<GpuCase> GpuCases() {
  std::vector<GpuCase> cases;
  for (ClusterRequest req : AllProviderRequests()) {
    if (req.provider == Provider::kDocker) continue;
    for (NodePool& pool : req.node_pools) pool.taints.clear();
    cases.push_back({req, "gpu"});
  }
  return cases;
}

TEST(GpuPoolTest, GpuPoolsAreTaintedByDefaultOnEveryProvider) {
  nlohmann::json taint = {{"key", "nvidia.com/gpu"},
                          {"value", "present"},
                          {"effect", "NoSchedule"}};
  for (const GpuCase& c : GpuCases()) {
    auto objects = MustExpand(c.req);
    nlohmann::json reg = Registration(objects, c.req.name, c.pool);
    EXPECT_EQ(reg["taints"], nlohmann::json::array({taint})) << c.req.name;
    // Scale-from-zero: the autoscaler's template node has the same taint.
    nlohmann::json ann =
        PoolDeployment(objects, c.req.name, c.pool)["metadata"]["annotations"];
    EXPECT_EQ(ann[kTaintsAnnotation], "nvidia.com/gpu=present:NoSchedule")
        << c.req.name;
  }
}

TEST(GpuPoolTest, CpuPoolsGetNoDefaultTaint) {
  auto objects = MustExpand(GcpRequest());
  EXPECT_FALSE(Registration(objects, "ml-train", "cpu").contains("taints"));
}

TEST(GpuPoolTest, GpuFromTheMachineTypeAloneIsTaintedToo) {
  ClusterRequest req = AwsRequest();  // g4dn.xlarge, no accelerator field
  req.node_pools[0].taints.clear();
  auto objects = MustExpand(req);
  EXPECT_EQ(Registration(objects, "inference", "gpu")["taints"][0]["key"],
            "nvidia.com/gpu");
}

TEST(GpuPoolTest, SpecCanOptOutOfTheGpuTaint) {
  for (GpuCase c : GpuCases()) {
    for (NodePool& pool : c.req.node_pools) pool.gpu_taint = false;
    auto objects = MustExpand(c.req);
    EXPECT_FALSE(Registration(objects, c.req.name, c.pool).contains("taints"))
        << c.req.name;
    nlohmann::json ann =
        PoolDeployment(objects, c.req.name, c.pool)["metadata"]["annotations"];
    EXPECT_FALSE(ann.contains(kTaintsAnnotation)) << c.req.name;
  }
}

TEST(GpuPoolTest, OptOutKeepsTheSpecsOwnTaints) {
  ClusterRequest req = GcpRequest();
  req.node_pools[1].gpu_taint = false;
  req.node_pools[1].taints = {{"dedicated", "ml", "NoExecute"}};
  auto objects = MustExpand(req);
  nlohmann::json taints = Registration(objects, "ml-train", "gpu")["taints"];
  ASSERT_EQ(taints.size(), 1u);
  EXPECT_EQ(taints[0]["key"], "dedicated");
}

TEST(GpuPoolTest, GpuPoolsWithoutDiskGetAtLeast100Gib) {
  ClusterRequest gcp = GcpRequest();
  gcp.node_pools[1].disk_gib.reset();
  EXPECT_EQ(
      PoolMachineTemplate(MustExpand(gcp), "ml-train",
                          "gpu")["spec"]["template"]["spec"]["rootDeviceSize"],
      100);

  ClusterRequest aws = AwsRequest();
  aws.node_pools[0].disk_gib.reset();  // g4dn.xlarge: GPU from the type
  EXPECT_EQ(PoolMachineTemplate(
                MustExpand(aws), "inference",
                "gpu")["spec"]["template"]["spec"]["rootVolume"]["size"],
            100);

  ClusterRequest vs = VsphereRequest();
  vs.settings.Mutable().vsphere.sizes["gpu-large"].disk_gib = 40;
  EXPECT_EQ(PoolMachineTemplate(MustExpand(vs), "onprem",
                                "gpu")["spec"]["template"]["spec"]["diskGiB"],
            100);

  ClusterRequest az = AzureRequest();
  az.node_pools[1].disk_gib.reset();
  EXPECT_GE(PoolMachineTemplate(
                MustExpand(az), "az-spot",
                "gpu")["spec"]["template"]["spec"]["osDisk"]["diskSizeGB"]
                .get<int>(),
            100);
}

TEST(GpuPoolTest, CpuPoolsAndExplicitDisksKeepTheirSize) {
  ClusterRequest req = AwsRequest();
  req.node_pools[0].disk_gib = 60;
  auto objects = MustExpand(req);
  EXPECT_EQ(PoolMachineTemplate(
                objects, "inference",
                "gpu")["spec"]["template"]["spec"]["rootVolume"]["size"],
            60);
  EXPECT_FALSE(PoolMachineTemplate(objects, "inference",
                                   "batch")["spec"]["template"]["spec"]
                   .contains("rootVolume"));
}

TEST(GpuPoolTest, EveryMachineDeploymentHasANodeDrainTimeout) {
  for (const ClusterRequest& req : AllProviderRequests()) {
    auto objects = MustExpand(req);
    for (const NodePool& pool : req.node_pools) {
      nlohmann::json md = PoolDeployment(objects, req.name, pool.name);
      int timeout =
          md["spec"]["template"]["spec"]["deletion"]["nodeDrainTimeoutSeconds"]
              .get<int>();
      EXPECT_GT(timeout, 0) << req.name << "/" << pool.name;
    }
  }
}

// The kubelet may not set node-role.kubernetes.io/* on itself: such labels
// go on the Machine (MachineDeployment template), which CAPI syncs to the
// Node, and not into --node-labels.
TEST(GpuPoolTest, CapiSyncedLabelsGoOnTheMachineTemplate) {
  ClusterRequest req = GcpRequest();
  req.node_pools[1].labels = {{"node-role.kubernetes.io/gpu", ""},
                              {"node.cluster.x-k8s.io/pool", "gpu"},
                              {"workload", "training"}};
  auto objects = MustExpand(req);
  nlohmann::json md = PoolDeployment(objects, req.name, "gpu");
  nlohmann::json labels = md["spec"]["template"]["metadata"]["labels"];
  EXPECT_EQ(labels["node-role.kubernetes.io/gpu"], "");
  EXPECT_EQ(labels["node.cluster.x-k8s.io/pool"], "gpu");
  EXPECT_FALSE(labels.contains("workload"));
  // The selector stays what it was: the template only gains labels.
  EXPECT_FALSE(md["spec"]["selector"]["matchLabels"].contains(
      "node-role.kubernetes.io/gpu"));
  auto kct = PoolBootstrapTemplate(objects, req.name, "gpu");
  EXPECT_EQ(KubeletArg(kct["spec"]["template"]["spec"]["joinConfiguration"]
                          ["nodeRegistration"],
                       "node-labels"),
            "cluster-api/accelerator=nvidia-tesla-v100,workload=training");
}

// Scale-from-zero needs CPU and memory: declared OpenStack flavors and the
// GCP a3 rows now give them (provider-review.md B4).
TEST(GpuPoolTest, DeclaredAndA3ShapesGiveScaleFromZeroCapacity) {
  const std::string cap = "capacity.cluster-autoscaler.kubernetes.io/";
  auto md = PoolDeployment(MustExpand(OpenstackRequest()), "os-lab", "gpu");
  EXPECT_EQ(md["metadata"]["annotations"][cap + "cpu"], "8");
  EXPECT_EQ(md["metadata"]["annotations"][cap + "memory"], "32768Mi");

  ClusterRequest req = GcpRequest();
  req.node_pools[1].machine_type = "a3-highgpu-8g";
  req.node_pools[1].accelerator.reset();
  md = PoolDeployment(MustExpand(req), req.name, "gpu");
  EXPECT_EQ(md["metadata"]["annotations"][cap + "cpu"], "208");
  EXPECT_EQ(md["metadata"]["annotations"][cap + "gpu-count"], "8");
}

}  // namespace
}  // namespace capigitops
