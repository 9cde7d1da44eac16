// The add-on catalog end to end in process: a repository's addons/ through
// Evaluate, the planner and the executor into a FakeKubeApi, under an
// inventory of its own; pruned when an add-on goes; and the held removal of
// a live cluster's CNI label.
#include <gtest/gtest.h>

#include "capigitops/inventory.h"
#include "capigitops/reconcile.h"
#include "testing/fake_kube_api.h"

namespace capigitops {
namespace addon_sync_test {
namespace {

using nlohmann::json;

const char kConfig[] = R"(apiVersion: capigitops.io/v1alpha1
kind: RepoConfig
namespace: capi-clusters
kubernetesVersion: v1.33.4
addons:
  defaults: {cni: calico}
)";

const char kCalico[] = R"(apiVersion: capigitops.io/v1alpha1
kind: Addon
metadata: {name: calico}
spec:
  provides: cni
  providers: [docker]
  helm:
    repoURL: https://docs.tigera.io/calico/charts
    chart: tigera-operator
    version: v3.29.1
    namespace: tigera-operator
    reconcileStrategy: InstallOnce
)";

const char kKindnet[] = R"(apiVersion: capigitops.io/v1alpha1
kind: Addon
metadata: {name: kindnet}
spec:
  provides: cni
  providers: [docker]
  manifests:
    files: [kindnet/kindnet.yaml]
)";

const char kKindnetManifest[] = R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: kindnet, namespace: kube-system}
)";

const char kMetrics[] = R"(apiVersion: capigitops.io/v1alpha1
kind: Addon
metadata: {name: metrics-server}
spec:
  provides: other
  providers: [docker]
  manifests:
    inline: |
      apiVersion: v1
      kind: ServiceAccount
      metadata: {name: metrics-server, namespace: kube-system}
)";

std::string Cluster(const std::string& name, const std::string& addons = "") {
  return "apiVersion: capigitops.io/v1alpha1\nkind: ClusterRequest\n"
         "metadata: {name: " +
         name +
         "}\nspec:\n  owner: team-a\n  provider: docker\n  controlPlane: "
         "{replicas: 1}\n  nodePools: [{name: workers, replicas: 1}]\n" +
         addons;
}

class AddonCatalogSyncTest : public ::testing::Test {
 protected:
  AddonCatalogSyncTest() {
    files_ = {
        {"capi-gitops.yaml", kConfig},
        {"addons/calico.yaml", kCalico},
        {"addons/kindnet.yaml", kKindnet},
        {"addons/kindnet/kindnet.yaml", kKindnetManifest},
        {"addons/metrics-server.yaml", kMetrics},
        {"clusters/a.yaml", Cluster("a")},
        {"clusters/b.yaml",
         Cluster("b", "  addons: {cni: kindnet, extra: [metrics-server]}\n")}};
  }

  Plan MakePlan() {
    EvaluateOptions eo;
    eo.render = true;
    Evaluation ev = Evaluate(files_, {}, eo);
    for (const Diagnostic& d : ev.repo.diags) ADD_FAILURE() << d.ToString();
    DesiredState desired = ToDesiredState(ev);
    StatusOr<LiveState> live =
        FetchLiveState(api_, desired.ns, DesiredKinds(desired));
    EXPECT_TRUE(live.ok()) << live.status().ToString();
    if (!live.ok()) return Plan{};
    return BuildPlan(api_, desired, *live, options_);
  }

  Plan Sync() {
    Plan plan = MakePlan();
    for (const ClusterApplyResult& r : ExecutePlan(api_, plan, options_)) {
      for (const Status& s : r.errors)
        ADD_FAILURE() << r.name << ": " << s.ToString();
    }
    return plan;
  }

  static const ClusterPlan* Find(const Plan& plan, const std::string& name) {
    for (const ClusterPlan& cp : plan.clusters) {
      if (cp.name == name) return &cp;
    }
    ADD_FAILURE() << "no plan for " << name;
    return nullptr;
  }

  // Names of the objects of a kind in the namespace, inventories left out.
  std::vector<std::string> Names(const std::string& api_version,
                                 const std::string& kind) {
    StatusOr<ResourceInfo> r = api_.Resolve(api_version, kind);
    EXPECT_TRUE(r.ok()) << kind;
    std::vector<std::string> out;
    if (!r.ok()) return out;
    auto items = api_.List(*r, "capi-clusters", "");
    EXPECT_TRUE(items.ok());
    if (!items.ok()) return out;
    for (const json& obj : *items) {
      if (obj["metadata"]
              .value("labels", json::object())
              .contains("capigitops.io/inventory"))
        continue;
      out.push_back(obj["metadata"]["name"]);
    }
    return out;
  }

  json Labels(const std::string& cluster) {
    return api_.Stored("cluster.x-k8s.io/v1beta2", "Cluster", "capi-clusters",
                       cluster)["metadata"]["labels"];
  }

  FileSet files_;
  FakeKubeApi api_;
  SyncOptions options_;
};

TEST_F(AddonCatalogSyncTest, AppliesTheCatalogUnderItsOwnInventory) {
  Plan plan = Sync();
  const ClusterPlan* catalog = Find(plan, kCatalogInventoryName);
  ASSERT_NE(catalog, nullptr);
  EXPECT_EQ(catalog->action, ClusterAction::kCreate);
  EXPECT_EQ(catalog->touched_clusters, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Names("addons.cluster.x-k8s.io/v1alpha1", "HelmChartProxy").size(),
            1u);
  EXPECT_EQ(
      Names("addons.cluster.x-k8s.io/v1beta2", "ClusterResourceSet").size(),
      2u);
  EXPECT_EQ(Names("v1", "ConfigMap").size(), 2u);  // kindnet, metrics-server
  json inv = api_.Stored("v1", "ConfigMap", "capi-clusters",
                         "capi-gitops-inventory-addons.catalog");
  ASSERT_FALSE(inv.is_null());
  StatusOr<Inventory> parsed = Inventory::FromConfigMap(inv);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->objects.size(), 5u);
  // The clusters carry the labels that select their add-ons.
  EXPECT_EQ(Labels("a").value("addons.capigitops.io/calico", ""), "true");
  EXPECT_FALSE(Labels("a").contains("addons.capigitops.io/kindnet"));
  EXPECT_EQ(Labels("b").value("addons.capigitops.io/kindnet", ""), "true");
  EXPECT_EQ(Labels("b").value("addons.capigitops.io/metrics-server", ""),
            "true");

  // A second pass changes nothing, and no inventory is taken for an orphan.
  Plan again = MakePlan();
  EXPECT_FALSE(again.HasChanges());
  EXPECT_TRUE(again.orphans.empty());
  EXPECT_EQ(again.clusters.size(), 3u);
}

TEST_F(AddonCatalogSyncTest, PrunesARemovedAddonAndListsTheClustersItReaches) {
  Sync();
  files_.erase("addons/metrics-server.yaml");
  files_["clusters/b.yaml"] = Cluster("b", "  addons: {cni: kindnet}\n");
  Plan plan = MakePlan();
  const ClusterPlan* catalog = Find(plan, kCatalogInventoryName);
  ASSERT_NE(catalog, nullptr);
  EXPECT_EQ(catalog->action, ClusterAction::kUpdate);
  EXPECT_EQ(catalog->Count(ObjectAction::kDelete), 2);  // CRS + ConfigMap
  EXPECT_EQ(catalog->touched_clusters, std::vector<std::string>{"b"});
  // metrics-server is not vital: its label goes without a hold.
  const ClusterPlan* b = Find(plan, "b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->addon_removals,
            std::vector<std::string>{"metrics-server (other)"});
  EXPECT_TRUE(b->addon_removals_held.empty());
  for (const ClusterApplyResult& r : ExecutePlan(api_, plan, options_))
    EXPECT_TRUE(r.errors.empty()) << r.name;
  EXPECT_EQ(
      Names("addons.cluster.x-k8s.io/v1beta2", "ClusterResourceSet").size(),
      1u);
  EXPECT_EQ(Names("v1", "ConfigMap").size(), 1u);
  EXPECT_FALSE(Labels("b").contains("addons.capigitops.io/metrics-server"));

  // The whole catalog gone: its objects and its inventory are deleted, and
  // that is no cluster deletion for the budget.
  for (const char* f : {"addons/calico.yaml", "addons/kindnet.yaml",
                        "addons/kindnet/kindnet.yaml"})
    files_.erase(f);
  files_["capi-gitops.yaml"] =
      "apiVersion: capigitops.io/v1alpha1\nkind: RepoConfig\nnamespace: "
      "capi-clusters\nkubernetesVersion: v1.33.4\n";
  files_["clusters/b.yaml"] = Cluster("b");
  options_.allow_addon_removal = true;
  plan = Sync();
  ASSERT_NE(Find(plan, kCatalogInventoryName), nullptr);
  EXPECT_EQ(Find(plan, kCatalogInventoryName)->action, ClusterAction::kDelete);
  EXPECT_FALSE(plan.budget_exceeded);
  EXPECT_TRUE(
      Names("addons.cluster.x-k8s.io/v1alpha1", "HelmChartProxy").empty());
  EXPECT_TRUE(
      Names("addons.cluster.x-k8s.io/v1beta2", "ClusterResourceSet").empty());
  EXPECT_TRUE(api_.Stored("v1", "ConfigMap", "capi-clusters",
                          "capi-gitops-inventory-addons.catalog")
                  .is_null());
}

TEST_F(AddonCatalogSyncTest, RemovingALiveClustersCniLabelIsHeldUnlessForced) {
  Sync();
  // b switches from kindnet to calico: kindnet's label would go, and with
  // it the CNI of the running cluster.
  files_["clusters/b.yaml"] = Cluster("b", "  addons: {cni: calico}\n");
  Plan plan = Sync();
  const ClusterPlan* b = Find(plan, "b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->addon_removals_held, std::vector<std::string>{"kindnet (cni)"});
  EXPECT_EQ(b->addon_removals,
            std::vector<std::string>{"metrics-server (other)"});
  EXPECT_EQ(Labels("b").value("addons.capigitops.io/kindnet", ""), "true");
  EXPECT_EQ(Labels("b").value("addons.capigitops.io/calico", ""), "true");
  EXPECT_FALSE(Labels("b").contains("addons.capigitops.io/metrics-server"));
  // Held on every pass, without showing as a change, until forced.
  Plan again = MakePlan();
  ASSERT_NE(Find(again, "b"), nullptr);
  EXPECT_EQ(Find(again, "b")->addon_removals_held.size(), 1u);
  EXPECT_EQ(Find(again, "b")->action, ClusterAction::kUnchanged);
  options_.allow_addon_removal = true;
  plan = Sync();
  ASSERT_NE(Find(plan, "b"), nullptr);
  EXPECT_EQ(Find(plan, "b")->addon_removals,
            std::vector<std::string>{"kindnet (cni)"});
  EXPECT_FALSE(Labels("b").contains("addons.capigitops.io/kindnet"));
}

}  // namespace
}  // namespace addon_sync_test
}  // namespace capigitops
