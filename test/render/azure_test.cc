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

TEST(AzureRenderTest, SpotOptionsSitInTheMachineSpec) {
  auto objects = MustExpand(AzureRequest());
  nlohmann::json tmpl = PoolMachineTemplate(objects, "az-spot", "gpu");
  EXPECT_FALSE(tmpl["spec"]["template"].contains("spotVMOptions"));
  nlohmann::json spec = tmpl["spec"]["template"]["spec"];
  EXPECT_EQ(spec["spotVMOptions"], nlohmann::json::object());
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
  req.settings.azure.tenant_id.clear();
  auto failed = Expand(req, TestRepoConfig(), {});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("tenantID"), std::string::npos);
}

}  // namespace
}  // namespace capigitops
