// PassFingerprint: what the controller compares to skip an unchanged pass.
#include <gtest/gtest.h>

#include "app/builtin_policies.h"
#include "capigitops/labels.h"
#include "capigitops/reconcile.h"
#include "testing/reconcile_fixture.h"

namespace capigitops {
namespace {

class FingerprintTest : public testing::ReconcileFixture {
 protected:
  std::string Fingerprint() {
    PassDeps deps{&git_, &git_, &kube_, &BuiltinPolicyFiles()};
    StatusOr<std::string> f = PassFingerprint(deps, ReconcileOptions{});
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? *f : "";
  }

  // One live inventory ConfigMap.
  nlohmann::json AnInventory() {
    StatusOr<ResourceInfo> r = kube_.Resolve("v1", "ConfigMap");
    EXPECT_TRUE(r.ok());
    StatusOr<std::vector<nlohmann::json>> items =
        kube_.List(*r, "capi-clusters", std::string(kInventoryLabel) + "=true");
    EXPECT_TRUE(items.ok() && !items->empty());
    return items.ok() && !items->empty() ? items->front() : nlohmann::json();
  }
};

TEST_F(FingerprintTest, StaysTheSameWhileNothingChanges) {
  Pass("2026-11-27T08:00:00Z");
  std::string first = Fingerprint();
  EXPECT_EQ(first.size(), 64u);
  EXPECT_EQ(Fingerprint(), first);
}

TEST_F(FingerprintTest, ANewCommitChangesIt) {
  Pass("2026-11-27T08:00:00Z");
  std::string before = Fingerprint();
  git_.PushFiles({{"README.md", std::string("a change\n")}}, "docs");
  EXPECT_NE(Fingerprint(), before);
}

TEST_F(FingerprintTest, AChangedInventoryChangesIt) {
  Pass("2026-11-27T08:00:00Z");
  std::string before = Fingerprint();
  nlohmann::json inv = AnInventory();
  ASSERT_TRUE(inv.is_object());
  nlohmann::json edit = {{"apiVersion", "v1"},
                         {"kind", "ConfigMap"},
                         {"metadata",
                          {{"name", inv["metadata"]["name"]},
                           {"namespace", "capi-clusters"},
                           {"annotations", {{"example.com/touched", "yes"}}}}}};
  kube_.Seed(edit, "someone-else");
  EXPECT_NE(Fingerprint(), before);
}

TEST_F(FingerprintTest, AChangedClusterChangesIt) {
  Pass("2026-11-27T08:00:00Z");
  std::string before = Fingerprint();
  nlohmann::json cluster = LiveCluster("dev-sandbox");
  ASSERT_TRUE(cluster.is_object());
  nlohmann::json edit = {{"apiVersion", "cluster.x-k8s.io/v1beta2"},
                         {"kind", "Cluster"},
                         {"metadata",
                          {{"name", "dev-sandbox"},
                           {"namespace", "capi-clusters"},
                           {"annotations", {{"example.com/touched", "yes"}}}}}};
  kube_.Seed(edit, "capi-controller");
  EXPECT_NE(Fingerprint(), before);
}

TEST_F(FingerprintTest, AnUnreadableSourceIsAnError) {
  testing::FakeGitSource nothing;
  PassDeps deps{&nothing, &nothing, &kube_, &BuiltinPolicyFiles()};
  EXPECT_FALSE(PassFingerprint(deps, ReconcileOptions{}).ok());
}

}  // namespace
}  // namespace capigitops
