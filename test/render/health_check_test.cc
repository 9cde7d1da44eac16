// MachineHealthChecks: one per MachineDeployment (spot pools uncapped, with
// shorter timeouts) and one for a control plane of 3 or 5 machines.
#include <gtest/gtest.h>

#include "capigitops/render.h"
#include "render/render_test_util.h"

namespace capigitops {
namespace {

using namespace testing;  // NOLINT

nlohmann::json HealthCheck(const std::vector<nlohmann::json>& objects,
                           const std::string& name) {
  for (const nlohmann::json& obj : FindObjects(objects, "MachineHealthCheck")) {
    if (obj["metadata"]["name"] == name) return obj;
  }
  return nullptr;
}

std::vector<int> ReadyTimeouts(const nlohmann::json& mhc) {
  std::vector<int> timeouts;
  for (const auto& c : mhc["spec"]["checks"]["unhealthyNodeConditions"]) {
    EXPECT_EQ(c["type"], "Ready");
    timeouts.push_back(c["timeoutSeconds"]);
  }
  return timeouts;
}

TEST(HealthCheckTest, OnePerMachineDeploymentSelectingOnlyItsMachines) {
  for (const ClusterRequest& req : AllProviderRequests()) {
    auto objects = MustExpand(req);
    for (const NodePool& pool : req.node_pools) {
      nlohmann::json md = PoolDeployment(objects, req.name, pool.name);
      std::string md_name = md["metadata"]["name"];
      nlohmann::json mhc = HealthCheck(objects, md_name);
      ASSERT_FALSE(mhc.is_null()) << md_name;
      EXPECT_EQ(mhc["spec"]["clusterName"], req.name);
      // Exactly the labels the MachineDeployment puts on its machines.
      EXPECT_EQ(mhc["spec"]["selector"]["matchLabels"],
                md["spec"]["template"]["metadata"]["labels"]);
      EXPECT_EQ(mhc["spec"]["selector"]["matchLabels"]
                   ["cluster.x-k8s.io/deployment-name"],
                md_name);
      EXPECT_GT(mhc["spec"]["checks"]["nodeStartupTimeoutSeconds"].get<int>(),
                0);
    }
  }
}

TEST(HealthCheckTest, SpotPoolsHaveNoCapAndShorterTimeouts) {
  auto objects = MustExpand(GcpRequest());  // gpu is spot, cpu is not
  nlohmann::json spot = HealthCheck(objects, "ml-train-gpu");
  nlohmann::json on_demand = HealthCheck(objects, "ml-train-cpu");
  ASSERT_FALSE(spot.is_null());
  ASSERT_FALSE(on_demand.is_null());
  // A mass preemption must not stop remediation of the pool it hit.
  EXPECT_FALSE(spot["spec"].contains("remediation"));
  // cpu: 3 fixed machines; 40% of 3 rounds down to 1.
  EXPECT_EQ(on_demand["spec"]["remediation"]["triggerIf"]
                     ["unhealthyLessThanOrEqualTo"],
            1);
  for (int spot_timeout : ReadyTimeouts(spot)) {
    for (int timeout : ReadyTimeouts(on_demand)) {
      EXPECT_LT(spot_timeout, timeout);
    }
  }
}

// A share would round down to 0 for small pools and block all remediation.
TEST(HealthCheckTest, OnDemandCapIsACountOfAtLeastOne) {
  ClusterRequest req = GcpRequest();
  req.node_pools[0].replicas = 1;
  req.node_pools[1].spot = false;  // autoscaled 0..8
  auto objects = MustExpand(req);
  auto cap = [&](const std::string& name) {
    return HealthCheck(
        objects,
        name)["spec"]["remediation"]["triggerIf"]["unhealthyLessThanOrEqualTo"];
  };
  EXPECT_EQ(cap("ml-train-cpu"), 1);
  EXPECT_EQ(cap("ml-train-gpu"), 3);  // 40% of 8
}

TEST(HealthCheckTest, ControlPlaneOfThreeOrFiveIsChecked) {
  for (int replicas : {3, 5}) {
    ClusterRequest req = GcpRequest();
    req.control_plane.replicas = replicas;
    auto objects = MustExpand(req);
    nlohmann::json mhc = HealthCheck(objects, "ml-train-control-plane");
    ASSERT_FALSE(mhc.is_null()) << replicas;
    EXPECT_EQ(mhc["spec"]["selector"]["matchLabels"],
              (nlohmann::json{{"cluster.x-k8s.io/cluster-name", "ml-train"},
                              {"cluster.x-k8s.io/control-plane", ""}}));
    EXPECT_EQ(ReadyTimeouts(mhc).size(), 2u);
  }
}

TEST(HealthCheckTest, SingleControlPlaneHasNoHealthCheck) {
  ClusterRequest req = GcpRequest();
  req.control_plane.replicas = 1;
  auto objects = MustExpand(req);
  EXPECT_TRUE(HealthCheck(objects, "ml-train-control-plane").is_null());
  EXPECT_EQ(FindObjects(objects, "MachineHealthCheck").size(),
            req.node_pools.size());
}

}  // namespace
}  // namespace capigitops
