// The GitOps loop end to end: a local bare repository as the remote, a
// capi-sandbox as the management cluster, `capi-gitops reconcile` and `ttl`
// as the real binary runs them.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "sandbox/sandbox_process.h"
#include "schema/crd_testing.h"
#include "testing/subprocess.h"

namespace capigitops {
namespace {

using nlohmann::json;
using testutil::BinaryPath;
using testutil::RunProcess;
using testutil::SourcePath;

class ReconcileIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_CRDS();
    std::string error;
    sandbox_ = sandbox_test::SandboxProcess::Start(
        {"--crds", schema::testing::CrdDir(), "--time-scale", "0"}, &error);
    ASSERT_NE(sandbox_, nullptr) << error;
    remote_ = dir_.Sub("remote.git");
    work_ = dir_.Sub("work");
    std::filesystem::create_directories(work_);
    std::filesystem::copy(SourcePath("sample-repo"), work_,
                          std::filesystem::copy_options::recursive);
    // Two clusters keep the test quick; others are added by later commits.
    for (const char* f :
         {"finetune-westeurope", "inference-us-east1", "sovereign-onprem"}) {
      std::filesystem::remove(work_ + "/clusters/" + f + ".yaml");
    }
    ASSERT_TRUE(
        testutil::PublishAsRemote(work_, remote_, "clusters for the test"));
  }

  testutil::RunResult Git(const std::vector<std::string>& args) {
    return testutil::RunGit(args);
  }
  testutil::RunResult GitIn(std::vector<std::string> args) {
    args.insert(args.begin(), {"-C", work_});
    return Git(args);
  }
  std::string RemoteLog() {
    return Git({"--git-dir", remote_, "log", "--format=%an|%s", "main"}).out;
  }

  testutil::RunResult Capi(const std::string& command,
                           std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {BinaryPath("capi-gitops"),
                                     command,
                                     "--repo",
                                     remote_,
                                     "--kubeconfig",
                                     sandbox_->kubeconfig(),
                                     "--cache-dir",
                                     dir_.Sub("cache")};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunProcess(args);
  }

  bool ClusterLive(const std::string& name) {
    sandbox_test::Kubectl kubectl(*sandbox_);
    auto r = kubectl.Run(
        {"get", "clusters.cluster.x-k8s.io", name, "-n", "capi-clusters"});
    return r.exit_code == 0;
  }

  testing::TempDir dir_;
  std::string remote_, work_;
  std::unique_ptr<sandbox_test::SandboxProcess> sandbox_;
};

TEST_F(ReconcileIntegrationTest,
       CreatesClustersCommitsStatusAndThenHasNothingToDo) {
  if (!sandbox_) return;
  auto r = Capi("reconcile", {"--now", "2026-11-27T08:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(ClusterLive("llm-train-us-central1"));
  EXPECT_TRUE(ClusterLive("dev-sandbox"));
  // CAPI (simulated) provisions asynchronously: the next pass records it.
  testutil::RunResult status;
  for (int pass = 0; pass < 10; ++pass) {
    status = Git({"--git-dir", remote_, "show",
                  "main:status/llm-train-us-central1.yaml"});
    auto other =
        Git({"--git-dir", remote_, "show", "main:status/dev-sandbox.yaml"});
    if (status.out.find("ready: true") != std::string::npos &&
        other.out.find("ready: true") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    r = Capi("reconcile", {"--now", "2026-11-27T08:00:10Z"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  EXPECT_NE(status.out.find("ready: true"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("phase: Provisioned"), std::string::npos)
      << status.out;
  EXPECT_NE(
      status.out.find("kubeconfigSecret: llm-train-us-central1-kubeconfig"),
      std::string::npos);
  EXPECT_NE(status.out.find("createdAt: 2026-11-27T08:00:00Z"),
            std::string::npos);
  std::string log = RemoteLog();
  EXPECT_NE(log.find("capi-gitops|status: "), std::string::npos) << log;

  // The pass after our own status commit does no work and commits nothing.
  r = Capi("reconcile", {"--now", "2026-11-27T08:00:30Z"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("nothing to do"), std::string::npos) << r.out;
  EXPECT_EQ(RemoteLog(), log);
}

TEST_F(ReconcileIntegrationTest,
       ExpiredTtlIsCommittedToGitThenTheClusterIsDeleted) {
  if (!sandbox_) return;
  ASSERT_EQ(Capi("reconcile", {"--now", "2026-11-27T08:00:00Z"}).exit_code, 0);
  // dev-sandbox has ttl 90m: two hours later it has expired.
  auto r = Capi("ttl", {"--now", "2026-11-27T10:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string log = RemoteLog();
  EXPECT_NE(log.find("ttl: tear down dev-sandbox: expired 2026-11-27T09:30Z "
                     "(ttl 90m, owner "
                     "platform)"),
            std::string::npos)
      << log;
  EXPECT_NE(
      Git({"--git-dir", remote_, "show", "main:clusters/dev-sandbox.yaml"})
          .exit_code,
      0)
      << "the spec was removed by the teardown commit";
  auto status =
      Git({"--git-dir", remote_, "show", "main:status/dev-sandbox.yaml"});
  EXPECT_NE(status.out.find("phase: Expired"), std::string::npos) << status.out;
  EXPECT_FALSE(ClusterLive("dev-sandbox"));
  EXPECT_TRUE(ClusterLive("llm-train-us-central1")) << "4h TTL not expired yet";
}

TEST_F(ReconcileIntegrationTest,
       HumanCommitsSurviveAndBrokenSpecsStayUntouched) {
  if (!sandbox_) return;
  ASSERT_EQ(Capi("reconcile", {"--now", "2026-11-27T08:00:00Z"}).exit_code, 0);
  GitIn({"pull", "-q", "--rebase", "origin", "main"});
  std::string spec = work_ + "/clusters/dev-sandbox.yaml";
  auto sed =
      RunProcess({"/bin/sed", "-i", "s/replicas: 2$/replicas: two/", spec});
  ASSERT_EQ(sed.exit_code, 0);
  GitIn({"commit", "-q", "-am", "break dev-sandbox"});
  ASSERT_EQ(GitIn({"push", "-q", "origin", "main"}).exit_code, 0);
  auto r = Capi("reconcile", {"--now", "2026-11-27T08:05:00Z"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("dev-sandbox: blocked"), std::string::npos) << r.out;
  EXPECT_TRUE(ClusterLive("dev-sandbox"));
  std::string log = RemoteLog();
  EXPECT_NE(log.find("Human|break dev-sandbox"), std::string::npos) << log;
}

TEST_F(ReconcileIntegrationTest, UnreachableRemoteDeletesNothing) {
  if (!sandbox_) return;
  ASSERT_EQ(Capi("reconcile", {"--now", "2026-11-27T08:00:00Z"}).exit_code, 0);
  std::filesystem::rename(remote_, remote_ + ".gone");
  auto r = Capi("reconcile", {"--now", "2026-11-27T12:00:00Z"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("nothing was changed or deleted"), std::string::npos)
      << r.out;
  EXPECT_TRUE(ClusterLive("dev-sandbox"));
  EXPECT_TRUE(ClusterLive("llm-train-us-central1"));
}

// A frozen API server (SIGSTOP) ends the pass within the timeouts, with the
// documented exit code for an API error (4), and deletes nothing.
TEST_F(ReconcileIntegrationTest, FrozenApiEndsThePassWithExit4InBoundedTime) {
  if (!sandbox_) return;
  ASSERT_EQ(Capi("reconcile", {"--now", "2026-11-27T08:00:00Z"}).exit_code, 0);
  ASSERT_EQ(kill(sandbox_->pid(), SIGSTOP), 0);
  auto start = std::chrono::steady_clock::now();
  auto r =
      Capi("reconcile", {"--now", "2026-11-27T08:10:00Z", "--request-timeout",
                         "1s", "--pass-timeout", "4s"});
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  kill(sandbox_->pid(), SIGCONT);
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_LT(seconds, 15.0);
  EXPECT_TRUE(ClusterLive("dev-sandbox"));
  EXPECT_TRUE(ClusterLive("llm-train-us-central1"));
}

TEST_F(ReconcileIntegrationTest,
       ReadOnlyWritesNothingAndStatusBranchKeepsSpecsClean) {
  if (!sandbox_) return;
  std::string before = RemoteLog();
  // A server-side dry run cannot create in a namespace that does not exist
  // (the real pass creates it first): read-only needs it to be there.
  ASSERT_EQ(sandbox_test::Kubectl(*sandbox_)
                .Run({"create", "namespace", "capi-clusters"})
                .exit_code,
            0);
  auto r = Capi("reconcile", {"--read-only", "--now", "2026-11-27T08:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(RemoteLog(), before) << "read-only writes nothing to Git";
  EXPECT_NE(r.out.find("# status/dev-sandbox.yaml"), std::string::npos)
      << r.out;
  EXPECT_FALSE(ClusterLive("dev-sandbox"))
      << "read-only writes nothing to the cluster either";
  EXPECT_NE(r.out.find("dev-sandbox: "), std::string::npos)
      << "but says what it would do: " << r.out;

  r = Capi("reconcile",
           {"--status-branch", "status", "--now", "2026-11-27T08:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(RemoteLog(), before) << "main only has the humans' commits";
  auto status =
      Git({"--git-dir", remote_, "show", "status:status/dev-sandbox.yaml"});
  EXPECT_EQ(status.exit_code, 0) << status.out;
  EXPECT_NE(status.out.find("kind: ClusterStatus"), std::string::npos);
}

}  // namespace
}  // namespace capigitops
