#include <gtest/gtest.h>

#include "capigitops/render.h"
#include "render/render_test_util.h"

namespace capigitops {
namespace {

using namespace testing;  // NOLINT

TEST(AzureRenderTest, MatchesGolden) {
  ExpectGolden("azure", EmitStream(MustExpand(AzureRequest())));
}

TEST(AzureRenderTest, IdentityIsCreatedAndReferenced) {
  auto objects = MustExpand(AzureRequest());
  nlohmann::json identity = FindObject(objects, "AzureClusterIdentity");
  ASSERT_FALSE(identity.is_null());
  EXPECT_EQ(identity["metadata"]["namespace"], "fleet");
  EXPECT_EQ(identity["spec"]["type"], "WorkloadIdentity");
  EXPECT_EQ(identity["spec"]["clientID"],
            "00000000-0000-0000-0000-000000000002");
  nlohmann::json cluster = FindObject(objects, "AzureCluster");
  EXPECT_EQ(cluster["apiVersion"], "infrastructure.cluster.x-k8s.io/v1beta1");
  EXPECT_EQ(cluster["spec"]["location"], "westeurope");
  EXPECT_EQ(cluster["spec"]["identityRef"]["kind"], "AzureClusterIdentity");
  EXPECT_EQ(cluster["spec"]["identityRef"]["name"],
            identity["metadata"]["name"]);
  EXPECT_EQ(cluster["spec"]["resourceGroup"], "az-spot");
}

// CAPZ treats a nil allowedNamespaces as "no namespace allowed".
TEST(AzureRenderTest, IdentityAllowsOnlyTheClustersNamespace) {
  nlohmann::json identity =
      FindObject(MustExpand(AzureRequest()), "AzureClusterIdentity");
  EXPECT_EQ(identity["spec"]["allowedNamespaces"],
            (nlohmann::json{{"list", {"fleet"}}}));
}

// The file the cloud provider reads, from the Secret CAPZ generates per
// AzureMachineTemplate; each machine gets its own template's Secret.
TEST(AzureRenderTest, BootstrapWritesAzureJsonFromTheTemplatesSecret) {
  auto objects = MustExpand(AzureRequest());
  auto azure_json = [](const nlohmann::json& config) {
    for (const auto& file : config.value("files", nlohmann::json::array())) {
      if (file["path"] == "/etc/kubernetes/azure.json") return file;
    }
    return nlohmann::json();
  };
  nlohmann::json kcp = FindObject(objects, "KubeadmControlPlane");
  std::string cp_template =
      kcp["spec"]["machineTemplate"]["spec"]["infrastructureRef"]["name"];
  nlohmann::json cp_file = azure_json(kcp["spec"]["kubeadmConfigSpec"]);
  ASSERT_FALSE(cp_file.is_null());
  EXPECT_EQ(cp_file["contentFrom"]["secret"],
            (nlohmann::json{{"name", cp_template + "-azure-json"},
                            {"key", "control-plane-azure.json"}}));
  EXPECT_EQ(cp_file["permissions"], "0644");

  for (const char* pool : {"system", "gpu"}) {
    std::string md_template =
        PoolMachineTemplate(objects, "az-spot", pool)["metadata"]["name"];
    nlohmann::json file = azure_json(PoolBootstrapTemplate(
        objects, "az-spot", pool)["spec"]["template"]["spec"]);
    ASSERT_FALSE(file.is_null()) << pool;
    EXPECT_EQ(file["contentFrom"]["secret"],
              (nlohmann::json{{"name", md_template + "-azure-json"},
                              {"key", "worker-node-azure.json"}}))
        << pool;
  }
}

TEST(AzureRenderTest, ControlPlaneGetsTheConfiguredUserAssignedIdentity) {
  ClusterRequest req = AzureRequest();
  auto plain = MustExpand(req);
  nlohmann::json cp =
      FindObject(plain, "AzureMachineTemplate", "az-spot-control-plane-");
  EXPECT_FALSE(cp["spec"]["template"]["spec"].contains("identity"));

  std::string id =
      "azure:///subscriptions/s/resourceGroups/rg/providers/"
      "Microsoft.ManagedIdentity/userAssignedIdentities/cloud-provider";
  req.settings.Mutable().azure.control_plane_identity_id = id;
  auto objects = MustExpand(req);
  nlohmann::json spec =
      FindObject(objects, "AzureMachineTemplate",
                 "az-spot-control-plane-")["spec"]["template"]["spec"];
  EXPECT_EQ(spec["identity"], "UserAssigned");
  EXPECT_EQ(spec["userAssignedIdentities"],
            nlohmann::json::array({{{"providerID", id}}}));
  // Workers keep no identity.
  EXPECT_FALSE(
      PoolMachineTemplate(objects, "az-spot", "gpu")["spec"]["template"]["spec"]
          .contains("identity"));
}

TEST(AzureRenderTest, SpotOptionsSitInTheMachineSpec) {
  auto objects = MustExpand(AzureRequest());
  nlohmann::json tmpl = PoolMachineTemplate(objects, "az-spot", "gpu");
  EXPECT_FALSE(tmpl["spec"]["template"].contains("spotVMOptions"));
  nlohmann::json spec = tmpl["spec"]["template"]["spec"];
  // Delete: a deallocated spot VM keeps billing for its disks.
  EXPECT_EQ(spec["spotVMOptions"],
            (nlohmann::json{{"evictionPolicy", "Delete"}}));
  EXPECT_EQ(spec["vmSize"], "Standard_NC6s_v3");
  EXPECT_EQ(spec["osDisk"]["osType"], "Linux");
  EXPECT_EQ(spec["osDisk"]["diskSizeGB"], 256);
  EXPECT_EQ(spec["osDisk"]["managedDisk"]["storageAccountType"], "Premium_LRS");
  nlohmann::json system = PoolMachineTemplate(
      objects, "az-spot", "system")["spec"]["template"]["spec"];
  EXPECT_FALSE(system.contains("spotVMOptions"));
}

TEST(AzureRenderTest, ExpiresAtAnnotation) {
  auto cluster = MustExpand(AzureRequest()).back();
  EXPECT_EQ(cluster["metadata"]["annotations"]["capigitops.io/expires-at"],
            "2026-12-01T18:00:00Z");
}

TEST(AzureRenderTest, MissingTenantIsAnError) {
  ClusterRequest req = AzureRequest();
  req.settings.Mutable().azure.tenant_id.clear();
  auto failed = Expand(req, TestRepoConfig(), {});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("tenantID"), std::string::npos);
}

}  // namespace
}  // namespace capigitops
