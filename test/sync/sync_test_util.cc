#include "sync/sync_test_util.h"

#include "render/render_test_util.h"

namespace capigitops::testing {

using nlohmann::json;

DesiredCluster SyncTest::Rendered(const std::string& name) {
  ClusterRequest req = DockerRequest();
  req.name = name;
  DesiredCluster dc;
  dc.name = name;
  dc.owner = "team-a";
  dc.objects = MustExpand(req);
  return dc;
}

DesiredState SyncTest::Desired(int n) {
  DesiredState d;
  d.ns = TestRepoConfig().namespace_name;
  d.revision = "abc123";
  for (int i = 0; i < n; ++i) {
    d.clusters.push_back(Rendered("c" + std::to_string(i)));
  }
  return d;
}

Plan SyncTest::MakePlan(KubeApi& api, const DesiredState& desired) {
  std::set<std::pair<std::string, std::string>> kinds;
  for (const DesiredCluster& dc : desired.clusters) {
    for (const json& obj : dc.objects) {
      kinds.emplace(obj.value("apiVersion", ""), obj.value("kind", ""));
    }
  }
  StatusOr<LiveState> live = FetchLiveState(api, desired.ns, kinds);
  EXPECT_TRUE(live.ok()) << live.status().ToString();
  if (!live.ok()) return Plan{};
  return BuildPlan(api, desired, *live, options_);
}

std::vector<ClusterApplyResult> SyncTest::Sync(KubeApi& api,
                                               const DesiredState& desired) {
  return ExecutePlan(api, MakePlan(api, desired), options_);
}

json SyncTest::Stored(const std::string& kind, const std::string& name) {
  for (const DesiredCluster& dc : Desired(1).clusters) {
    for (const json& obj : dc.objects) {
      if (obj.value("kind", "") == kind) {
        return api_.Stored(obj.value("apiVersion", ""), kind, ns_, name);
      }
    }
  }
  if (kind == "ConfigMap") return api_.Stored("v1", kind, ns_, name);
  ADD_FAILURE() << "no rendered object of kind " << kind;
  return nullptr;
}

const ClusterPlan* SyncTest::Find(const Plan& plan,
                                  const std::string& cluster) {
  for (const ClusterPlan& cp : plan.clusters) {
    if (cp.name == cluster) return &cp;
  }
  return nullptr;
}

void ExpectNoErrors(const std::vector<ClusterApplyResult>& results) {
  for (const ClusterApplyResult& r : results) {
    for (const Status& s : r.errors) {
      ADD_FAILURE() << r.name << ": " << s.ToString();
    }
    EXPECT_EQ(r.counts.failed, 0) << r.name;
  }
}

}  // namespace capigitops::testing
