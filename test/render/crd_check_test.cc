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
    req.settings.Mutable().azure.control_plane_identity_id =
        "azure:///subscriptions/s/resourceGroups/rg/providers/"
        "Microsoft.ManagedIdentity/userAssignedIdentities/cloud-provider";
    req.settings.Mutable().openstack.dns_nameservers = {"10.0.0.2"};
    // The base requests render CAPO's v1beta1 (the default); these v1beta2.
    req.settings.Mutable().openstack.api_version = "v1beta2";
    req.settings.Mutable().gcp.control_plane_service_account = {
        "cp@my-project.iam.gserviceaccount.com", {}};
    req.settings.Mutable().gcp.node_service_account = {
        "nodes@my-project.iam.gserviceaccount.com",
        {"https://www.googleapis.com/auth/logging.write"}};
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
    for (nlohmann::json obj : MustExpand(req)) {
      // Built-in kinds (the autoscaler's Deployment and RBAC) have no CRD;
      // cluster_autoscaler_test.cc checks them.
      if (obj["apiVersion"] == "v1" || obj["apiVersion"] == "apps/v1" ||
          obj["apiVersion"] == "rbac.authorization.k8s.io/v1") {
        continue;
      }
      // The API server fills defaults before it validates (a required field
      // with a default, such as CAPO v1beta1's identityRef.type, may be left
      // out: releases before the field existed would reject it).
      std::string api_version = obj["apiVersion"];
      const schema::Crd* crd =
          crds.Find(api_version.substr(0, api_version.rfind('/')),
                    obj["kind"].get<std::string>());
      if (crd != nullptr) {
        const schema::CrdVersion* v =
            crd->FindVersion(api_version.substr(api_version.rfind('/') + 1));
        if (v != nullptr) schema::ApplyDefaults(&obj, v->schema);
      }
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
