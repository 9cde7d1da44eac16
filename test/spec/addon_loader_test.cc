// The add-on catalog loader: addons/<name>.yaml into Addon values, with
// file:line errors and hints for what a platform team gets wrong.
#include <gtest/gtest.h>

#include "capigitops/addons.h"
#include "capigitops/loader.h"

namespace capigitops {
namespace addon_loader_test {
namespace {

const char kCalico[] = R"(apiVersion: capigitops.io/v1alpha1
kind: Addon
metadata:
  name: calico
spec:
  provides: cni
  providers: [aws, azure, docker]
  helm:
    repoURL: https://docs.tigera.io/calico/charts
    chart: tigera-operator
    version: v3.29.1
    releaseName: calico
    namespace: tigera-operator
    reconcileStrategy: InstallOnce
    values: |
      installation:
        calicoNetwork:
          ipPools:{{range $i, $cidr := .Cluster.spec.clusterNetwork.pods.cidrBlocks }}
          - cidr: {{ $cidr }}{{end}}
)";

const char kCcm[] = R"(apiVersion: capigitops.io/v1alpha1
kind: Addon
metadata:
  name: aws-ccm
spec:
  provides: ccm
  providers: [aws]
  manifests:
    files: [aws-ccm/ccm.yaml]
    inline: |
      apiVersion: v1
      kind: ServiceAccount
      metadata: {name: cloud-controller-manager, namespace: kube-system}
)";

const char kCcmManifest[] = R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: aws-cloud-controller-manager, namespace: kube-system}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ccm, namespace: kube-system}
)";

std::string Replace(std::string text, const std::string& from,
                    const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

// Loads `text` as addons/<file> and returns every diagnostic as text.
std::vector<std::string> Errors(const std::string& text,
                                const std::string& file = "addons/calico.yaml",
                                FileSet files = {}) {
  Diagnostics diags;
  LoadAddon(file, text, files, &diags);
  std::vector<std::string> out;
  for (const Diagnostic& d : diags) out.push_back(d.ToString());
  return out;
}

::testing::AssertionResult HasError(const std::vector<std::string>& errors,
                                    const std::string& part) {
  for (const std::string& e : errors) {
    if (e.find(part) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  std::string all;
  for (const std::string& e : errors) all += "\n  " + e;
  return ::testing::AssertionFailure()
         << "no error containing \"" << part << "\" in:" << all;
}

TEST(AddonLoaderTest, LoadsAHelmAddon) {
  Diagnostics diags;
  auto addon = LoadAddon("addons/calico.yaml", kCalico, {}, &diags);
  ASSERT_TRUE(addon.has_value()) << diags[0].ToString();
  EXPECT_EQ(addon->name, "calico");
  EXPECT_EQ(addon->provides, AddonProvides::kCni);
  EXPECT_EQ(addon->providers,
            (std::set<Provider>{Provider::kAws, Provider::kAzure,
                                Provider::kDocker}));
  ASSERT_TRUE(addon->IsHelm());
  EXPECT_EQ(addon->helm->chart, "tigera-operator");
  EXPECT_EQ(addon->helm->version, "v3.29.1");
  EXPECT_EQ(addon->helm->namespace_name, "tigera-operator");
  EXPECT_EQ(addon->helm->strategy, ReconcileStrategy::kInstallOnce);
  EXPECT_NE(addon->helm->values.find(".Cluster.spec.clusterNetwork"),
            std::string::npos);
  EXPECT_TRUE(diags.empty());
}

TEST(AddonLoaderTest, LoadsManifestFilesAndInlineYaml) {
  FileSet files = {{"addons/aws-ccm/ccm.yaml", kCcmManifest}};
  Diagnostics diags;
  auto addon = LoadAddon("addons/aws-ccm.yaml", kCcm, files, &diags);
  ASSERT_TRUE(addon.has_value()) << diags[0].ToString();
  ASSERT_EQ(addon->manifests.size(), 2u);
  EXPECT_EQ(addon->manifests[0].key, "ccm.yaml");
  EXPECT_EQ(addon->manifests[0].text, kCcmManifest);
  EXPECT_EQ(addon->manifests[1].key, "aws-ccm.yaml");
  EXPECT_FALSE(addon->IsHelm());
}

TEST(AddonLoaderTest, UnpinnedChartVersionsAreRejectedAtTheirLine) {
  for (const char* version : {"latest", "^3.29.0", "~3.29", ">=3.0.0", "3.29",
                              "3.x", "*", "v3.29.1 || v3.30.0"}) {
    auto errors = Errors(Replace(kCalico, "version: v3.29.1",
                                 std::string("version: \"") + version + "\""));
    EXPECT_TRUE(HasError(
        errors, "addons/calico.yaml:11:14: spec.helm.version: \"" +
                    std::string(version) + "\" is not a pinned chart version"))
        << version;
  }
  EXPECT_TRUE(HasError(Errors(Replace(kCalico, "    version: v3.29.1\n", "")),
                       "spec.helm.version: required field is missing: pin "
                       "the exact chart version"));
  for (const char* version :
       {"1.2.3", "v25.3.0", "1.0.0-rc.1", "2.0.0+build.5"}) {
    EXPECT_TRUE(Errors(Replace(kCalico, "v3.29.1", version)).empty())
        << version;
  }
}

TEST(AddonLoaderTest, UnknownProvidersAndBadProvidesAreNamed) {
  auto errors = Errors(Replace(kCalico, "[aws, azure, docker]", "[aws, awz]"));
  EXPECT_TRUE(HasError(errors,
                       "addons/calico.yaml:7:20: spec.providers[1]: unknown "
                       "provider \"awz\": use gcp, aws"));
  errors = Errors(Replace(kCalico, "provides: cni", "provides: network"));
  EXPECT_TRUE(HasError(errors,
                       "addons/calico.yaml:6:13: spec.provides: unsupported "
                       "value \"network\": use one of cni, ccm, csi, gpu, "
                       "other"));
  errors = Errors(Replace(kCalico, "  providers: [aws, azure, docker]\n", ""));
  EXPECT_TRUE(HasError(errors, "spec.providers: required field is missing"));
  errors = Errors(Replace(kCalico, "[aws, azure, docker]", "[]"));
  EXPECT_TRUE(HasError(errors, "must name at least one provider"));
}

TEST(AddonLoaderTest, CloudAddonsCannotTargetDocker) {
  auto errors = Errors(Replace(Replace(kCcm, "[aws]", "[aws, docker]"),
                               "provides: ccm", "provides: ccm"),
                       "addons/aws-ccm.yaml",
                       {{"addons/aws-ccm/ccm.yaml", kCcmManifest}});
  EXPECT_TRUE(
      HasError(errors, "spec.providers[1]: docker clusters get no ccm add-on"));
}

TEST(AddonLoaderTest, SelectorsAreNeverWrittenByHand) {
  auto errors = Errors(
      Replace(kCalico, "  provides: cni\n",
              "  provides: cni\n  clusterSelector: {matchLabels: {}}\n"));
  EXPECT_TRUE(HasError(errors,
                       "addons/calico.yaml:7:20: spec.clusterSelector: "
                       "selectors are not written by hand"));
}

TEST(AddonLoaderTest, ExactlyOneDelivery) {
  std::string both = std::string(kCalico) +
                     "  manifests: {inline: \"apiVersion: v1\\nkind: "
                     "Namespace\\nmetadata: {name: x}\\n\"}\n";
  EXPECT_TRUE(HasError(Errors(both),
                       "spec.manifests: set either helm or "
                       "manifests, not both"));
  std::string neither =
      std::string(kCalico).substr(0, std::string(kCalico).find("  helm:"));
  EXPECT_TRUE(HasError(Errors(neither),
                       "addons/calico.yaml:6:3: spec: set how the add-on is "
                       "delivered"));
}

TEST(AddonLoaderTest, HelmFieldsAreChecked) {
  EXPECT_TRUE(HasError(
      Errors(Replace(kCalico, "    reconcileStrategy: InstallOnce\n", "")),
      "spec.helm.reconcileStrategy: required field is missing: InstallOnce "
      "or Continuous"));
  EXPECT_TRUE(HasError(
      Errors(Replace(kCalico, "reconcileStrategy: InstallOnce",
                     "reconcileStrategy: Always")),
      "addons/calico.yaml:14:24: spec.helm.reconcileStrategy: unsupported "
      "value \"Always\""));
  EXPECT_TRUE(HasError(
      Errors(Replace(kCalico, "https://docs.tigera.io/calico/charts",
                     "http://charts.example")),
      "spec.helm.repoURL: \"http://charts.example\" is not an https:// or "
      "oci:// URL"));
  EXPECT_TRUE(
      HasError(Errors(Replace(kCalico, "namespace: tigera-operator",
                              "namespace: Tigera")),
               "spec.helm.namespace: \"Tigera\" is not a valid namespace"));
  EXPECT_TRUE(HasError(
      Errors(Replace(kCalico, "    chart: tigera-operator\n", "    chrt: x\n")),
      "spec.helm.chrt: unknown field"));
}

TEST(AddonLoaderTest, NamesAreCheckedAgainstTheFile) {
  EXPECT_TRUE(HasError(Errors(kCalico, "addons/cilium.yaml"),
                       "addons/cilium.yaml:4:9: metadata.name: \"calico\" "
                       "does not match the file name"));
  EXPECT_TRUE(
      HasError(Errors(Replace(kCalico, "name: calico", "name: Calico_CNI"),
                      "addons/Calico_CNI.yaml"),
               "metadata.name: \"Calico_CNI\" is not a valid add-on name"));
  EXPECT_TRUE(HasError(Errors(Replace(kCalico, "name: calico", "name: addon"),
                              "addons/addon.yaml"),
                       "\"addon\" is reserved"));
}

TEST(AddonLoaderTest, ManifestProblems) {
  FileSet files = {{"addons/aws-ccm/ccm.yaml", kCcmManifest},
                   {"addons/aws-ccm/bad.yaml", "just: text\n"}};
  EXPECT_TRUE(HasError(
      Errors(Replace(kCcm, "[aws-ccm/ccm.yaml]", "[aws-ccm/missing.yaml]"),
             "addons/aws-ccm.yaml", files),
      "addons/aws-ccm.yaml:9:13: spec.manifests.files[0]: "
      "addons/aws-ccm/missing.yaml does not exist"));
  EXPECT_TRUE(HasError(
      Errors(Replace(kCcm, "[aws-ccm/ccm.yaml]", "[../clusters/a.yaml]"),
             "addons/aws-ccm.yaml", files),
      "must be a path below a subdirectory of the catalog"));
  EXPECT_TRUE(HasError(
      Errors(Replace(kCcm, "[aws-ccm/ccm.yaml]", "[aws-ccm/bad.yaml]"),
             "addons/aws-ccm.yaml", files),
      "addons/aws-ccm/bad.yaml document 1 is not a Kubernetes object"));
  EXPECT_TRUE(HasError(
      Errors(Replace(kCcm, "    files:", "    strategy: Reconcile\n    files:"),
             "addons/aws-ccm.yaml", files),
      "spec.manifests.strategy: only ApplyOnce is supported"));
}

TEST(AddonCatalogTest, LoadsTheCatalogDirectoryAndChecksAcrossAddons) {
  RepoConfig config;
  config.default_cni = "calico";
  FileSet files = {{"addons/calico.yaml", kCalico},
                   {"addons/aws-ccm.yaml", kCcm},
                   {"addons/aws-ccm/ccm.yaml", kCcmManifest},
                   {"clusters/a.yaml", "not: an addon"}};
  Diagnostics diags;
  AddonCatalog catalog = LoadAddonCatalog(files, config, &diags);
  EXPECT_TRUE(diags.empty()) << diags[0].ToString();
  ASSERT_EQ(catalog.addons.size(), 2u);
  EXPECT_EQ(catalog.addons[0].name, "aws-ccm");  // sorted by name
  EXPECT_EQ(catalog.Find("calico")->provides, AddonProvides::kCni);

  // Two cloud-controller-managers for AWS: which would a cluster get?
  files["addons/aws-ccm2.yaml"] =
      Replace(kCcm, "name: aws-ccm", "name: aws-ccm2");
  diags.clear();
  LoadAddonCatalog(files, config, &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].ToString(),
            "addons/aws-ccm2.yaml:4:9: spec.providers: both aws-ccm and "
            "aws-ccm2 provide ccm for aws: a cluster gets the one of its "
            "provider, so keep one (or make the other provides: other and "
            "opt in by name)");

  config.default_cni = "cilium";
  diags.clear();
  LoadAddonCatalog({{"addons/calico.yaml", kCalico}}, config, &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_NE(diags[0].ToString().find(
                "capi-gitops.yaml: addons.defaults.cni: names \"cilium\", "
                "which is not in the catalog"),
            std::string::npos)
      << diags[0].ToString();
}

const char kCluster[] = R"(apiVersion: capigitops.io/v1alpha1
kind: ClusterRequest
metadata: {name: a}
spec:
  owner: team-a
  provider: docker
  kubernetesVersion: v1.33.4
  controlPlane: {replicas: 1}
  addons:
    cni: calico
    extra: [metrics]
)";

TEST(AddonCatalogTest, ClusterRequestsNameAddonsOfTheCatalog) {
  FileSet files = {
      {"capi-gitops.yaml",
       "apiVersion: capigitops.io/v1alpha1\nkind: RepoConfig\naddons:\n  "
       "defaults: {cni: calico}\n"},
      {"addons/calico.yaml", kCalico},
      {"clusters/a.yaml", kCluster},
  };
  LoadedRepo repo = LoadRepo(files);
  ASSERT_EQ(repo.diags.size(), 1u);
  EXPECT_EQ(repo.diags[0].ToString(),
            "clusters/a.yaml:11:13: spec.addons.extra[0]: no add-on "
            "\"metrics\" in the catalog (addons/)");
  EXPECT_TRUE(repo.broken.count("a"));

  files["clusters/a.yaml"] = Replace(kCluster, "cni: calico", "cni: weave");
  repo = LoadRepo(files);
  EXPECT_TRUE(HasError(
      [&] {
        std::vector<std::string> out;
        for (const Diagnostic& d : repo.diags) out.push_back(d.ToString());
        return out;
      }(),
      "clusters/a.yaml:10:10: spec.addons.cni: no add-on \"weave\""));

  files["clusters/a.yaml"] = Replace(
      Replace(kCluster, "    extra: [metrics]\n", ""), "metadata: {name: a}",
      "metadata: {name: a, labels: {addons.capigitops.io/x: \"true\"}}");
  repo = LoadRepo(files);
  ASSERT_FALSE(repo.diags.empty());
  EXPECT_NE(repo.diags[0].ToString().find(
                "add-on labels are set by capi-gitops from the catalog"),
            std::string::npos)
      << repo.diags[0].ToString();

  files["clusters/a.yaml"] = Replace(kCluster, "    extra: [metrics]\n", "");
  repo = LoadRepo(files);
  EXPECT_TRUE(repo.diags.empty()) << repo.diags[0].ToString();
  ASSERT_EQ(repo.requests.size(), 1u);
  EXPECT_EQ(repo.requests[0].addons.cni, "calico");
}

TEST(AddonCatalogTest, ConfigNamesTheCatalogPath) {
  RepoConfig config;
  Diagnostics diags;
  ASSERT_TRUE(LoadRepoConfig("capi-gitops.yaml",
                             "apiVersion: capigitops.io/v1alpha1\nkind: "
                             "RepoConfig\naddons:\n  path: platform/addons\n  "
                             "defaults: {cni: calico}\n",
                             &config, &diags));
  EXPECT_EQ(config.addons_path, "platform/addons");
  EXPECT_EQ(config.default_cni, "calico");
  std::vector<std::string> paths = RepoPaths(config);
  EXPECT_NE(std::find(paths.begin(), paths.end(), "platform/addons"),
            paths.end());
}

}  // namespace
}  // namespace addon_loader_test
}  // namespace capigitops
