// Issue #11 end to end: `capi-gitops reconcile` (the real binary) against
// capi-sandbox and a bare remote. With sample-repo's add-on catalog every
// cluster becomes usable (Ready nodes through the CNI, GPUs through the GPU
// operator), as the real kubectl sees it in the workload cluster; without
// the CNI add-on the nodes stay NotReady and status says so.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "sandbox/sandbox_process.h"
#include "schema/crd_testing.h"
#include "testing/subprocess.h"
#include "util/base64.h"

namespace capigitops {
namespace {

using nlohmann::json;
using testutil::RunProcess;

class UsableIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_CRDS();
    std::string error;
    sandbox_ = sandbox_test::SandboxProcess::StartWithCrds(&error);
    ASSERT_NE(sandbox_, nullptr) << error;
    remote_ = dir_.Sub("remote.git");
    work_ = dir_.Sub("work");
    // A CPU cluster (docker) and a GPU cluster (aws) keep the test quick.
    testutil::CopySampleRepo(
        work_,
        {"finetune-westeurope", "llm-train-us-central1", "sovereign-onprem"});
  }

  void Publish() {
    ASSERT_TRUE(testutil::PublishAsRemote(work_, remote_, "the clusters"));
  }

  // Reconciles until `done` holds for the committed status of `cluster`
  // (CAPI and add-on delivery are asynchronous in the sandbox too).
  std::string ReconcileUntil(const std::string& cluster,
                             const std::string& wanted) {
    std::string status;
    for (int pass = 0; pass < 30; ++pass) {
      auto r = RunProcess(testutil::CapiRepoCommand(
          "reconcile", remote_, sandbox_->kubeconfig(), dir_.Sub("cache")));
      EXPECT_NE(r.exit_code, 4) << r.out << r.err;
      status = testutil::RunGit({"--git-dir", remote_, "show",
                                 "main:status/" + cluster + ".yaml"})
                   .out;
      if (status.find(wanted) != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    return status;
  }

  // The workload cluster's Nodes, through the kubeconfig CAPI's Secret
  // holds, with the real kubectl.
  json WorkloadNodes(const std::string& cluster) {
    sandbox_test::Kubectl kubectl(*sandbox_);
    auto secret =
        kubectl.Run({"get", "secret", cluster + "-kubeconfig", "-n",
                     "capi-clusters", "-o", "jsonpath={.data.value}"});
    EXPECT_EQ(secret.exit_code, 0) << secret.err;
    std::string path = dir_.Sub(cluster + ".kubeconfig");
    std::ofstream(path) << Base64Decode(secret.out).value_or("");
    auto nodes =
        sandbox_test::Kubectl(path).Run({"get", "nodes", "-o", "json"});
    EXPECT_EQ(nodes.exit_code, 0) << nodes.err;
    return json::parse(nodes.out, nullptr, false);
  }

  static bool Ready(const json& node) {
    for (const json& c : node["status"].value("conditions", json::array())) {
      if (c.value("type", "") == "Ready")
        return c.value("status", "") == "True";
    }
    return false;
  }

  testing::TempDir dir_;
  std::string remote_, work_;
  std::unique_ptr<sandbox_test::SandboxProcess> sandbox_;
};

// Every cluster of sample-repo, as the demo runs them: with the platform's
// per-cluster vSphere CPI Secret in place, each becomes usable.
TEST_F(UsableIntegrationTest, SampleClustersBecomeUsableWithGpusAllocatable) {
  if (!sandbox_) return;
  std::filesystem::remove_all(work_);
  testutil::CopySampleRepo(work_, {});
  sandbox_test::Kubectl kubectl(*sandbox_);
  ASSERT_EQ(kubectl.Run({"create", "namespace", "capi-clusters"}).exit_code, 0);
  auto secret = kubectl.Run(
      {"create", "secret", "generic",
       "vsphere-cpi-credentials-sovereign-onprem", "-n", "capi-clusters",
       "--type=addons.cluster.x-k8s.io/resource-set",
       "--from-literal=vsphere-cloud-secret.yaml=apiVersion: v1\nkind: "
       "Secret\nmetadata: {name: vsphere-cloud-secret, namespace: "
       "kube-system}\nstringData: {vc.example.com.username: u}\n"});
  ASSERT_EQ(secret.exit_code, 0) << secret.err;
  Publish();
  for (const char* name :
       {"dev-sandbox", "finetune-westeurope", "inference-us-east1",
        "llm-train-us-central1", "sovereign-onprem"}) {
    std::string status = ReconcileUntil(name, "usable: true");
    EXPECT_NE(status.find("usable: true"), std::string::npos) << status;
  }
  std::string gpu = ReconcileUntil("inference-us-east1", "usable: true");
  EXPECT_NE(gpu.find("gpusAllocatable: 2"), std::string::npos) << gpu;

  json nodes = WorkloadNodes("inference-us-east1");
  ASSERT_TRUE(nodes.is_object()) << nodes;
  int gpus = 0;
  for (const json& n : nodes["items"]) {
    EXPECT_TRUE(Ready(n)) << n["metadata"]["name"];
    EXPECT_FALSE(n["spec"].value("providerID", "").empty())
        << "the cloud-controller-manager sets it";
    gpus += std::stoi(n["status"]["allocatable"].value("nvidia.com/gpu", "0"));
  }
  EXPECT_EQ(nodes["items"].size(), 7u);  // 3 control plane, 2 system, 2 GPU
  EXPECT_EQ(gpus, 2);
}

TEST_F(UsableIntegrationTest, WithoutTheCniNodesStayNotReadyAndStatusSaysSo) {
  if (!sandbox_) return;
  std::filesystem::remove(work_ + "/addons/calico.yaml");
  std::string config_path = work_ + "/capi-gitops.yaml";
  std::ifstream in(config_path);
  std::string config((std::istreambuf_iterator<char>(in)), {});
  size_t at = config.find("  defaults: {cni: calico}\n");
  ASSERT_NE(at, std::string::npos) << config;
  config.erase(at, std::string("  defaults: {cni: calico}\n").size());
  std::ofstream(config_path) << config;
  Publish();

  std::string status = ReconcileUntil("dev-sandbox", "no CNI delivered");
  EXPECT_NE(status.find("usable: false"), std::string::npos) << status;
  EXPECT_NE(status.find("usableReason: \"no CNI delivered: nodes NotReady"),
            std::string::npos)
      << status;
  json nodes = WorkloadNodes("dev-sandbox");
  ASSERT_TRUE(nodes.is_object() && !nodes["items"].empty()) << nodes;
  for (const json& n : nodes["items"]) {
    EXPECT_FALSE(Ready(n)) << n["metadata"]["name"];
  }
}

// Dropping the CNI from a live cluster would uninstall it and break the
// cluster: the plan says HELD, reconcile keeps the live label (the add-on
// stays delivered), and --allow-addon-removal lets it go.
TEST_F(UsableIntegrationTest, RemovingTheCniFromALiveClusterIsHeld) {
  if (!sandbox_) return;
  Publish();
  std::string status = ReconcileUntil("dev-sandbox", "usable: true");
  ASSERT_NE(status.find("usable: true"), std::string::npos) << status;

  // A pull request that removes Calico from the catalog (on top of the
  // status commits).
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"-C", work_});
    return testutil::RunGit(args);
  };
  ASSERT_EQ(git({"pull", "-q", "--rebase", "origin", "main"}).exit_code, 0);
  std::filesystem::remove(work_ + "/addons/calico.yaml");
  std::string config_path = work_ + "/capi-gitops.yaml";
  std::ifstream in(config_path);
  std::string config((std::istreambuf_iterator<char>(in)), {});
  size_t at = config.find("  defaults: {cni: calico}\n");
  ASSERT_NE(at, std::string::npos) << config;
  config.erase(at, std::string("  defaults: {cni: calico}\n").size());
  std::ofstream(config_path) << config;
  auto plan = RunProcess({testutil::BinaryPath("capi-gitops"), "plan", work_,
                          "--kubeconfig", sandbox_->kubeconfig()});
  EXPECT_NE(plan.out.find("add-on removal HELD"), std::string::npos)
      << plan.out << plan.err;
  ASSERT_EQ(
      git({"-c", "user.name=Platform", "-c", "user.email=platform@example.com",
           "commit", "-qam", "drop calico"})
          .exit_code,
      0);
  ASSERT_EQ(git({"push", "-q", "origin", "main"}).exit_code, 0);

  auto r = RunProcess(testutil::CapiRepoCommand(
      "reconcile", remote_, sandbox_->kubeconfig(), dir_.Sub("cache")));
  EXPECT_NE(r.out.find("dev-sandbox: add-on removal held: calico (cni)"),
            std::string::npos)
      << r.out << r.err;
  EXPECT_NE(r.out.find("addons.catalog: add-on removal held: calico (cni): "
                       "still selected by 2 live cluster(s)"),
            std::string::npos)
      << r.out;
  sandbox_test::Kubectl kubectl(*sandbox_);
  auto proxies = [&] {
    return kubectl
        .Run({"get", "helmchartproxies.addons.cluster.x-k8s.io", "-n",
              "capi-clusters", "-l", "addons.capigitops.io/addon=calico", "-o",
              "name"})
        .out;
  };
  EXPECT_FALSE(proxies().empty()) << "Calico stays installed";
  auto label = kubectl.Run(
      {"get", "clusters.cluster.x-k8s.io", "dev-sandbox", "-n", "capi-clusters",
       "-o", "jsonpath={.metadata.labels.addons\\.capigitops\\.io/calico}"});
  EXPECT_EQ(label.out, "true") << "the live label is kept: " << label.err;

  r = RunProcess([&] {
    auto args = testutil::CapiRepoCommand(
        "reconcile", remote_, sandbox_->kubeconfig(), dir_.Sub("cache"));
    args.push_back("--allow-addon-removal");
    return args;
  }());
  label = kubectl.Run(
      {"get", "clusters.cluster.x-k8s.io", "dev-sandbox", "-n", "capi-clusters",
       "-o", "jsonpath={.metadata.labels.addons\\.capigitops\\.io/calico}"});
  EXPECT_EQ(label.out, "") << "released by --allow-addon-removal; " << r.out;
  r = RunProcess([&] {
    auto args = testutil::CapiRepoCommand(
        "reconcile", remote_, sandbox_->kubeconfig(), dir_.Sub("cache"));
    args.push_back("--allow-addon-removal");
    return args;
  }());
  EXPECT_TRUE(proxies().empty()) << "no cluster selects it any more: " << r.out;
}

}  // namespace
}  // namespace capigitops
