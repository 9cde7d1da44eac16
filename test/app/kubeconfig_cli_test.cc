// `capi-gitops kubeconfig` and `get` against capi-sandbox: the kubeconfig
// CAPI publishes in <name>-kubeconfig is printed as is and works with the
// real kubectl; `get` reads the live Clusters (issue #14).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "sandbox/sandbox_process.h"
#include "schema/crd_testing.h"
#include "testing/subprocess.h"

namespace capigitops {
namespace {

using testutil::BinaryPath;
using testutil::RunProcess;
using testutil::SourcePath;

class KubeconfigCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_CRDS();
    std::string error;
    sandbox_ = sandbox_test::SandboxProcess::StartWithCrds(&error);
    ASSERT_NE(sandbox_, nullptr) << error;
    repo_ = dir_.Sub("repo");
    std::filesystem::copy(SourcePath("sample-repo"), repo_,
                          std::filesystem::copy_options::recursive);
    for (const char* f : {"finetune-westeurope", "inference-us-east1",
                          "sovereign-onprem", "llm-train-us-central1"}) {
      std::filesystem::remove(repo_ + "/clusters/" + f + ".yaml");
    }
  }
  testutil::RunResult Capi(std::vector<std::string> args) {
    args.insert(args.begin(), BinaryPath("capi-gitops"));
    args.insert(args.end(), {"--kubeconfig", sandbox_->kubeconfig()});
    return RunProcess(args);
  }

  testing::TempDir dir_;
  std::string repo_;
  std::unique_ptr<sandbox_test::SandboxProcess> sandbox_;
};

TEST_F(KubeconfigCliTest, PrintsTheSecretsKubeconfigOrSaysNotProvisioned) {
  if (!sandbox_) return;
  auto r = Capi({"kubeconfig", "dev-sandbox", "-n", "capi-clusters"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not provisioned yet?"), std::string::npos) << r.err;
  auto applied = Capi({"apply", repo_});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  // The simulated CAPI writes the Secret once the control plane is up.
  for (int i = 0; i < 50; ++i) {
    r = Capi({"kubeconfig", "dev-sandbox", "-n", "capi-clusters"});
    if (r.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // capi-sandbox serves each workload cluster's API under its own path.
  EXPECT_NE(r.out.find("/workload/capi-clusters/dev-sandbox"),
            std::string::npos)
      << r.out;
  std::string file = dir_.Write("dev.kubeconfig", r.out);
  sandbox_test::CommandResult view =
      sandbox_test::RunCommand({"/usr/bin/kubectl", "--kubeconfig", file,
                                "config", "view", "-o", "json"});
  ASSERT_EQ(view.exit_code, 0) << view.err;
  EXPECT_EQ(nlohmann::json::parse(view.out)["current-context"], "dev-sandbox");
  // And it reaches the workload cluster: its Nodes, through the real kubectl.
  sandbox_test::CommandResult nodes = sandbox_test::Kubectl(file).Run(
      {"get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"});
  ASSERT_EQ(nodes.exit_code, 0) << nodes.err;
  EXPECT_NE(nodes.out.find("dev-sandbox-control-plane-0"), std::string::npos)
      << nodes.out;

  // `get` with a kubeconfig reads the live phase and says so.
  auto get = Capi({"get", "dev-sandbox", repo_, "-o", "json"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  nlohmann::json j = nlohmann::json::parse(get.out);
  EXPECT_EQ(j["source"], "live from the management cluster");
  EXPECT_EQ(j["clusters"][0]["source"], "live");
  EXPECT_EQ(j["clusters"][0]["phase"], "Provisioned") << get.out;
}

TEST_F(KubeconfigCliTest, ThePrintedKubeconfigWorksWithKubectl) {
  if (!sandbox_) return;
  // A Secret that holds the management cluster's own kubeconfig: any
  // kubeconfig in `value` is printed as it is and works.
  sandbox_test::Kubectl kubectl(*sandbox_);
  kubectl.Run({"create", "namespace", "capi-clusters"});
  auto created = kubectl.Run({"create", "secret", "generic",
                              "reachable-kubeconfig", "-n", "capi-clusters",
                              "--from-file=value=" + sandbox_->kubeconfig()});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto r = Capi({"kubeconfig", "reachable", "-n", "capi-clusters"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string file = dir_.Write("reachable.kubeconfig", r.out);
  sandbox_test::CommandResult version = sandbox_test::RunCommand(
      {"/usr/bin/kubectl", "--kubeconfig", file, "get", "--raw", "/version"});
  ASSERT_EQ(version.exit_code, 0) << version.err;
  EXPECT_NE(version.out.find("gitVersion"), std::string::npos) << version.out;
}

TEST(KubeconfigCli, UnreachableManagementClusterIsExit4) {
  testing::TempDir dir;
  std::string config = dir.Write("kubeconfig", R"(apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: t}
contexts:
- name: x
  context: {cluster: c, user: u}
current-context: x
)");
  auto r = RunProcess({BinaryPath("capi-gitops"), "kubeconfig", "a", "-n", "ns",
                       "--kubeconfig", config, "--request-timeout", "2s"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_EQ(RunProcess({BinaryPath("capi-gitops"), "kubeconfig"}).exit_code, 2);
}

}  // namespace
}  // namespace capigitops
