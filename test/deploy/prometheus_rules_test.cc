// deploy/components/: the monitoring pack and the CI identity. Every alert
// expression parses (offline, deploy/promql.h) and reads only metrics the
// controller really exports (its own registry, rendered); every component
// renders with kubectl's kustomize, alone and on top of deploy/.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "capigitops/controller.h"
#include "capigitops/metrics.h"
#include "capigitops/yaml.h"
#include "deploy/manifests.h"
#include "deploy/promql.h"
#include "testing/subprocess.h"

namespace capigitops::testutil {
namespace {

using json = nlohmann::json;

constexpr char kRulesFile[] =
    "deploy/components/prometheus-rules/prometheusrule.yaml";
constexpr char kKubectl[] = "/usr/lib/google-cloud-sdk/bin/kubectl.1.32";

// Every series name `capi-gitops run` exports: the families its registry
// declares (as run_command.cc sets it up), a histogram's with the
// _bucket, _sum and _count suffixes.
std::set<std::string> ExportedMetrics() {
  MetricsRegistry m;
  DeclareControllerMetrics(&m);
  DeclareBuildInfo(&m, "0.0.0", "test");
  std::set<std::string> out;
  std::istringstream text(m.Render());
  for (std::string line; std::getline(text, line);) {
    if (line.rfind("# TYPE ", 0) != 0) continue;
    std::istringstream fields(line.substr(7));
    std::string name, type;
    fields >> name >> type;
    out.insert(name);
    if (type == "histogram") {
      for (const char* suffix : {"_bucket", "_sum", "_count"})
        out.insert(name + suffix);
    }
  }
  return out;
}

struct Rule {
  std::string alert;
  json object;
};

std::vector<Rule> AlertRules() {
  std::vector<std::string> errors;
  std::vector<Manifest> docs = ReadManifests(kRulesFile, &errors);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  std::vector<Rule> out;
  for (const Manifest& m : docs) {
    EXPECT_EQ(m.object.value("kind", ""), "PrometheusRule");
    for (const json& group : m.object["spec"]["groups"]) {
      for (const json& rule : group["rules"]) {
        out.push_back({rule.value("alert", ""), rule});
      }
    }
  }
  return out;
}

TEST(DeployPrometheusRulesTest, EveryExpressionParsesAndReadsExportedMetrics) {
  std::set<std::string> exported = ExportedMetrics();
  ASSERT_TRUE(exported.count("capigitops_reconcile_duration_seconds_bucket"));
  ASSERT_TRUE(exported.count("capigitops_cluster_expiry_timestamp_seconds"));
  ASSERT_TRUE(exported.count("process_resident_memory_bytes"));
  std::vector<Rule> rules = AlertRules();
  ASSERT_GE(rules.size(), 5u);
  std::set<std::string> names;
  for (const Rule& r : rules) {
    EXPECT_FALSE(r.alert.empty()) << r.object.dump();
    EXPECT_TRUE(names.insert(r.alert).second) << "twice: " << r.alert;
    PromParse p = ParsePromQL(r.object.value("expr", ""));
    ASSERT_TRUE(p.ok) << r.alert << ": " << p.error;
    EXPECT_EQ(p.type, PromType::kInstantVector) << r.alert;
    EXPECT_FALSE(p.metrics.empty()) << r.alert;
    for (const std::string& metric : p.metrics) {
      EXPECT_TRUE(exported.count(metric))
          << r.alert << " reads " << metric
          << ", which capi-gitops does not export";
    }
    if (r.object.contains("for")) {
      EXPECT_TRUE(ParsePromDuration(r.object.value("for", "")))
          << r.alert << ": for: " << r.object["for"];
    }
    EXPECT_TRUE(std::set<std::string>({"info", "warning", "critical"})
                    .count(r.object.value("/labels/severity"_json_pointer, "")))
        << r.alert;
    EXPECT_FALSE(
        r.object.value("/annotations/summary"_json_pointer, "").empty())
        << r.alert;
  }
}

// What issue #14 asks the rules to catch, each on the metric that says it.
TEST(DeployPrometheusRulesTest, CoversStalePassesHoldsBlocksExpiryAndWebhooks) {
  std::map<std::string, std::string> want = {
      {"CapiGitopsReconcileStale", "capigitops_last_success_timestamp_seconds"},
      {"CapiGitopsDeletionsHeld", "capigitops_deletions_held"},
      {"CapiGitopsClustersBlocked", "capigitops_clusters"},
      {"CapiGitopsClusterExpiringSoon",
       "capigitops_cluster_expiry_timestamp_seconds"},
      {"CapiGitopsWebhookRefusals", "capigitops_webhook_requests_total"},
  };
  std::map<std::string, std::set<std::string>> read;
  for (const Rule& r : AlertRules()) {
    read[r.alert] = ParsePromQL(r.object.value("expr", "")).metrics;
  }
  for (const auto& [alert, metric] : want) {
    ASSERT_TRUE(read.count(alert)) << alert << " is missing";
    EXPECT_TRUE(read[alert].count(metric))
        << alert << " should read " << metric;
  }
  // The label values the rules select are ones the code writes.
  std::string text = ReadSourceFile(kRulesFile);
  EXPECT_NE(text.find("phase=\"Blocked\""), std::string::npos);
  EXPECT_NE(text.find("result=~\"refused|replayed\""), std::string::npos);
  std::string controller = ReadSourceFile("src/daemon/controller_endpoints.cc");
  EXPECT_NE(controller.find("count(\"refused\")"), std::string::npos);
  EXPECT_NE(controller.find("count(\"replayed\")"), std::string::npos);
}

std::vector<json> KustomizeBuild(const std::string& dir) {
  TempDir cache;
  RunResult r =
      RunProcess({kKubectl, "--cache-dir", cache.path(), "kustomize", dir});
  EXPECT_EQ(r.exit_code, 0) << dir << ": " << r.err;
  Diagnostics diags;
  std::vector<json> out;
  for (const yaml::Node& doc : yaml::ParseDocuments(r.out, "kustomize", &diags))
    out.push_back(yaml::ToJson(doc));
  EXPECT_TRUE(diags.empty());
  return out;
}

std::multiset<std::string> KindsOf(const std::vector<json>& objects) {
  std::multiset<std::string> out;
  for (const json& o : objects) out.insert(o.value("kind", ""));
  return out;
}

// Each component alone, and deploy/ with it as an overlay would use it
// (kustomize takes only relative paths, from a directory of its own).
TEST(DeployComponentsTest, EachComponentRendersAloneAndOnTopOfDeploy) {
  if (!std::filesystem::exists(kKubectl)) GTEST_SKIP() << kKubectl;
  const std::map<std::string, std::multiset<std::string>> components = {
      {"pod-monitor", {"PodMonitor"}},
      {"prometheus-rules", {"PrometheusRule"}},
      {"ci-plan-reader",
       {"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role",
        "RoleBinding"}},
  };
  std::vector<json> base = KustomizeBuild(SourcePath("deploy"));
  ASSERT_FALSE(base.empty());
  for (const auto& [name, kinds] : components) {
    std::string dir = SourcePath("deploy/components/" + name);
    std::vector<std::string> errors;
    std::vector<Manifest> kust = ReadManifests(
        "deploy/components/" + name + "/kustomization.yaml", &errors);
    ASSERT_EQ(kust.size(), 1u) << name;
    EXPECT_EQ(kust[0].object.value("kind", ""), "Component") << name;
    std::vector<json> alone = KustomizeBuild(dir);
    EXPECT_EQ(KindsOf(alone), kinds) << name;
    TempDir overlay;
    std::string rel =
        std::filesystem::relative(SourcePath("deploy"), overlay.path())
            .string();
    overlay.Write("kustomization.yaml",
                  "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                  "kind: Kustomization\n"
                  "resources: [" +
                      rel +
                      "]\n"
                      "components: [" +
                      rel + "/components/" + name + "]\n");
    std::vector<json> both = KustomizeBuild(overlay.path());
    EXPECT_EQ(both.size(), base.size() + kinds.size()) << name;
    for (const json& o : both) {
      EXPECT_EQ(
          o.value("/metadata/labels/app.kubernetes.io~1part-of"_json_pointer,
                  ""),
          "capi-gitops")
          << name << ": " << o.value("kind", "");
    }
  }
}

// The PodMonitor scrapes the controller's pods on the port /metrics is
// served on; the PDB covers the same pods and keeps one of two.
TEST(DeployComponentsTest, PodMonitorAndPdbSelectTheControllerPods) {
  std::vector<Manifest> base = KustomizationObjects();
  const json* deploy = FindObject(base, "Deployment", "capi-gitops");
  const json* pdb = FindObject(base, "PodDisruptionBudget", "capi-gitops");
  ASSERT_NE(deploy, nullptr);
  ASSERT_NE(pdb, nullptr);
  const json& pod_labels = (*deploy)["spec"]["template"]["metadata"]["labels"];
  EXPECT_EQ((*pdb)["spec"]["selector"]["matchLabels"], pod_labels);
  EXPECT_EQ((*pdb)["spec"]["maxUnavailable"], 1);
  EXPECT_GT((*deploy)["spec"]["replicas"].get<int>(), 1);
  std::vector<std::string> errors;
  std::vector<Manifest> pm =
      ReadManifests("deploy/components/pod-monitor/podmonitor.yaml", &errors);
  ASSERT_EQ(pm.size(), 1u);
  const json& spec = pm[0].object["spec"];
  EXPECT_EQ(spec["selector"]["matchLabels"], pod_labels);
  ASSERT_EQ(spec["podMetricsEndpoints"].size(), 1u);
  const json& ep = spec["podMetricsEndpoints"][0];
  EXPECT_EQ(ep["path"], "/metrics");
  bool port_found = false;
  for (const json& port :
       (*deploy)["spec"]["template"]["spec"]["containers"][0]["ports"]) {
    port_found = port_found || port["name"] == ep["port"];
  }
  EXPECT_TRUE(port_found) << ep["port"];
  const json& args =
      (*deploy)["spec"]["template"]["spec"]["containers"][0]["args"];
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--metrics-addr") {
      EXPECT_EQ(args[i + 1], ":8080");
    }
  }
}

}  // namespace
}  // namespace capigitops::testutil
