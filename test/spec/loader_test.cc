#include "capigitops/loader.h"

#include <gtest/gtest.h>

namespace capigitops {
namespace {

const char kGood[] = R"(apiVersion: capigitops.io/v1alpha1
kind: ClusterRequest
metadata:
  name: llm-train
  labels: {team: ml-research, cost-center: "4711"}
spec:
  owner: ml-research
  provider: gcp
  region: us-central1
  zone: us-central1-c
  kubernetesVersion: v1.33.4
  controlPlane: {replicas: 3, machineType: n2-standard-4}
  nodePools:
  - name: gpu
    machineType: n1-standard-32
    accelerator: {type: nvidia-tesla-v100, count: 4}
    spot: true
    autoscaling: {min: 0, max: 25}
    diskGiB: 200
    labels: {workload: training}
    taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
  ttl: 4h
  providerConfig: {project: ml-project}
)";

RepoConfig Config() { return RepoConfig{}; }

// Loads `text` as clusters/<file> and returns every diagnostic as text.
std::vector<std::string> Errors(const std::string& text,
                                const std::string& file = "clusters/a.yaml") {
  Diagnostics diags;
  LoadClusterRequest(file, text, Config(), &diags);
  std::vector<std::string> out;
  for (const Diagnostic& d : diags) out.push_back(d.ToString());
  return out;
}

std::string Replace(std::string text, const std::string& from,
                    const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(LoaderTest, LoadsEveryField) {
  Diagnostics diags;
  auto req =
      LoadClusterRequest("clusters/llm-train.yaml", kGood, Config(), &diags);
  ASSERT_TRUE(req.has_value()) << (diags.empty() ? "" : diags[0].ToString());
  EXPECT_EQ(req->name, "llm-train");
  EXPECT_EQ(req->labels.at("cost-center"), "4711");
  EXPECT_EQ(req->provider, Provider::kGcp);
  EXPECT_EQ(req->control_plane.replicas, 3);
  ASSERT_EQ(req->node_pools.size(), 1u);
  const NodePool& p = req->node_pools[0];
  EXPECT_TRUE(p.spot);
  EXPECT_EQ(p.autoscaling->max, 25);
  EXPECT_FALSE(p.replicas.has_value());
  EXPECT_EQ(p.accelerator->count, 4);
  EXPECT_EQ(p.disk_gib, 200);
  EXPECT_EQ(p.taints.at(0).effect, "NoSchedule");
  EXPECT_EQ(req->ttl.kind, TtlKind::kDuration);
  EXPECT_EQ(req->ttl.seconds, 4 * 3600);
  EXPECT_EQ(req->settings->gcp.project, "ml-project");
  EXPECT_EQ(req->TotalAccelerators(true), 100);
  EXPECT_EQ(req->MarkOf("spec.nodePools[0].machineType").line, 15);
}

TEST(LoaderTest, GpuTaintDefaultsOnAndCanBeTurnedOff) {
  Diagnostics diags;
  auto req =
      LoadClusterRequest("clusters/llm-train.yaml", kGood, Config(), &diags);
  ASSERT_TRUE(req.has_value());
  EXPECT_TRUE(req->node_pools[0].gpu_taint);
  std::string off = Replace(kGood, "    diskGiB: 200\n",
                            "    diskGiB: 200\n    gpuTaint: false\n");
  req = LoadClusterRequest("clusters/llm-train.yaml", off, Config(), &diags);
  ASSERT_TRUE(req.has_value()) << (diags.empty() ? "" : diags[0].ToString());
  EXPECT_FALSE(req->node_pools[0].gpu_taint);
}

TEST(LoaderTest, WrongTypeNamesFileLineColumnAndField) {
  auto errs = Errors(
      Replace(kGood, "autoscaling: {min: 0, max: 25}", "replicas: four"));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0],
            "clusters/a.yaml:18:15: spec.nodePools[0].replicas: expected an "
            "integer, got \"four\"");
}

TEST(LoaderTest, MoreThanFiftyNodePoolsIsAFileLineError) {
  auto pools = [](int n) {
    std::string list;
    for (int i = 0; i < n; ++i) {
      list += "  - {name: p" + std::to_string(i) +
              ", machineType: n2-standard-4, replicas: 1}\n";
    }
    return list;
  };
  std::string base =
      std::string(kGood).substr(0, std::string(kGood).find("  nodePools:"));
  std::string tail = "  ttl: 4h\n  providerConfig: {project: ml-project}\n";
  EXPECT_TRUE(Errors(base + "  nodePools:\n" + pools(50) + tail).empty());
  auto errs = Errors(base + "  nodePools:\n" + pools(51) + tail);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].find("clusters/a.yaml:"), std::string::npos);
  EXPECT_NE(
      errs[0].find("spec.nodePools: at most 50 node pools per cluster, got 51"),
      std::string::npos)
      << errs[0];
}

TEST(LoaderTest, UnknownFieldSuggestsTheKnownOne) {
  auto errs = Errors(Replace(kGood, "    diskGiB: 200", "    diskGib: 200"));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0],
            "clusters/a.yaml:19:5: spec.nodePools[0].diskGib: unknown field "
            "\"diskGib\"; did you mean \"diskGiB\"?");
}

TEST(LoaderTest, DuplicateKeyIsAnError) {
  auto errs = Errors(Replace(kGood, "  ttl: 4h", "  ttl: 4h\n  ttl: 8h"));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0],
            "clusters/a.yaml:23:3: duplicate key \"ttl\": each key may appear "
            "only once in a map");
}

TEST(LoaderTest, OutOfRangeValues) {
  auto errs = Errors(Replace(Replace(kGood, "replicas: 3,", "replicas: 2,"),
                             "count: 4", "count: 40"));
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0],
            "clusters/a.yaml:12:28: spec.controlPlane.replicas: must be 1, 3 "
            "or 5 (etcd needs an odd number), got 2");
  EXPECT_EQ(errs[1],
            "clusters/a.yaml:16:51: spec.nodePools[0].accelerator.count: must "
            "be between 1 and 16, got 40");
}

TEST(LoaderTest, InvalidNameAndMissingOwner) {
  auto errs =
      Errors(Replace(Replace(kGood, "name: llm-train", "name: LLM_Train"),
                     "  owner: ml-research\n", ""));
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_NE(errs[0].find("clusters/a.yaml:4:9: metadata.name: \"LLM_Train\" is "
                         "not a valid cluster name"),
            std::string::npos)
      << errs[0];
  EXPECT_EQ(errs[1],
            "clusters/a.yaml:7:3: spec.owner: required field is missing: name "
            "the team accountable for this cluster");
}

TEST(LoaderTest, AllErrorsOfAFileAreReported) {
  std::string text = Replace(kGood, "provider: gcp", "provider: gce");
  text = Replace(text, "ttl: 4h", "ttl: 4 hours");
  text = Replace(text, "effect: NoSchedule", "effect: Never");
  auto errs = Errors(text);
  ASSERT_EQ(errs.size(), 3u);
  EXPECT_NE(errs[0].find("8:13: spec.provider: unsupported provider \"gce\""),
            std::string::npos);
  EXPECT_NE(errs[1].find("21:60: spec.nodePools[0].taints[0].effect"),
            std::string::npos)
      << errs[1];
  EXPECT_NE(errs[2].find("22:8: spec.ttl: \"4 hours\" is not a duration"),
            std::string::npos)
      << errs[2];
}

TEST(LoaderTest, ProviderRules) {
  auto errs = Errors(Replace(kGood, "  zone: us-central1-c\n", ""));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].find("spec.nodePools[0].accelerator: GPUs on GCP are "
                         "zonal: set spec.zone"),
            std::string::npos);
  std::string vs = Replace(kGood, "provider: gcp", "provider: vsphere");
  vs = Replace(vs, "providerConfig: {project: ml-project}",
               "providerConfig: {server: vc, template: t, network: n, "
               "controlPlaneEndpoint: 10.0.0.10}");
  errs = Errors(vs);
  ASSERT_EQ(errs.size(), 3u);
  EXPECT_NE(errs[0].find("unknown vsphere size \"n2-standard-4\""),
            std::string::npos);
  EXPECT_NE(errs[2].find("spec.nodePools[0].spot: spot instances are not "
                         "available on vsphere"),
            std::string::npos)
      << errs[2];
}

TEST(LoaderTest, MissingProviderSettingSaysWhereToSetIt) {
  auto errs =
      Errors(Replace(kGood, "  providerConfig: {project: ml-project}\n", ""));
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0],
            "clusters/a.yaml:8:13: spec.provider: gcp needs a GCP project: "
            "set providers.gcp.project in capi-gitops.yaml or "
            "spec.providerConfig.project");
}

TEST(LoaderTest, JsonSpecsLoadToo) {
  Diagnostics diags;
  auto req = LoadClusterRequest(
      "clusters/dev.json",
      R"({"apiVersion": "capigitops.io/v1alpha1", "kind": "ClusterRequest",
          "metadata": {"name": "dev"},
          "spec": {"owner": "me", "provider": "docker",
                   "kubernetesVersion": "v1.33.4",
                   "controlPlane": {"replicas": 1},
                   "nodePools": [{"name": "w", "replicas": "2"}]}})",
      Config(), &diags);
  EXPECT_FALSE(req.has_value());
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].ToString(),
            "clusters/dev.json:6:60: spec.nodePools[0].replicas: expected an "
            "integer, got \"2\"");
}

TEST(LoaderTest, HostileInputIsAnErrorNotACrash) {
  EXPECT_FALSE(Errors(std::string(200000, '[')).empty());
  EXPECT_FALSE(
      Errors(std::string("\x7f\x45\x4c\x46\x02\x01\x01\x00", 8)).empty());
  EXPECT_FALSE(Errors("metadata: {name: caf\xe9}\n").empty());
  EXPECT_FALSE(Errors("- just\n- a list\n").empty());
  EXPECT_FALSE(Errors("").empty());
}

TEST(RepoLoaderTest, NameMustMatchFileAndBeUnique) {
  FileSet files;
  files["clusters/other.yaml"] = kGood;
  files["clusters/llm-train.yaml"] = kGood;
  files["clusters/llm-train.json"] = kGood;
  files["clusters/broken.yaml"] = "spec: [";
  LoadedRepo repo = LoadRepo(files);
  EXPECT_TRUE(repo.requests.empty());
  EXPECT_EQ(repo.broken,
            (std::set<std::string>{"broken", "llm-train", "other"}));
  std::vector<std::string> errs;
  for (const Diagnostic& d : repo.diags) errs.push_back(d.ToString());
  ASSERT_EQ(errs.size(), 4u);
  EXPECT_NE(errs[0].find("clusters/broken.yaml:1:"), std::string::npos)
      << errs[0];
  EXPECT_NE(errs[1].find("clusters/llm-train.yaml:4:9: metadata.name: cluster "
                         "\"llm-train\" is already defined in "
                         "clusters/llm-train.json"),
            std::string::npos)
      << errs[1];
  EXPECT_EQ(errs[2],
            "clusters/other.yaml:4:9: metadata.name: \"llm-train\" does not "
            "match the file name: rename the file to llm-train.yaml or set "
            "metadata.name to \"other\"");
  EXPECT_NE(errs[3].find("clusters/other.yaml:4:9: metadata.name: cluster "
                         "\"llm-train\" is already defined"),
            std::string::npos);
}

TEST(RepoLoaderTest, ConfigDefaultsApplyToSpecs) {
  FileSet files;
  files["capi-gitops.yaml"] = R"(apiVersion: capigitops.io/v1alpha1
kind: RepoConfig
namespace: fleet
kubernetesVersion: v1.33.4
providers:
  gcp: {project: shared, network: vpc}
safety: {deletionBudget: {maxClusters: 5}}
)";
  files["clusters/llm-train.yaml"] =
      Replace(Replace(kGood, "  providerConfig: {project: ml-project}\n", ""),
              "  kubernetesVersion: v1.33.4\n", "");
  LoadedRepo repo = LoadRepo(files);
  ASSERT_TRUE(repo.diags.empty()) << repo.diags[0].ToString();
  ASSERT_EQ(repo.requests.size(), 1u);
  EXPECT_EQ(repo.config.namespace_name, "fleet");
  EXPECT_EQ(repo.config.deletion_budget.max_clusters, 5);
  EXPECT_EQ(repo.requests[0].settings->gcp.project, "shared");
  EXPECT_EQ(repo.requests[0].settings->gcp.network, "vpc");
  EXPECT_EQ(repo.requests[0].kubernetes_version, "v1.33.4");
}

// Requests without a providerConfig share the repository's settings; one
// with a providerConfig gets its own, and changing it changes no other.
TEST(RepoLoaderTest, ProviderConfigOverridesOnlyItsOwnRequest) {
  FileSet files;
  files["capi-gitops.yaml"] = R"(apiVersion: capigitops.io/v1alpha1
kind: RepoConfig
providers:
  gcp: {project: shared, network: vpc}
)";
  std::string plain =
      Replace(kGood, "  providerConfig: {project: ml-project}\n", "");
  files["clusters/a.yaml"] = Replace(plain, "name: llm-train", "name: a");
  files["clusters/b.yaml"] = Replace(kGood, "name: llm-train", "name: b");
  files["clusters/c.yaml"] = Replace(plain, "name: llm-train", "name: c");
  LoadedRepo repo = LoadRepo(files);
  ASSERT_TRUE(repo.diags.empty()) << repo.diags[0].ToString();
  ASSERT_EQ(repo.requests.size(), 3u);
  const ClusterRequest& a = repo.requests[0];
  const ClusterRequest& b = repo.requests[1];
  const ClusterRequest& c = repo.requests[2];
  EXPECT_EQ(a.settings->gcp.project, "shared");
  EXPECT_EQ(b.settings->gcp.project, "ml-project");
  EXPECT_EQ(b.settings->gcp.network, "vpc");  // the rest from the repo
  EXPECT_EQ(c.settings->gcp.project, "shared");
  EXPECT_EQ(&a.settings.get(), &c.settings.get());  // one copy for both
  EXPECT_NE(&a.settings.get(), &b.settings.get());

  ClusterRequest copy = a;
  copy.settings.Mutable().gcp.project = "changed";
  EXPECT_EQ(copy.settings->gcp.project, "changed");
  EXPECT_EQ(a.settings->gcp.project, "shared");
  EXPECT_EQ(c.settings->gcp.project, "shared");
  ClusterRequest again = copy;  // a copy of an owned one shares until written
  again.settings.Mutable().gcp.network = "other";
  EXPECT_EQ(copy.settings->gcp.network, "vpc");
}

TEST(RepoLoaderTest, ClusterNetworkAndProviderSettingsOfTheRender) {
  FileSet files;
  files["capi-gitops.yaml"] = R"(apiVersion: capigitops.io/v1alpha1
kind: RepoConfig
clusterNetwork: {podCIDR: 172.20.0.0/16, serviceCIDR: 172.21.0.0/16}
providers:
  openstack: {dnsNameservers: [10.0.0.2, 1.1.1.1]}
  azure: {controlPlaneIdentityID: "azure:///subscriptions/s/x"}
)";
  LoadedRepo repo = LoadRepo(files);
  ASSERT_TRUE(repo.diags.empty()) << repo.diags[0].ToString();
  EXPECT_EQ(repo.config.pod_cidr, "172.20.0.0/16");
  EXPECT_EQ(repo.config.service_cidr, "172.21.0.0/16");
  EXPECT_EQ(repo.config.providers.openstack.dns_nameservers,
            (std::vector<std::string>{"10.0.0.2", "1.1.1.1"}));
  EXPECT_EQ(repo.config.providers.azure.control_plane_identity_id,
            "azure:///subscriptions/s/x");
  // Defaults: what the render always used.
  EXPECT_EQ(RepoConfig{}.pod_cidr, "192.168.0.0/16");
  EXPECT_EQ(RepoConfig{}.service_cidr, "10.96.0.0/12");
}

TEST(RepoLoaderTest, ConfigErrorsHavePositions) {
  FileSet files;
  files["capi-gitops.yaml"] =
      "apiVersion: capigitops.io/v1alpha1\nkind: RepoConfig\nproviders:\n  "
      "gcp: {projekt: x}\n";
  LoadedRepo repo = LoadRepo(files);
  ASSERT_EQ(repo.diags.size(), 1u);
  EXPECT_EQ(repo.diags[0].ToString(),
            "capi-gitops.yaml:4:9: providers.gcp.projekt: unknown field "
            "\"projekt\"; did you mean \"project\"?");
}

}  // namespace
}  // namespace capigitops
