#include <gtest/gtest.h>

#include "capigitops/render.h"
#include "render/render_test_util.h"

namespace capigitops {
namespace {

using namespace testing;  // NOLINT

TEST(OpenstackRenderTest, MatchesGolden) {
  ExpectGolden("openstack", EmitStream(MustExpand(OpenstackRequest())));
}

TEST(OpenstackRenderTest, IdentityRefFlavorAndRootVolume) {
  auto objects = MustExpand(OpenstackRequest());
  nlohmann::json cluster = FindObject(objects, "OpenStackCluster");
  EXPECT_EQ(cluster["spec"]["identityRef"]["cloudName"], "openstack");
  EXPECT_EQ(cluster["spec"]["identityRef"]["name"], "openstack-clouds");
  nlohmann::json spec =
      PoolMachineTemplate(objects, "os-lab", "gpu")["spec"]["template"]["spec"];
  EXPECT_EQ(spec["flavor"], "g1.xlarge.t4");  // v1beta1: the flavor's name
  EXPECT_EQ(spec["image"]["filter"]["name"], "ubuntu-2404-kube-v1.33.4");
  EXPECT_EQ(spec["rootVolume"]["sizeGiB"], 80);
  auto kct = PoolBootstrapTemplate(objects, "os-lab", "gpu");
  EXPECT_EQ(KubeletArg(kct["spec"]["template"]["spec"]["joinConfiguration"]
                          ["nodeRegistration"],
                       "node-labels"),
            "cluster-api/accelerator=nvidia-tesla-t4");
}

// Without managed security groups the ports land in the project's default
// group and the API load balancer and the CNI's traffic are dropped.
TEST(OpenstackRenderTest, ManagedSecurityGroupsAllowCalicoBetweenNodes) {
  nlohmann::json spec =
      FindObject(MustExpand(OpenstackRequest()), "OpenStackCluster")["spec"];
  ASSERT_TRUE(spec.contains("managedSecurityGroups"));
  nlohmann::json rules =
      spec["managedSecurityGroups"]["allNodesSecurityGroupRules"];
  EXPECT_EQ(spec["managedSecurityGroups"]["allowAllInClusterTraffic"], false);
  ASSERT_EQ(rules.size(), 2u);
  nlohmann::json groups = {"controlplane", "worker"};
  EXPECT_EQ(rules[0]["protocol"], "tcp");
  EXPECT_EQ(rules[0]["portRangeMin"], 179);
  EXPECT_EQ(rules[0]["portRangeMax"], 179);
  EXPECT_EQ(rules[1]["protocol"], "4");  // IP-in-IP
  for (const auto& rule : rules) {
    EXPECT_EQ(rule["direction"], "ingress");
    EXPECT_EQ(rule["remoteManagedGroups"], groups);
  }
}

TEST(OpenstackRenderTest, SubnetGetsConfiguredDnsNameservers) {
  ClusterRequest req = OpenstackRequest();
  auto plain = FindObject(MustExpand(req), "OpenStackCluster");
  EXPECT_FALSE(plain["spec"]["managedSubnets"][0].contains("dnsNameservers"));
  req.settings.Mutable().openstack.dns_nameservers = {"10.0.0.2", "1.1.1.1"};
  auto cluster = FindObject(MustExpand(req), "OpenStackCluster");
  EXPECT_EQ(cluster["spec"]["managedSubnets"][0]["dnsNameservers"],
            nlohmann::json::array({"10.0.0.2", "1.1.1.1"}));
  EXPECT_EQ(cluster["spec"]["managedSubnets"][0]["cidr"], "10.6.0.0/24");
}

// CAPO v0.14.x, the latest stable release, serves only v1beta1: that is the
// default, and v1beta2 (CAPO >= v0.15) is a repo setting with its own shape.
TEST(OpenstackRenderTest, ApiVersionFollowsTheInstalledRelease) {
  auto objects = MustExpand(OpenstackRequest());
  auto cluster = FindObject(objects, "OpenStackCluster");
  EXPECT_EQ(cluster["apiVersion"], "infrastructure.cluster.x-k8s.io/v1beta1");
  EXPECT_EQ(cluster["spec"]["apiServerLoadBalancer"]["enabled"], true);
  EXPECT_FALSE(cluster["spec"].contains("apiServer"));
  EXPECT_EQ(FindObject(objects, "OpenStackMachineTemplate")["apiVersion"],
            "infrastructure.cluster.x-k8s.io/v1beta1");

  ClusterRequest req = OpenstackRequest();
  req.settings.Mutable().openstack.api_version = "v1beta2";
  objects = MustExpand(req);
  cluster = FindObject(objects, "OpenStackCluster");
  EXPECT_EQ(cluster["apiVersion"], "infrastructure.cluster.x-k8s.io/v1beta2");
  EXPECT_EQ(cluster["spec"]["apiServer"]["managedLoadBalancer"]["enabled"],
            true);
  EXPECT_EQ(
      cluster["spec"]["managedSecurityGroups"]["clusterNodesSecurityGroupRules"]
          .size(),
      2u);
  nlohmann::json spec =
      PoolMachineTemplate(objects, "os-lab", "gpu")["spec"]["template"]["spec"];
  EXPECT_EQ(spec["flavor"]["filter"]["name"], "g1.xlarge.t4");
  for (const auto& obj : objects) {
    if (obj["kind"] == "Cluster") {
      EXPECT_EQ(obj["spec"]["infrastructureRef"]["apiGroup"],
                "infrastructure.cluster.x-k8s.io");  // no version in refs
    }
  }
}

TEST(OpenstackRenderTest, SpotIsRejected) {
  ClusterRequest req = OpenstackRequest();
  req.node_pools[1].spot = true;
  auto failed = Expand(req, TestRepoConfig(), {});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("spec.nodePools[1].spot"),
            std::string::npos);
}

}  // namespace
}  // namespace capigitops
