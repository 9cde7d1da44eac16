// deploy/: the manifests parse, the kustomization is complete, and names,
// labels, ports, probes and references agree with each other.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "capigitops/yaml.h"
#include "deploy/manifests.h"
#include "testing/subprocess.h"

namespace capigitops::testutil {
namespace {

using json = nlohmann::json;

constexpr char kSystemNamespace[] = "capi-gitops-system";
constexpr char kName[] = "capi-gitops";
constexpr char kNameLabel[] = "app.kubernetes.io/name";

class DeployManifestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    objects_ = KustomizationObjects();
    ASSERT_FALSE(objects_.empty()) << "deploy/kustomization.yaml lists nothing";
  }
  const json& Get(const std::string& kind, const std::string& name) {
    const json* o = FindObject(objects_, kind, name);
    if (o == nullptr) {
      ADD_FAILURE() << kind << "/" << name << " is not in the kustomization";
      static const json kEmpty = json::object();
      return kEmpty;
    }
    return *o;
  }
  const json& Container(const std::string& kind, const std::string& name) {
    const json& pod = PodSpecOf(Get(kind, name));
    EXPECT_EQ(pod["containers"].size(), 1u) << kind;
    return pod["containers"][0];
  }
  std::vector<Manifest> objects_;
};

TEST(DeployFilesTest, EveryYamlFileInDeployParsesIntoKubernetesObjects) {
  for (const std::string dir : {"deploy", "deploy/examples"}) {
    std::vector<std::string> files = YamlFilesIn(dir);
    EXPECT_FALSE(files.empty()) << dir;
    for (const std::string& f : files) {
      std::vector<std::string> errors;
      std::vector<Manifest> docs = ReadManifests(dir + "/" + f, &errors);
      EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
      EXPECT_FALSE(docs.empty()) << f;
      for (const Manifest& m : docs) {
        EXPECT_TRUE(m.object.contains("apiVersion")) << m.file;
        EXPECT_TRUE(m.object.contains("kind")) << m.file;
        if (m.object.value("kind", "") != "Kustomization") {
          EXPECT_FALSE(
              m.object.value("/metadata/name"_json_pointer, "").empty())
              << m.file << " has an object without a name";
        }
      }
    }
  }
}

TEST(DeployFilesTest, KustomizationListsEveryManifestAndNoExample) {
  std::vector<std::string> errors;
  std::vector<Manifest> kust =
      ReadManifests("deploy/kustomization.yaml", &errors);
  ASSERT_EQ(kust.size(), 1u);
  EXPECT_EQ(kust[0].object["kind"], "Kustomization");
  std::vector<std::string> listed;
  for (const json& r : kust[0].object["resources"]) {
    listed.push_back(r.get<std::string>());
  }
  std::vector<std::string> expected = YamlFilesIn("deploy");
  expected.erase(
      std::remove(expected.begin(), expected.end(), "kustomization.yaml"),
      expected.end());
  std::sort(listed.begin(), listed.end());
  // Every listed file exists (it is in the directory listing) and every
  // manifest is listed; examples/ and the Dockerfile are not resources.
  EXPECT_EQ(listed, expected);
  for (const std::string& f : listed) {
    EXPECT_EQ(f.find("examples"), std::string::npos) << f;
  }
}

// kubectl's built-in kustomize accepts the kustomization and builds every
// object of the listed files.
TEST_F(DeployManifestsTest, KubectlKustomizeBuildsEveryObject) {
  const std::string kubectl = "/usr/lib/google-cloud-sdk/bin/kubectl.1.32";
  if (!std::filesystem::exists(kubectl))
    GTEST_SKIP() << kubectl << " not found";
  TempDir cache;
  RunResult r = RunProcess({kubectl, "--cache-dir", cache.path(), "kustomize",
                            SourcePath("deploy")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Diagnostics diags;
  std::vector<yaml::Node> docs =
      yaml::ParseDocuments(r.out, "kustomize", &diags);
  EXPECT_TRUE(diags.empty());
  EXPECT_EQ(docs.size(), objects_.size());
  for (const yaml::Node& doc : docs) {
    json o = yaml::ToJson(doc);
    EXPECT_EQ(
        o.value("/metadata/labels/app.kubernetes.io~1part-of"_json_pointer, ""),
        kName)
        << o.value("kind", "");
  }
}

TEST_F(DeployManifestsTest, EveryObjectIsLabelledAndNamespacedAsDeployed) {
  for (const Manifest& m : objects_) {
    const json& meta = m.object["metadata"];
    std::string id = m.file + ": " + m.object.value("kind", "") + "/" +
                     meta.value("name", "");
    EXPECT_EQ(meta.value("/labels/app.kubernetes.io~1name"_json_pointer, ""),
              kName)
        << id;
    std::string kind = m.object.value("kind", "");
    bool cluster_scoped = kind == "Namespace" || kind == "ClusterRole" ||
                          kind == "ClusterRoleBinding";
    if (cluster_scoped) {
      EXPECT_FALSE(meta.contains("namespace")) << id;
    } else if (meta.value("namespace", "") != kSystemNamespace) {
      // Only the inventory Role and its binding live in the target namespace.
      EXPECT_TRUE(kind == "Role" || kind == "RoleBinding") << id;
      EXPECT_EQ(meta.value("namespace", ""), "capi-clusters") << id;
    }
  }
  EXPECT_EQ(Get("Namespace", kSystemNamespace)["kind"], "Namespace");
}

// The Namespace objects of `objects` (kind, name).
std::vector<std::string> NamespacesIn(const std::vector<json>& objects) {
  std::vector<std::string> out;
  for (const json& o : objects) {
    if (o.value("kind", "") == "Namespace")
      out.push_back(o["metadata"].value("name", ""));
  }
  return out;
}

// Uninstalling (`kubectl delete -k deploy/`) deletes what the kustomization
// owns. The namespace that holds the workload clusters' CAPI objects must not
// be among them, or an uninstall deletes every cluster. Checked on the files
// the kustomization lists and, when kubectl is installed, on what `kubectl
// kustomize deploy/` builds.
TEST_F(DeployManifestsTest, UninstallCannotDeleteTheNamespaceOfTheClusters) {
  // Namespaces that hold clusters: the sample repo's target and wherever the
  // inventory Role grants access (the target the deployment is set up for).
  std::set<std::string> targets;
  std::vector<std::string> errors;
  for (const Manifest& m :
       ReadManifests("sample-repo/capi-gitops.yaml", &errors)) {
    targets.insert(m.object.value("namespace", ""));
  }
  for (const Manifest& m : objects_) {
    std::string ns = m.object["metadata"].value("namespace", "");
    if (!ns.empty() && ns != kSystemNamespace) targets.insert(ns);
  }
  ASSERT_TRUE(targets.count("capi-clusters")) << "the sample target";
  std::vector<json> listed;
  for (const Manifest& m : objects_) listed.push_back(m.object);
  std::vector<std::vector<json>> builds = {listed};
  for (const char* kubectl :
       {"/usr/lib/google-cloud-sdk/bin/kubectl.1.32", "/usr/bin/kubectl"}) {
    if (!std::filesystem::exists(kubectl)) continue;
    TempDir cache;
    RunResult r = RunProcess({kubectl, "--cache-dir", cache.path(), "kustomize",
                              SourcePath("deploy")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Diagnostics diags;
    std::vector<json> built;
    for (const yaml::Node& doc :
         yaml::ParseDocuments(r.out, "kustomize", &diags))
      built.push_back(yaml::ToJson(doc));
    ASSERT_EQ(built.size(), listed.size());
    builds.push_back(built);
    break;
  }
  for (const std::vector<json>& objects : builds) {
    // Only the controller's own namespace is part of the installation.
    EXPECT_EQ(NamespacesIn(objects),
              std::vector<std::string>{kSystemNamespace});
    for (const std::string& ns : NamespacesIn(objects))
      EXPECT_EQ(targets.count(ns), 0u) << ns << " holds clusters";
  }
}

TEST_F(DeployManifestsTest, DeploymentRunsTheControllerWithTwoReplicas) {
  const json& deploy = Get("Deployment", kName);
  EXPECT_EQ(deploy["spec"]["replicas"], 2);
  const json& c = Container("Deployment", kName);
  EXPECT_EQ(c["image"], "ghcr.io/capigitops/capi-gitops:0.1.0");
  EXPECT_EQ(c["args"], json({"run", "--repo", "$(GIT_URL)", "--branch", "main",
                             "--interval", "1m", "--metrics-addr", ":8080",
                             "--webhook-addr", ":9090", "--leader-elect",
                             "--cache-dir", "/var/cache/capi-gitops"}));
  // The Deployment's own selector must select its pods.
  const json& pod_labels = deploy["spec"]["template"]["metadata"]["labels"];
  for (const auto& [k, v] : deploy["spec"]["selector"]["matchLabels"].items()) {
    EXPECT_EQ(pod_labels.value(k, ""), v) << k;
  }
  EXPECT_EQ(pod_labels.value("app.kubernetes.io/component", ""), "controller");
}

TEST_F(DeployManifestsTest,
       ServiceSelectsTheControllerPodsOnMetricsAndWebhook) {
  const json& svc = Get("Service", kName);
  const json& pod_labels =
      Get("Deployment", kName)["spec"]["template"]["metadata"]["labels"];
  ASSERT_FALSE(svc["spec"]["selector"].empty());
  for (const auto& [k, v] : svc["spec"]["selector"].items()) {
    EXPECT_EQ(pod_labels.value(k, ""), v) << "selector " << k;
  }
  // The CronJob's pods must not receive Service traffic.
  const json& ttl_labels =
      Get("CronJob", "capi-gitops-ttl")["spec"]["jobTemplate"]["spec"]
                                       ["template"]["metadata"]["labels"];
  bool ttl_selected = true;
  for (const auto& [k, v] : svc["spec"]["selector"].items()) {
    if (ttl_labels.value(k, "") != v) ttl_selected = false;
  }
  EXPECT_FALSE(ttl_selected);

  const json& c = Container("Deployment", kName);
  std::vector<int> container_ports;
  for (const json& p : c["ports"])
    container_ports.push_back(p["containerPort"]);
  EXPECT_EQ(container_ports, (std::vector<int>{8080, 9090}));
  std::vector<int> service_ports;
  for (const json& sp : svc["spec"]["ports"]) {
    service_ports.push_back(sp["port"]);
    // targetPort is a container port name or number that exists.
    const json& target = sp.value("targetPort", sp["port"]);
    bool found = false;
    for (const json& p : c["ports"]) {
      if (target == p.value("name", json()) || target == p["containerPort"]) {
        EXPECT_EQ(p["containerPort"], sp["port"]) << sp.dump();
        found = true;
      }
    }
    EXPECT_TRUE(found) << "targetPort " << target.dump()
                       << " is no container port";
  }
  EXPECT_EQ(service_ports, (std::vector<int>{8080, 9090}));
}

TEST_F(DeployManifestsTest, ProbesUseHealthzAndReadyzOnTheMetricsPort) {
  const json& c = Container("Deployment", kName);
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"], "/healthz");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["port"], 8080);
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"], "/readyz");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["port"], 8080);
}

TEST_F(DeployManifestsTest, CronJobSweepsTtlsEveryFifteenMinutes) {
  const json& cron = Get("CronJob", "capi-gitops-ttl");
  EXPECT_EQ(cron["spec"]["schedule"], "*/15 * * * *");
  EXPECT_EQ(cron["spec"]["concurrencyPolicy"], "Forbid");
  const json& c = Container("CronJob", "capi-gitops-ttl");
  EXPECT_EQ(c["image"], Container("Deployment", kName)["image"]);
  EXPECT_EQ(c["args"], json({"ttl", "--repo", "$(GIT_URL)", "--cache-dir",
                             "/var/cache/capi-gitops"}));
  EXPECT_EQ(PodSpecOf(cron)["restartPolicy"], "Never");
}

// Every $(VAR) in args resolves, every ConfigMap/Secret referenced exists or
// is optional, and every volume mount has its volume.
void ExpectReferencesResolve(const std::vector<Manifest>& objects,
                             const json& workload) {
  std::string id = workload.value("kind", "");
  const json& pod = PodSpecOf(workload);
  EXPECT_EQ(pod.value("serviceAccountName", ""), kName) << id;
  EXPECT_NE(FindObject(objects, "ServiceAccount", kName), nullptr);
  std::set<std::string> volumes;
  for (const json& v : pod.value("volumes", json::array())) {
    volumes.insert(v["name"].get<std::string>());
    if (v.contains("secret")) {
      std::string secret = v["secret"]["secretName"];
      EXPECT_TRUE(FindObject(objects, "Secret", secret) != nullptr ||
                  v["secret"].value("optional", false))
          << id << ": Secret " << secret << " is neither deployed nor optional";
    }
  }
  for (const json& c : pod["containers"]) {
    std::set<std::string> vars;
    for (const json& e : c.value("env", json::array())) {
      vars.insert(e["name"].get<std::string>());
      const json* ref =
          e.contains("valueFrom") && e["valueFrom"].contains("secretKeyRef")
              ? &e["valueFrom"]["secretKeyRef"]
              : nullptr;
      if (ref != nullptr) {
        EXPECT_TRUE(FindObject(objects, "Secret", (*ref)["name"]) != nullptr ||
                    ref->value("optional", false))
            << id << ": env " << e["name"];
      }
    }
    for (const json& ef : c.value("envFrom", json::array())) {
      ASSERT_TRUE(ef.contains("configMapRef")) << id;
      const json* cm =
          FindObject(objects, "ConfigMap", ef["configMapRef"]["name"]);
      ASSERT_NE(cm, nullptr) << id << ": " << ef.dump();
      for (const auto& [k, v] : (*cm)["data"].items()) vars.insert(k);
    }
    for (const json& arg : c["args"]) {
      std::string a = arg;
      if (a.rfind("$(", 0) == 0) {
        EXPECT_TRUE(vars.count(a.substr(2, a.size() - 3)))
            << id << ": " << a << " is defined by no env or ConfigMap";
      }
    }
    for (const json& m : c.value("volumeMounts", json::array())) {
      EXPECT_TRUE(volumes.count(m["name"].get<std::string>()))
          << id << ": mount " << m["name"];
    }
  }
}

TEST_F(DeployManifestsTest, WorkloadsReferenceObjectsThatExist) {
  ExpectReferencesResolve(objects_, Get("Deployment", kName));
  ExpectReferencesResolve(objects_, Get("CronJob", "capi-gitops-ttl"));
}

TEST_F(DeployManifestsTest, GitCredentialExamplesMatchTheMountedSecret) {
  std::string mounted;
  for (const json& v : PodSpecOf(Get("Deployment", kName))["volumes"]) {
    if (v.contains("secret")) mounted = v["secret"]["secretName"];
  }
  ASSERT_FALSE(mounted.empty()) << "the Deployment mounts no Git credentials";
  struct Example {
    std::string file;
    std::vector<std::string> keys;
  };
  for (const Example& ex :
       {Example{"deploy/examples/git-credentials-https.yaml", {"token"}},
        Example{"deploy/examples/git-credentials-ssh.yaml",
                {"identity", "known_hosts"}}}) {
    std::vector<std::string> errors;
    std::vector<Manifest> docs = ReadManifests(ex.file, &errors);
    ASSERT_EQ(docs.size(), 1u) << ex.file;
    const json& secret = docs[0].object;
    EXPECT_EQ(secret["kind"], "Secret") << ex.file;
    EXPECT_EQ(secret["metadata"]["name"], mounted) << ex.file;
    EXPECT_EQ(secret["metadata"]["namespace"], kSystemNamespace) << ex.file;
    std::vector<std::string> keys;
    for (const auto& [k, v] : secret["stringData"].items()) keys.push_back(k);
    EXPECT_EQ(keys, ex.keys) << ex.file;
  }
}

class DeploySecurityTest : public DeployManifestsTest {
 protected:
  void ExpectHardened(const json& workload) {
    std::string id = workload.value("kind", "");
    const json& pod = PodSpecOf(workload);
    EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true) << id;
    EXPECT_EQ(pod["securityContext"]["runAsUser"], 65532) << id;
    EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"],
              "RuntimeDefault")
        << id;
    for (const json& c : pod["containers"]) {
      const json& sc = c["securityContext"];
      EXPECT_EQ(sc["runAsNonRoot"], true) << id;
      EXPECT_EQ(sc["runAsUser"], 65532) << id;
      EXPECT_EQ(sc["readOnlyRootFilesystem"], true) << id;
      EXPECT_EQ(sc["allowPrivilegeEscalation"], false) << id;
      EXPECT_EQ(sc["capabilities"]["drop"], json({"ALL"})) << id;
      EXPECT_FALSE(sc["capabilities"].contains("add")) << id;
      EXPECT_EQ(sc["seccompProfile"]["type"], "RuntimeDefault") << id;
      EXPECT_FALSE(sc.value("privileged", false)) << id;
      for (const char* what : {"requests", "limits"}) {
        for (const char* res : {"cpu", "memory"}) {
          EXPECT_TRUE(c["resources"][what].contains(res))
              << id << ": resources." << what << "." << res;
        }
      }
      // With a read-only root, the Git cache and /tmp must be emptyDirs.
      for (const std::string path : {"/var/cache/capi-gitops", "/tmp"}) {
        std::string volume;
        for (const json& m : c["volumeMounts"]) {
          if (m["mountPath"] == path) volume = m["name"];
        }
        ASSERT_FALSE(volume.empty()) << id << ": nothing mounted at " << path;
        bool empty_dir = false;
        for (const json& v : pod["volumes"]) {
          if (v["name"] == volume) empty_dir = v.contains("emptyDir");
        }
        EXPECT_TRUE(empty_dir) << id << ": " << path << " is no emptyDir";
      }
    }
    EXPECT_FALSE(pod.value("hostNetwork", false)) << id;
    EXPECT_FALSE(pod.value("hostPID", false)) << id;
  }
};

TEST_F(DeploySecurityTest, ControllerAndTtlPodsRunHardened) {
  ExpectHardened(Get("Deployment", kName));
  ExpectHardened(Get("CronJob", "capi-gitops-ttl"));
}

}  // namespace
}  // namespace capigitops::testutil

namespace capigitops::testutil {
namespace {

// The binary accepts every flag the manifests pass (an unknown or misspelt
// flag is a usage error, exit 2, before --help is looked at).
TEST_F(DeployManifestsTest, ContainerArgsAreFlagsTheBinaryAccepts) {
  for (const char* kind : {"Deployment", "CronJob"}) {
    const json& c = Container(
        kind, std::string(kind) == "CronJob" ? "capi-gitops-ttl" : kName);
    std::vector<std::string> argv = {BinaryPath("capi-gitops")};
    for (const json& arg : c["args"]) {
      std::string a = arg;
      argv.push_back(a == "$(GIT_URL)" ? "https://git.example.com/r.git" : a);
    }
    argv.push_back("--help");
    RunResult r = RunProcess(argv);
    EXPECT_EQ(r.exit_code, 0) << kind << ": " << r.err;
  }
}

}  // namespace
}  // namespace capigitops::testutil
