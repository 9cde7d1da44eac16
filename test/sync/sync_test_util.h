// A fixture for in-process sync tests: rendered docker clusters, an
// in-memory API, and one pass (live state, plan, execute) as the reconciler
// runs it.
#ifndef CAPIGITOPS_TEST_SYNC_SYNC_TEST_UTIL_H_
#define CAPIGITOPS_TEST_SYNC_SYNC_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capigitops/sync.h"
#include "render/render_test_util.h"
#include "testing/fake_kube_api.h"

namespace capigitops::testing {

class SyncTest : public ::testing::Test {
 protected:
  // The rendered objects of a docker cluster `name` (with the test repo
  // config, so in namespace ns_).
  static DesiredCluster Rendered(const std::string& name);
  // Clusters c0 .. c{n-1}.
  static DesiredState Desired(int n);

  // Reads the live state through `api` and plans against it.
  Plan MakePlan(KubeApi& api, const DesiredState& desired);
  Plan MakePlan(const DesiredState& desired) { return MakePlan(api_, desired); }
  // Plans and executes through `api` (api_ when not given).
  std::vector<ClusterApplyResult> Sync(KubeApi& api,
                                       const DesiredState& desired);
  std::vector<ClusterApplyResult> Sync(const DesiredState& desired) {
    return Sync(api_, desired);
  }

  // The stored object of `kind` named `name` in ns_ (null if absent).
  nlohmann::json Stored(const std::string& kind, const std::string& name);
  const ClusterPlan* Find(const Plan& plan, const std::string& cluster);

  FakeKubeApi api_;
  SyncOptions options_;
  std::string ns_ = TestRepoConfig().namespace_name;
};

// Fails the test when any result has errors.
void ExpectNoErrors(const std::vector<ClusterApplyResult>& results);

}  // namespace capigitops::testing

#endif  // CAPIGITOPS_TEST_SYNC_SYNC_TEST_UTIL_H_
