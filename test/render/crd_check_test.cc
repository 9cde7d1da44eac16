// Every object Expand renders, for every provider and with every optional
// piece switched on, passes the upstream CRDs (../shared/capi-crds).
#include <gtest/gtest.h>

#include "capigitops/render.h"
#include "render/render_test_util.h"
#include "schema/crd_testing.h"

namespace capigitops {
namespace {

using namespace testing;  // NOLINT

// The test requests plus variants that add what they leave out: a control
// plane of 3 (its health check), settings that add fields.
std::vector<ClusterRequest> Requests() {
  std::vector<ClusterRequest> all = AllProviderRequests();
  for (ClusterRequest req : AllProviderRequests()) {
    req.name += "-x";
    req.control_plane.replicas = 3;
    req.settings.azure.control_plane_identity_id =
        "azure:///subscriptions/s/resourceGroups/rg/providers/"
        "Microsoft.ManagedIdentity/userAssignedIdentities/cloud-provider";
    req.settings.openstack.dns_nameservers = {"10.0.0.2"};
    for (NodePool& pool : req.node_pools) {
      pool.taints.clear();
      pool.disk_gib.reset();
    }
    all.push_back(req);
  }
  return all;
}

TEST(RenderCrdTest, EveryRenderedObjectPassesTheUpstreamCrds) {
  SKIP_WITHOUT_CRDS();
  const schema::CrdRegistry& crds = schema::testing::UpstreamCrds();
  size_t checked = 0;
  for (const ClusterRequest& req : Requests()) {
    for (const nlohmann::json& obj : MustExpand(req)) {
      auto errors = crds.ValidateObject(obj);
      EXPECT_TRUE(errors.empty()) << req.name << " " << obj["kind"] << " "
                                  << obj["metadata"]["name"] << ":\n"
                                  << schema::testing::Describe(errors);
      ++checked;
    }
  }
  EXPECT_GT(checked, 100u);
}

}  // namespace
}  // namespace capigitops
