#include <gtest/gtest.h>

#include "capigitops/render.h"
#include "render/render_test_util.h"

namespace capigitops {
namespace {

using namespace testing;  // NOLINT

TEST(AwsRenderTest, MatchesGolden) {
  ExpectGolden("aws", EmitStream(MustExpand(AwsRequest())));
}

// Each cluster gets its own identity object, so applying or pruning one
// cluster never changes another's.
TEST(AwsRenderTest, RoleIdentityIsClusterScopedAndAllowsTheNamespace) {
  auto objects = MustExpand(AwsRequest());
  nlohmann::json identity = FindObject(objects, "AWSClusterRoleIdentity");
  ASSERT_FALSE(identity.is_null());
  EXPECT_EQ(identity, objects.front()) << "identities come first";
  EXPECT_FALSE(identity["metadata"].contains("namespace"));
  EXPECT_EQ(identity["spec"]["roleARN"],
            "arn:aws:iam::123456789012:role/capa-ml");
  EXPECT_EQ(identity["spec"]["allowedNamespaces"]["list"],
            nlohmann::json::array({"fleet"}));
  nlohmann::json cluster = FindObject(objects, "AWSCluster");
  EXPECT_EQ(cluster["apiVersion"], "infrastructure.cluster.x-k8s.io/v1beta2");
  EXPECT_EQ(cluster["spec"]["identityRef"],
            (nlohmann::json{{"kind", "AWSClusterRoleIdentity"},
                            {"name", "inference-ml-role"}}));
  EXPECT_EQ(identity["metadata"]["name"], "inference-ml-role");
  EXPECT_EQ(cluster["spec"]["region"], "us-west-2");
}

TEST(AwsRenderTest, DefaultControllerIdentityIsReferencedNotCreated) {
  ClusterRequest req = AwsRequest();
  req.settings.Mutable().aws = AwsSettings{};
  req.settings.Mutable().aws.region = "eu-west-1";
  req.region.clear();
  auto objects = MustExpand(req);
  EXPECT_TRUE(FindObject(objects, "AWSClusterControllerIdentity").is_null());
  nlohmann::json cluster = FindObject(objects, "AWSCluster");
  EXPECT_EQ(cluster["spec"]["identityRef"]["kind"],
            "AWSClusterControllerIdentity");
  EXPECT_EQ(cluster["spec"]["identityRef"]["name"], "default");
  EXPECT_EQ(cluster["spec"]["region"], "eu-west-1");
}

TEST(AwsRenderTest, StaticIdentityNeedsASecret) {
  ClusterRequest req = AwsRequest();
  req.settings.Mutable().aws.identity_kind = "AWSClusterStaticIdentity";
  auto failed = Expand(req, TestRepoConfig(), {});
  ASSERT_FALSE(failed.ok());
  req.settings.Mutable().aws.secret_ref = "aws-creds";
  auto objects = MustExpand(req);
  EXPECT_EQ(
      FindObject(objects, "AWSClusterStaticIdentity")["spec"]["secretRef"],
      "aws-creds");
}

TEST(AwsRenderTest, SpotRootVolumeAndGpuFromInstanceType) {
  auto objects = MustExpand(AwsRequest());
  nlohmann::json batch = PoolMachineTemplate(
      objects, "inference", "batch")["spec"]["template"]["spec"];
  EXPECT_EQ(batch["spotMarketOptions"], (nlohmann::json{{"maxPrice", ""}}));
  nlohmann::json gpu = PoolMachineTemplate(objects, "inference",
                                           "gpu")["spec"]["template"]["spec"];
  EXPECT_EQ(gpu["instanceType"], "g4dn.xlarge");
  EXPECT_EQ(gpu["rootVolume"]["size"], 100);
  EXPECT_FALSE(gpu.contains("spotMarketOptions"));
  // g4dn.xlarge has one T4: the pool is a GPU pool although the spec names
  // no accelerator, so it scales up correctly from its capacity.
  auto ann =
      PoolDeployment(objects, "inference", "gpu")["metadata"]["annotations"];
  EXPECT_EQ(ann["capacity.cluster-autoscaler.kubernetes.io/gpu-count"], "1");
  EXPECT_EQ(ann["capacity.cluster-autoscaler.kubernetes.io/cpu"], "4");
  auto kct = PoolBootstrapTemplate(objects, "inference", "gpu");
  EXPECT_EQ(KubeletArg(kct["spec"]["template"]["spec"]["joinConfiguration"]
                          ["nodeRegistration"],
                       "node-labels"),
            "cluster-api/accelerator=nvidia-tesla-t4");
}

TEST(AwsRenderTest, TinyRootVolumeIsRejected) {
  ClusterRequest req = AwsRequest();
  req.node_pools[0].disk_gib = 4;
  auto failed = Expand(req, TestRepoConfig(), {});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("spec.nodePools[0].diskGiB"),
            std::string::npos);
}

TEST(AwsRenderTest, ControlPlaneUsesControlPlaneInstanceProfile) {
  auto objects = MustExpand(AwsRequest());
  auto kcp = FindObject(objects, "KubeadmControlPlane");
  std::string name =
      kcp["spec"]["machineTemplate"]["spec"]["infrastructureRef"]["name"];
  auto tmpl = FindObject(objects, "AWSMachineTemplate", name);
  EXPECT_EQ(tmpl["metadata"]["name"], name);
  EXPECT_EQ(tmpl["spec"]["template"]["spec"]["iamInstanceProfile"],
            "control-plane.cluster-api-provider-aws.sigs.k8s.io");
}

}  // namespace
}  // namespace capigitops
