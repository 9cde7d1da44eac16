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
