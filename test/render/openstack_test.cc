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
  EXPECT_EQ(spec["flavor"]["filter"]["name"], "g1.xlarge.t4");
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
      spec["managedSecurityGroups"]["clusterNodesSecurityGroupRules"];
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
  req.settings.openstack.dns_nameservers = {"10.0.0.2", "1.1.1.1"};
  auto cluster = FindObject(MustExpand(req), "OpenStackCluster");
  EXPECT_EQ(cluster["spec"]["managedSubnets"][0]["dnsNameservers"],
            nlohmann::json::array({"10.0.0.2", "1.1.1.1"}));
  EXPECT_EQ(cluster["spec"]["managedSubnets"][0]["cidr"], "10.6.0.0/24");
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
