#include <gtest/gtest.h>

#include <map>

#include "capigitops/render.h"
#include "capigitops/yaml.h"
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
  req.settings.Mutable().vsphere.accelerators["nvidia-tesla-t4"] =
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

nlohmann::json FileAt(const nlohmann::json& config, const std::string& path) {
  for (const auto& file : config.value("files", nlohmann::json::array())) {
    if (file["path"] == path) return file;
  }
  return nullptr;
}

// CAPV creates no load balancer: kube-vip on the control plane must answer
// on controlPlaneEndpoint, as in CAPV's cluster-template.yaml.
TEST(VsphereRenderTest, ControlPlaneRunsKubeVipOnTheEndpoint) {
  auto objects = MustExpand(VsphereRequest());
  nlohmann::json config =
      FindObject(objects, "KubeadmControlPlane")["spec"]["kubeadmConfigSpec"];
  nlohmann::json pod_file =
      FileAt(config, "/etc/kubernetes/manifests/kube-vip.yaml");
  ASSERT_FALSE(pod_file.is_null());
  Diagnostics diags;
  auto docs = yaml::ParseDocuments(pod_file["content"].get<std::string>(),
                                   "kube-vip.yaml", &diags);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_TRUE(diags.empty());
  nlohmann::json pod = yaml::ToJson(docs[0]);
  EXPECT_EQ(pod["kind"], "Pod");
  EXPECT_EQ(pod["spec"]["hostNetwork"], true);
  const nlohmann::json& container = pod["spec"]["containers"][0];
  EXPECT_EQ(container["image"], "ghcr.io/kube-vip/kube-vip:v0.6.4");
  std::map<std::string, std::string> env;
  for (const auto& e : container["env"]) env[e["name"]] = e["value"];
  EXPECT_EQ(env["address"], "10.0.0.10");
  EXPECT_EQ(env["port"], "6443");
  EXPECT_EQ(env["cp_enable"], "true");
  EXPECT_FALSE(FileAt(config, "/etc/kube-vip.hosts").is_null());

  // Kubernetes >= 1.29: kubeadm init needs super-admin.conf; the script
  // switches to it and preKubeadmCommands run it.
  nlohmann::json script =
      FileAt(config, "/etc/pre-kubeadm-commands/50-kube-vip-prepare.sh");
  ASSERT_FALSE(script.is_null());
  EXPECT_NE(script["content"].get<std::string>().find("super-admin.conf"),
            std::string::npos);
  EXPECT_EQ(script["permissions"], "0700");
  ASSERT_TRUE(config.contains("preKubeadmCommands"));
  bool runs_scripts = false;
  for (const auto& cmd : config["preKubeadmCommands"]) {
    if (cmd.get<std::string>().find("/etc/pre-kubeadm-commands/") !=
        std::string::npos) {
      runs_scripts = true;
    }
  }
  EXPECT_TRUE(runs_scripts);

  // Workers join through the VIP; they run no kube-vip.
  nlohmann::json kct = PoolBootstrapTemplate(objects, "onprem", "workers");
  EXPECT_FALSE(kct["spec"]["template"]["spec"].contains("files"));
}

TEST(VsphereRenderTest, MissingEndpointIsAnError) {
  ClusterRequest req = VsphereRequest();
  req.settings.Mutable().vsphere.control_plane_endpoint.clear();
  auto failed = Expand(req, TestRepoConfig(), {});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("controlPlaneEndpoint"),
            std::string::npos);
}

// Linked clones ignore diskGiB.
TEST(VsphereRenderTest, GpuAndSizedDiskPoolsAreFullClones) {
  ClusterRequest req = VsphereRequest();
  req.node_pools[0].disk_gib = 120;
  auto objects = MustExpand(req);
  EXPECT_EQ(PoolMachineTemplate(objects, "onprem",
                                "gpu")["spec"]["template"]["spec"]["cloneMode"],
            "fullClone");
  EXPECT_EQ(
      PoolMachineTemplate(objects, "onprem",
                          "workers")["spec"]["template"]["spec"]["cloneMode"],
      "fullClone");
  EXPECT_EQ(
      PoolMachineTemplate(objects, "onprem",
                          "workers")["spec"]["template"]["spec"]["diskGiB"],
      120);
  // Neither: CAPV's default (a fast linked clone when possible).
  auto plain = MustExpand(VsphereRequest());
  EXPECT_FALSE(PoolMachineTemplate(plain, "onprem",
                                   "workers")["spec"]["template"]["spec"]
                   .contains("cloneMode"));
}

// A Secret identity is owned by one VSphereCluster and deleted with it
// (provider-review.md A4): clusters reference the shared, cluster-scoped
// VSphereClusterIdentity, which is not rendered (it would be pruned with
// the first cluster, and CAPV's owner reference would take its Secret).
TEST(VsphereRenderTest, ClusterUsesTheSharedClusterIdentityAndEndpoint) {
  auto objects = MustExpand(VsphereRequest());
  auto cluster = FindObject(objects, "VSphereCluster");
  EXPECT_EQ(cluster["apiVersion"], "infrastructure.cluster.x-k8s.io/v1beta2");
  EXPECT_EQ(cluster["spec"]["identityRef"],
            (nlohmann::json{{"kind", "VSphereClusterIdentity"},
                            {"name", "vsphere-fleet"}}));
  EXPECT_EQ(cluster["spec"]["controlPlaneEndpoint"]["host"], "10.0.0.10");
  for (const auto& obj : objects) {
    EXPECT_NE(obj["kind"], "VSphereClusterIdentity");
    EXPECT_NE(obj["kind"], "Secret");
  }
  ClusterRequest legacy = VsphereRequest();
  legacy.settings.Mutable().vsphere.identity_name.clear();
  legacy.settings.Mutable().vsphere.credentials_secret = "vsphere-credentials";
  EXPECT_EQ(
      FindObject(MustExpand(legacy), "VSphereCluster")["spec"]["identityRef"],
      (nlohmann::json{{"kind", "Secret"}, {"name", "vsphere-credentials"}}));
}

}  // namespace
}  // namespace capigitops
