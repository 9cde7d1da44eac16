// The add-on catalog's expansion: the Cluster labels that choose add-ons,
// the HelmChartProxies, ClusterResourceSets and ConfigMaps, their names and
// selectors, and the upstream CRDs they must pass.
#include <gtest/gtest.h>

#include "capigitops/labels.h"
#include "capigitops/render.h"
#include "render/render_test_util.h"
#include "schema/crd_testing.h"

namespace capigitops {
namespace addon_render_test {
namespace {

using namespace testing;  // NOLINT

Addon HelmAddon(const std::string& name, AddonProvides provides,
                std::set<Provider> providers) {
  Addon a;
  a.file = "addons/" + name + ".yaml";
  a.name = name;
  a.provides = provides;
  a.providers = std::move(providers);
  HelmDelivery h;
  h.repo_url = "https://charts.example.com";
  h.chart = name;
  h.version = "1.2.3";
  h.namespace_name = name;
  h.values =
      "podCIDR: {{ index .Cluster.spec.clusterNetwork.pods.cidrBlocks 0 }}\n";
  a.helm = h;
  return a;
}

Addon ManifestAddon(const std::string& name, AddonProvides provides,
                    std::set<Provider> providers) {
  Addon a;
  a.file = "addons/" + name + ".yaml";
  a.name = name;
  a.provides = provides;
  a.providers = std::move(providers);
  a.manifests = {{"addons/" + name + "/a.yaml", "a.yaml",
                  "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: "
                  "a, namespace: kube-system}\n"},
                 {"addons/" + name + "/b.yaml", "b.yaml",
                  "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: "
                  "b, namespace: kube-system}\n"}};
  return a;
}

const std::set<Provider> kClouds = {Provider::kGcp, Provider::kAws,
                                    Provider::kAzure, Provider::kVsphere,
                                    Provider::kOpenstack};

AddonCatalog Catalog() {
  AddonCatalog c;
  std::set<Provider> all = kClouds;
  all.insert(Provider::kDocker);
  c.addons = {ManifestAddon("aws-ccm", AddonProvides::kCcm, {Provider::kAws}),
              HelmAddon("aws-ebs-csi", AddonProvides::kCsi, {Provider::kAws}),
              HelmAddon("calico", AddonProvides::kCni, all),
              HelmAddon("cilium", AddonProvides::kCni, all),
              HelmAddon("gpu-operator", AddonProvides::kGpu, kClouds),
              ManifestAddon("metrics", AddonProvides::kOther, all)};
  return c;
}

RepoConfig ConfigWithCni() {
  RepoConfig config = TestRepoConfig();
  config.default_cni = "calico";
  return config;
}

std::set<std::string> AddonLabels(const ClusterRequest& req,
                                  const AddonCatalog& catalog) {
  RenderOptions opts{"abc123", "", &catalog};
  auto objects = Expand(req, ConfigWithCni(), opts);
  EXPECT_TRUE(objects.ok()) << objects.status().ToString();
  std::set<std::string> out;
  if (!objects.ok()) return out;
  nlohmann::json cluster = FindObject(*objects, "Cluster");
  for (const auto& [key, value] : cluster["metadata"]["labels"].items()) {
    if (key.rfind(kAddonLabelPrefix, 0) != 0) continue;
    EXPECT_EQ(value, "true") << key;
    out.insert(key.substr(sizeof(kAddonLabelPrefix) - 1));
  }
  return out;
}

TEST(AddonRenderTest, ClusterLabelsChooseCniCcmCsiGpuAndExtras) {
  AddonCatalog catalog = Catalog();
  // AWS with a GPU pool: the default CNI, AWS's CCM and CSI, the operator.
  EXPECT_EQ(AddonLabels(AwsRequest(), catalog),
            (std::set<std::string>{"calico", "aws-ccm", "aws-ebs-csi",
                                   "gpu-operator"}));
  // Docker: only the CNI; GCP without an AWS CCM gets none.
  EXPECT_EQ(AddonLabels(DockerRequest(), catalog),
            (std::set<std::string>{"calico"}));
  ClusterRequest gcp = GcpRequest();
  EXPECT_TRUE(AddonLabels(gcp, catalog).count("gpu-operator"));
  EXPECT_FALSE(AddonLabels(gcp, catalog).count("aws-ccm"));
  // No GPU pool, no operator.
  ClusterRequest cpu = AwsRequest();
  for (NodePool& pool : cpu.node_pools) {
    pool.accelerator.reset();
    pool.machine_type = "m6i.xlarge";
  }
  EXPECT_FALSE(AddonLabels(cpu, catalog).count("gpu-operator"));
  // The spec overrides the CNI and opts in by name.
  ClusterRequest docker = DockerRequest();
  docker.addons.cni = "cilium";
  docker.addons.extra = {"metrics"};
  EXPECT_EQ(AddonLabels(docker, catalog),
            (std::set<std::string>{"cilium", "metrics"}));
  // A request label under the prefix never reaches the Cluster.
  docker.labels["addons.capigitops.io/gpu-operator"] = "true";
  EXPECT_FALSE(AddonLabels(docker, catalog).count("gpu-operator"));
  // Without a catalog: no add-on labels at all (the goldens stay the same).
  auto plain = MustExpand(AwsRequest());
  nlohmann::json cluster = FindObject(plain, "Cluster");
  for (const auto& [key, value] : cluster["metadata"]["labels"].items()) {
    EXPECT_NE(key.rfind(kAddonLabelPrefix, 0), 0u) << key;
  }
}

std::vector<nlohmann::json> MustExpandCatalog(const AddonCatalog& catalog) {
  auto objects = ExpandCatalog(catalog, "capi-clusters");
  EXPECT_TRUE(objects.ok()) << objects.status().ToString();
  return objects.ok() ? *objects : std::vector<nlohmann::json>{};
}

TEST(AddonRenderTest, CatalogObjectsSelectExactlyTheirAddonsLabel) {
  std::vector<nlohmann::json> objects = MustExpandCatalog(Catalog());
  // 4 HCPs, 2 CRSs with 2 ConfigMaps each.
  ASSERT_EQ(objects.size(), 10u);
  EXPECT_EQ(FindObjects(objects, "HelmChartProxy").size(), 4u);
  EXPECT_EQ(FindObjects(objects, "ClusterResourceSet").size(), 2u);
  EXPECT_EQ(FindObjects(objects, "ConfigMap").size(), 4u);
  for (const nlohmann::json& obj : objects) {
    const nlohmann::json& meta = obj["metadata"];
    std::string addon = meta["labels"][kAddonNameLabel];
    EXPECT_EQ(meta["namespace"], "capi-clusters");
    EXPECT_EQ(meta["labels"][kManagedByLabel], kManagedByValue);
    EXPECT_EQ(meta["name"].get<std::string>().rfind(addon + "-", 0), 0u);
    EXPECT_TRUE(meta["labels"].contains(kAddonProvidesLabel));
    if (obj["kind"] == "ConfigMap") continue;
    EXPECT_EQ(obj["spec"]["clusterSelector"],
              nlohmann::json({{"matchLabels",
                               {{"addons.capigitops.io/" + addon, "true"}}}}))
        << meta["name"];
  }
  nlohmann::json gpu = FindObject(objects, "HelmChartProxy", "gpu-operator-");
  EXPECT_EQ(gpu["metadata"]["labels"][kAddonProvidesLabel], "gpu");
  EXPECT_EQ(gpu["spec"]["version"], "1.2.3");
  EXPECT_EQ(gpu["spec"]["reconcileStrategy"], "InstallOnce");
  EXPECT_EQ(gpu["spec"]["namespace"], "gpu-operator");
  nlohmann::json crs = FindObject(objects, "ClusterResourceSet", "aws-ccm-");
  EXPECT_EQ(crs["metadata"]["labels"][kAddonProvidesLabel], "ccm");
  EXPECT_EQ(crs["spec"]["strategy"], "ApplyOnce");
  ASSERT_EQ(crs["spec"]["resources"].size(), 2u);
  for (const nlohmann::json& r : crs["spec"]["resources"]) {
    EXPECT_EQ(r["kind"], "ConfigMap");
    EXPECT_FALSE(FindObject(objects, "ConfigMap", r["name"]).is_null());
  }
  // ConfigMaps come before the sets that list them.
  size_t last_cm = 0, first_crs = objects.size();
  for (size_t i = 0; i < objects.size(); ++i) {
    if (objects[i]["kind"] == "ConfigMap") last_cm = i;
    if (objects[i]["kind"] == "ClusterResourceSet")
      first_crs = std::min(first_crs, i);
  }
  EXPECT_LT(last_cm, first_crs);
}

TEST(AddonRenderTest, NamesAreStableAndHashTheImmutableFields) {
  AddonCatalog catalog = Catalog();
  auto name_of = [](const std::vector<nlohmann::json>& objects,
                    const std::string& kind, const std::string& addon) {
    return FindObject(objects, kind, addon + "-")["metadata"]["name"]
        .get<std::string>();
  };
  std::vector<nlohmann::json> before = MustExpandCatalog(catalog);
  EXPECT_EQ(MustExpandCatalog(catalog), before);  // deterministic
  std::string hcp = name_of(before, "HelmChartProxy", "calico");
  EXPECT_EQ(hcp.size(), std::string("calico-").size() + 8);

  // A new chart version is an in-place update: same name.
  AddonCatalog changed = catalog;
  const_cast<Addon*>(changed.Find("calico"))->helm->version = "1.2.4";
  EXPECT_EQ(name_of(MustExpandCatalog(changed), "HelmChartProxy", "calico"),
            hcp);
  // reconcileStrategy is immutable: a new object.
  const_cast<Addon*>(changed.Find("calico"))->helm->strategy =
      ReconcileStrategy::kContinuous;
  EXPECT_NE(name_of(MustExpandCatalog(changed), "HelmChartProxy", "calico"),
            hcp);
  // A manifest's content names its ConfigMap; the CRS keeps its name.
  std::string crs = name_of(before, "ClusterResourceSet", "aws-ccm");
  std::string cm = before[0]["metadata"]["name"];
  changed = catalog;
  const_cast<Addon*>(changed.Find("aws-ccm"))->manifests[0].text += "# v2\n";
  std::vector<nlohmann::json> after = MustExpandCatalog(changed);
  EXPECT_EQ(name_of(after, "ClusterResourceSet", "aws-ccm"), crs);
  EXPECT_TRUE(FindObject(after, "ConfigMap", cm).is_null() ||
              FindObject(after, "ConfigMap", cm)["data"] != before[0]["data"]);
}

TEST(AddonRenderTest, RefusesAnUnpinnedChart) {
  AddonCatalog catalog = Catalog();
  const_cast<Addon*>(catalog.Find("calico"))->helm->version = "";
  auto objects = ExpandCatalog(catalog, "ns");
  ASSERT_FALSE(objects.ok());
  EXPECT_NE(objects.status().message().find("pinned version"),
            std::string::npos);
}

// Every catalog object passes the upstream CRDs (ConfigMaps are core: their
// names and labels are checked by the sandbox's ObjectMeta rules instead).
TEST(AddonRenderTest, EveryCatalogObjectPassesTheUpstreamCrds) {
  SKIP_WITHOUT_CRDS();
  const schema::CrdRegistry& crds = schema::testing::UpstreamCrds();
  size_t checked = 0;
  for (const nlohmann::json& obj : MustExpandCatalog(Catalog())) {
    if (obj["kind"] == "ConfigMap") {
      // Core, so no CRD: the name, string data and the 1 MiB object limit.
      std::string name = obj["metadata"]["name"];
      EXPECT_LE(name.size(), 63u) << name;
      EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-"),
                std::string::npos)
          << name;
      EXPECT_EQ(obj["apiVersion"], "v1");
      for (const auto& [key, value] : obj["data"].items()) {
        EXPECT_TRUE(value.is_string()) << key;
      }
      EXPECT_LT(obj.dump().size(), 1u << 20);
      continue;
    }
    auto errors = crds.ValidateObject(obj);
    EXPECT_TRUE(errors.empty())
        << obj["kind"] << " " << obj["metadata"]["name"] << ":\n"
        << schema::testing::Describe(errors);
    ++checked;
  }
  EXPECT_EQ(checked, 6u);
  // The Clusters with add-on labels pass too.
  AddonCatalog catalog = Catalog();
  for (const ClusterRequest& req : AllProviderRequests()) {
    auto objects =
        Expand(req, ConfigWithCni(), RenderOptions{"abc123", "", &catalog});
    ASSERT_TRUE(objects.ok());
    nlohmann::json cluster = FindObject(*objects, "Cluster");
    auto errors = crds.ValidateObject(cluster);
    EXPECT_TRUE(errors.empty()) << schema::testing::Describe(errors);
  }
}

TEST(AddonRenderTest, PerClusterCredentialSetsNameThePlatformsSecrets) {
  RepoConfig config = TestRepoConfig();
  config.addon_cluster_secrets[Provider::kVsphere] = {"vsphere-cpi-credentials",
                                                      "{cluster}-csi-config"};
  ClusterRequest req = VsphereRequest();
  auto objects = Expand(req, config, RenderOptions{"abc123", "", nullptr});
  ASSERT_TRUE(objects.ok()) << objects.status().ToString();
  nlohmann::json crs = FindObject(*objects, "ClusterResourceSet");
  ASSERT_FALSE(crs.is_null());
  EXPECT_EQ(crs["metadata"]["name"], req.name + "-secrets");
  EXPECT_EQ(crs["metadata"]["labels"][kClusterLabel], req.name);
  EXPECT_EQ(crs["metadata"]["labels"][kAddonProvidesLabel], "other");
  EXPECT_EQ(crs["spec"]["clusterSelector"]["matchLabels"],
            nlohmann::json({{kClusterLabel, req.name}}));
  EXPECT_EQ(crs["spec"]["resources"],
            nlohmann::json::parse(
                R"([{"kind": "Secret", "name": "vsphere-cpi-credentials"},
                    {"kind": "Secret", "name": ")" +
                req.name + R"(-csi-config"}])"));
  // The Cluster it selects carries that label; no Secret is rendered.
  EXPECT_EQ(
      FindObject(*objects, "Cluster")["metadata"]["labels"][kClusterLabel],
      req.name);
  EXPECT_TRUE(FindObject(*objects, "Secret").is_null());
  // Other providers get none.
  auto docker = Expand(DockerRequest(), config, RenderOptions{});
  ASSERT_TRUE(docker.ok());
  EXPECT_TRUE(FindObject(*docker, "ClusterResourceSet").is_null());
  if (schema::testing::HaveCrds()) {
    auto errors = schema::testing::UpstreamCrds().ValidateObject(crs);
    EXPECT_TRUE(errors.empty()) << schema::testing::Describe(errors);
  }
}

}  // namespace
}  // namespace addon_render_test
}  // namespace capigitops
