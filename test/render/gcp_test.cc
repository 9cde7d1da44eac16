#include <gtest/gtest.h>

#include "capigitops/render.h"
#include "render/render_test_util.h"

namespace capigitops {
namespace {

using namespace testing;  // NOLINT

TEST(GcpRenderTest, MatchesGolden) {
  ExpectGolden("gcp", EmitStream(MustExpand(GcpRequest())));
}

TEST(GcpRenderTest, GpuPoolUsesZonalAcceleratorUrlAndTerminates) {
  auto objects = MustExpand(GcpRequest());
  nlohmann::json tmpl = PoolMachineTemplate(objects, "ml-train", "gpu");
  ASSERT_FALSE(tmpl.is_null());
  EXPECT_EQ(tmpl["apiVersion"], "infrastructure.cluster.x-k8s.io/v1beta1");
  EXPECT_EQ(tmpl["kind"], "GCPMachineTemplate");
  nlohmann::json spec = tmpl["spec"]["template"]["spec"];
  ASSERT_EQ(spec["guestAccelerators"].size(), 1u);
  EXPECT_EQ(spec["guestAccelerators"][0]["type"],
            "projects/my-project/zones/us-central1-c/acceleratorTypes/"
            "nvidia-tesla-v100");
  EXPECT_EQ(spec["guestAccelerators"][0]["count"], 4);
  EXPECT_EQ(spec["onHostMaintenance"], "Terminate");
  EXPECT_EQ(spec["provisioningModel"], "Spot");
  EXPECT_EQ(spec["rootDeviceSize"], 200);
  EXPECT_EQ(spec["rootDeviceType"], "pd-ssd");
  EXPECT_FALSE(spec.contains("acceleratorType"));

  nlohmann::json md = PoolDeployment(objects, "ml-train", "gpu");
  EXPECT_EQ(md["spec"]["template"]["spec"]["failureDomain"], "us-central1-c");
}

TEST(GcpRenderTest, GpuPoolGetsAcceleratorNodeLabelAndUserTaints) {
  auto objects = MustExpand(GcpRequest());
  nlohmann::json kct = PoolBootstrapTemplate(objects, "ml-train", "gpu");
  nlohmann::json reg =
      kct["spec"]["template"]["spec"]["joinConfiguration"]["nodeRegistration"];
  EXPECT_EQ(KubeletArg(reg, "node-labels"),
            "cluster-api/accelerator=nvidia-tesla-v100,workload=training");
  EXPECT_EQ(KubeletArg(reg, "cloud-provider"), "external");
  ASSERT_EQ(reg["taints"].size(), 1u);
  EXPECT_EQ(reg["taints"][0]["key"], "nvidia.com/gpu");
  EXPECT_EQ(reg["taints"][0]["effect"], "NoSchedule");
}

TEST(GcpRenderTest, UserGpuTaintIsNotDuplicatedByTheDefault) {
  auto objects = MustExpand(GcpRequest());
  nlohmann::json reg = PoolBootstrapTemplate(
      objects, "ml-train", "gpu")["spec"]["template"]["spec"]
                                 ["joinConfiguration"]["nodeRegistration"];
  EXPECT_EQ(reg["taints"].size(), 1u);
}

TEST(GcpRenderTest, GpuWithoutZoneIsRejectedNamingSpecZone) {
  ClusterRequest req = GcpRequest();
  req.zone.clear();
  auto objects = Expand(req, TestRepoConfig(), {});
  ASSERT_FALSE(objects.ok());
  EXPECT_EQ(objects.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(objects.status().message().find("spec.zone"), std::string::npos)
      << objects.status().message();
}

TEST(GcpRenderTest, CpuOnlyClusterWithoutZoneHasNoFailureDomain) {
  ClusterRequest req = GcpRequest();
  req.zone.clear();
  req.node_pools.pop_back();
  auto objects = MustExpand(req);
  EXPECT_FALSE(
      PoolDeployment(objects, "ml-train", "cpu")["spec"]["template"]["spec"]
          .contains("failureDomain"));
  EXPECT_FALSE(
      FindObject(objects, "GCPCluster")["spec"].contains("failureDomains"));
}

TEST(GcpRenderTest, BundledGpuMachineTypesTakeNoGuestAccelerators) {
  ClusterRequest req = GcpRequest();
  req.node_pools[1].machine_type = "a2-highgpu-4g";
  req.node_pools[1].accelerator = Accelerator{"nvidia-tesla-a100", 4};
  auto objects = MustExpand(req);
  nlohmann::json spec = PoolMachineTemplate(objects, "ml-train",
                                            "gpu")["spec"]["template"]["spec"];
  EXPECT_FALSE(spec.contains("guestAccelerators"));
  EXPECT_EQ(spec["onHostMaintenance"], "Terminate");
}

TEST(GcpRenderTest, ClusterNamesProjectAndRegion) {
  auto cluster = FindObject(MustExpand(GcpRequest()), "GCPCluster");
  EXPECT_EQ(cluster["spec"]["project"], "my-project");
  EXPECT_EQ(cluster["spec"]["region"], "us-central1");
}

// spec.zone is where the GPUs are; the control plane keeps zonal HA over
// the region's zones and CPU pools are not tied to the GPU zone.
TEST(GcpRenderTest, ZonePinsOnlyTheGpuPools) {
  auto objects = MustExpand(GcpRequest());
  EXPECT_FALSE(
      FindObject(objects, "GCPCluster")["spec"].contains("failureDomains"));
  EXPECT_FALSE(
      PoolDeployment(objects, "ml-train", "cpu")["spec"]["template"]["spec"]
          .contains("failureDomain"));
  EXPECT_EQ(PoolDeployment(objects, "ml-train",
                           "gpu")["spec"]["template"]["spec"]["failureDomain"],
            "us-central1-c");

  // A bundled-GPU machine type without accelerator is a GPU pool too.
  ClusterRequest req = GcpRequest();
  req.node_pools[1].machine_type = "a2-highgpu-1g";
  req.node_pools[1].accelerator.reset();
  EXPECT_EQ(PoolDeployment(MustExpand(req), "ml-train",
                           "gpu")["spec"]["template"]["spec"]["failureDomain"],
            "us-central1-c");
}

// The GCE cloud-controller-manager reads /etc/kubernetes/cloud.config on
// the control plane (as CAPG's e2e cluster-template-ci.yaml writes it).
TEST(GcpRenderTest, ControlPlaneWritesTheCloudConfig) {
  ClusterRequest req = GcpRequest();
  req.settings.Mutable().gcp.network = "ml-vpc";
  auto objects = MustExpand(req);
  nlohmann::json config =
      FindObject(objects, "KubeadmControlPlane")["spec"]["kubeadmConfigSpec"];
  ASSERT_TRUE(config.contains("files"));
  nlohmann::json file;
  for (const auto& f : config["files"]) {
    if (f["path"] == "/etc/kubernetes/cloud.config") file = f;
  }
  ASSERT_FALSE(file.is_null());
  EXPECT_EQ(file["content"],
            "[Global]\n\nproject-id = \"my-project\"\n"
            "network-name = \"ml-vpc\"\nmultizone = true\n");
  // Workers run no CCM.
  EXPECT_FALSE(PoolBootstrapTemplate(objects, "ml-train",
                                     "cpu")["spec"]["template"]["spec"]
                   .contains("files"));
}

TEST(GcpRenderTest, MissingProjectIsAnError) {
  ClusterRequest req = GcpRequest();
  req.settings.Mutable().gcp.project.clear();
  auto objects = Expand(req, TestRepoConfig(), {});
  ASSERT_FALSE(objects.ok());
  EXPECT_NE(objects.status().message().find("providers.gcp.project"),
            std::string::npos);
}

// A pod on a GPU node must not act as the project's default compute account
// with the cloud-platform scope (CAPG's default, provider-review.md D2):
// dedicated accounts from the repo, nodes with narrow default scopes.
TEST(GcpRenderTest, DedicatedServiceAccountsFromTheRepo) {
  ClusterRequest req = GcpRequest();
  auto plain = MustExpand(req);
  EXPECT_FALSE(
      PoolMachineTemplate(plain, req.name, "gpu")["spec"]["template"]["spec"]
          .contains("serviceAccounts"));
  req.settings.Mutable().gcp.control_plane_service_account.email =
      "capi-cp@my-project.iam.gserviceaccount.com";
  req.settings.Mutable().gcp.node_service_account.email =
      "capi-nodes@my-project.iam.gserviceaccount.com";
  auto objects = MustExpand(req);
  nlohmann::json nodes = PoolMachineTemplate(
      objects, req.name, "gpu")["spec"]["template"]["spec"]["serviceAccounts"];
  EXPECT_EQ(nodes["email"], "capi-nodes@my-project.iam.gserviceaccount.com");
  EXPECT_EQ(nodes["scopes"],
            nlohmann::json::array(
                {"https://www.googleapis.com/auth/devstorage.read_only",
                 "https://www.googleapis.com/auth/logging.write",
                 "https://www.googleapis.com/auth/monitoring.write"}));
  nlohmann::json cp = FindObject(
      objects, "GCPMachineTemplate",
      "ml-train-control-plane")["spec"]["template"]["spec"]["serviceAccounts"];
  EXPECT_EQ(cp["email"], "capi-cp@my-project.iam.gserviceaccount.com");
  EXPECT_EQ(cp["scopes"],
            nlohmann::json::array(
                {"https://www.googleapis.com/auth/cloud-platform"}));
}

}  // namespace
}  // namespace capigitops
