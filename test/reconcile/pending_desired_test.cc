// TakePendingDesiredState learns before planning what a full render would
// tell: the kinds the live read must list, the clusters that cannot be
// expanded, and (rendered later, a cluster at a time) the same objects.
#include <gtest/gtest.h>

#include <atomic>

#include "app/builtin_policies.h"
#include "capigitops/loader.h"
#include "capigitops/reconcile.h"
#include "testing/subprocess.h"

namespace capigitops {
namespace {

using nlohmann::json;

std::string PendingSpec(const std::string& name, const std::string& provider,
                        const std::string& extra) {
  return "apiVersion: capigitops.io/v1alpha1\nkind: ClusterRequest\n"
         "metadata: {name: " +
         name + ", labels: {team: platform}}\nspec:\n  owner: platform\n" +
         "  provider: " + provider + "\n  region: us-east-1\n" + extra;
}

// sample-repo (one cluster per provider but OpenStack, add-on catalog)
// plus clusters whose kinds follow from their pools or settings, and one
// that cannot be expanded.
FileSet PendingRepo() {
  StatusOr<FileSet> read =
      ReadRepoDirectory(testutil::SourcePath("sample-repo"));
  EXPECT_TRUE(read.ok()) << read.status().ToString();
  FileSet files = read.ok() ? *read : FileSet{};
  const std::string m1 =
      "  controlPlane: {replicas: 1, machineType: m1.large}\n"
      "  nodePools:\n  - {name: w, replicas: 1, machineType: m1.large}\n";
  const std::string m5 =
      "  controlPlane: {replicas: 1, machineType: m5.large}\n"
      "  nodePools:\n  - {name: w, replicas: 1, machineType: m5.large}\n";
  // The cluster-autoscaler's Deployment and RBAC.
  files["clusters/autoscaled.yaml"] = PendingSpec(
      "autoscaled", "docker",
      "  controlPlane: {replicas: 1}\n"
      "  nodePools:\n  - {name: w, autoscaling: {min: 1, max: 3}}\n");
  files["clusters/on-openstack.yaml"] =
      PendingSpec("on-openstack", "openstack", m1);
  // Another identity kind, from the spec's own provider settings.
  files["clusters/static-aws.yaml"] = PendingSpec(
      "static-aws", "aws",
      "  providerConfig:\n    identity: {kind: AWSClusterStaticIdentity, "
      "name: static, secretRef: aws-creds}\n" +
          m5);
  // Valid as a spec, but cannot be expanded: a static identity needs a
  // Secret.
  files["clusters/no-secret-aws.yaml"] = PendingSpec(
      "no-secret-aws", "aws",
      "  providerConfig:\n    identity: {kind: AWSClusterStaticIdentity, "
      "name: static}\n" +
          m5);
  return files;
}

const DesiredCluster* FindDesired(const DesiredState& d,
                                  const std::string& name) {
  for (const DesiredCluster& c : d.clusters) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

TEST(PendingDesiredTest, LearnsWhatAFullRenderWouldAndRendersTheSame) {
  FileSet files = PendingRepo();
  EvaluateOptions full_options;
  full_options.render = true;
  full_options.revision = "0123456789abcdef";
  Evaluation full = Evaluate(files, BuiltinPolicyFiles(), full_options);
  DesiredState want = ToDesiredState(full);

  EvaluateOptions lazy_options;
  Evaluation lazy = Evaluate(files, BuiltinPolicyFiles(), lazy_options);
  DesiredState got = TakePendingDesiredState(&lazy, "0123456789abcdef");

  // Exact kinds: none unlisted (its objects would be planned as creates),
  // none extra.
  EXPECT_EQ(DesiredKinds(got), DesiredKinds(want));
  EXPECT_TRUE(DesiredKinds(want).count({"apps/v1", "Deployment"}));
  EXPECT_TRUE(DesiredKinds(want).count(
      {"infrastructure.cluster.x-k8s.io/v1beta2", "AWSClusterStaticIdentity"}));
  EXPECT_GE(DesiredKinds(want).size(), 25u);

  // The same verdict on every cluster.
  EXPECT_EQ(lazy.blocked, full.blocked);
  EXPECT_EQ(lazy.has_errors, full.has_errors);
  EXPECT_EQ(got.blocked, want.blocked);
  ASSERT_EQ(lazy.clusters.size(), full.clusters.size());
  int render_errors = 0;
  for (size_t i = 0; i < full.clusters.size(); ++i) {
    EXPECT_EQ(lazy.clusters[i].render_error, full.clusters[i].render_error)
        << full.clusters[i].request.name;
    EXPECT_TRUE(lazy.clusters[i].objects.empty());
    render_errors += !full.clusters[i].render_error.empty();
  }
  EXPECT_EQ(render_errors, 1) << "the test must cover a failed expansion";
  EXPECT_TRUE(full.blocked.count("no-secret-aws"));
  EXPECT_TRUE(full.repo.broken.empty());

  // The same clusters, each rendered on demand into the same objects.
  ASSERT_EQ(got.clusters.size(), want.clusters.size());
  ASSERT_TRUE(got.render);
  for (const DesiredCluster& w : want.clusters) {
    const DesiredCluster* g = FindDesired(got, w.name);
    ASSERT_NE(g, nullptr) << w.name;
    EXPECT_EQ(g->owner, w.owner);
    if (IsCatalogInventory(w.name)) {
      EXPECT_FALSE(g->pending);
      EXPECT_EQ(g->objects, w.objects);
      continue;
    }
    EXPECT_TRUE(g->pending) << w.name;
    EXPECT_TRUE(g->objects.empty());
    EXPECT_EQ(got.render(*g), w.objects) << w.name;
  }
}

TEST(PendingDesiredTest, ASourceInDoubtWantsNoKinds) {
  FileSet files = PendingRepo();
  files["capi-gitops.yaml"] += "\nnoSuchField: 1\n";
  EvaluateOptions render;
  render.render = true;
  Evaluation full = Evaluate(files, BuiltinPolicyFiles(), render);
  Evaluation lazy = Evaluate(files, BuiltinPolicyFiles(), EvaluateOptions());
  DesiredState want = ToDesiredState(full);
  DesiredState got = TakePendingDesiredState(&lazy, "");
  EXPECT_FALSE(want.prune_allowed);
  EXPECT_TRUE(got.clusters.empty());
  EXPECT_TRUE(DesiredKinds(got).empty());
  EXPECT_EQ(DesiredKinds(got), DesiredKinds(want));
  EXPECT_EQ(got.blocked, want.blocked);
}

TEST(PendingDesiredTest, WithoutTheCatalogNoneIsExpanded) {
  Evaluation lazy =
      Evaluate(PendingRepo(), BuiltinPolicyFiles(), EvaluateOptions());
  DesiredState got = TakePendingDesiredState(&lazy, "", false);
  EXPECT_EQ(FindDesired(got, kCatalogInventoryName), nullptr);
  EXPECT_TRUE(lazy.catalog_objects.empty());
  EXPECT_TRUE(lazy.catalog_error.empty());
  for (const auto& kind : DesiredKinds(got))
    EXPECT_NE(kind.second, "HelmChartProxy");
}

}  // namespace
}  // namespace capigitops
