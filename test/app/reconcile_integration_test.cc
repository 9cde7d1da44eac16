// The GitOps loop end to end: a local bare repository as the remote, a
// capi-sandbox as the management cluster, `capi-gitops reconcile` and `ttl`
// as the real binary runs them.
#include <gtest/gtest.h>
#include <signal.h>

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

using nlohmann::json;
using testutil::BinaryPath;
using testutil::RunProcess;
using testutil::SourcePath;

class ReconcileIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_CRDS();
    std::string error;
    requests_ = dir_.Sub("requests.log");
    sandbox_ = sandbox_test::SandboxProcess::Start(
        {"--crds", schema::testing::CrdDir(), "--time-scale", "0",
         "--log-requests", requests_},
        &error);
    ASSERT_NE(sandbox_, nullptr) << error;
    remote_ = dir_.Sub("remote.git");
    work_ = dir_.Sub("work");
    // Two clusters keep the test quick; others are added by later commits.
    testutil::CopySampleRepo(work_, {"finetune-westeurope",
                                     "inference-us-east1", "sovereign-onprem"});
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
    std::vector<std::string> args = testutil::CapiRepoCommand(
        command, remote_, sandbox_->kubeconfig(), dir_.Sub("cache"));
    args.insert(args.end(), extra.begin(), extra.end());
    return RunProcess(args);
  }

  bool ClusterLive(const std::string& name) {
    sandbox_test::Kubectl kubectl(*sandbox_);
    auto r = kubectl.Run(
        {"get", "clusters.cluster.x-k8s.io", name, "-n", "capi-clusters"});
    return r.exit_code == 0;
  }

  // The requests logged since `from` lines that write: POST, PUT, PATCH and
  // DELETE ("METHOD path query status" each).
  std::vector<std::string> WriteRequests(size_t from = 0) {
    return testutil::LoggedWrites(requests_, from);
  }
  size_t RequestCount() { return testutil::LoggedRequests(requests_); }

  testing::TempDir dir_;
  std::string remote_, work_, requests_;
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
  // The teardown commit says Expired; once the cluster is gone, the same
  // `ttl` run's status commit removes the file (git log tells the story).
  auto status =
      Git({"--git-dir", remote_, "show", "main~1:status/dev-sandbox.yaml"});
  EXPECT_NE(status.out.find("phase: Expired"), std::string::npos) << status.out;
  EXPECT_NE(Git({"--git-dir", remote_, "show", "main:status/dev-sandbox.yaml"})
                .exit_code,
            0)
      << "the status file leaves with the cluster";
  EXPECT_NE(log.find("capi-gitops|status: dev-sandbox Deleted"),
            std::string::npos)
      << log;
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
  // What capi-gitops writes: spec, labels and annotations (and generation,
  // which any spec change bumps). Not resourceVersion: the simulated CAPI
  // keeps updating the Cluster's status meanwhile.
  sandbox_test::Kubectl kubectl(*sandbox_);
  auto written = [&] {
    return kubectl
        .Run({"get", "clusters.cluster.x-k8s.io", "dev-sandbox", "-n",
              "capi-clusters", "-o",
              "jsonpath={.metadata.generation} {.metadata.labels} "
              "{.metadata.annotations} {.spec}"})
        .out;
  };
  std::string live_before = written();
  ASSERT_NE(live_before, "");
  auto r = Capi("reconcile", {"--now", "2026-11-27T08:05:00Z"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("dev-sandbox: blocked"), std::string::npos) << r.out;
  EXPECT_TRUE(ClusterLive("dev-sandbox"));
  // The real error, file:line:column, in the output and the status file.
  EXPECT_NE(r.out.find("clusters/dev-sandbox.yaml:13:"), std::string::npos)
      << r.out;
  auto status =
      Git({"--git-dir", remote_, "show", "main:status/dev-sandbox.yaml"});
  EXPECT_NE(status.out.find("phase: Blocked"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("lastError: \"clusters/dev-sandbox.yaml:13:"),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("expiresAt: 2026-11-27T09:30:00Z"),
            std::string::npos)
      << "expiry stays visible while blocked: " << status.out;
  // The live cluster is left as it was.
  EXPECT_EQ(written(), live_before);
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
  // The target namespace does not exist yet: read-only sends no write, and
  // a dry run does not send the writes the server cannot check before the
  // namespace exists; both say what they would do and exit 0.
  auto r = Capi("reconcile", {"--dry-run", "--now", "2026-11-27T08:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("namespace capi-clusters does not exist yet"),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(ClusterLive("dev-sandbox"));
  r = Capi("reconcile", {"--read-only", "--now", "2026-11-27T08:00:00Z"});
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

// Time moves, nothing else does: no commit, however many passes. Also for
// clusters first created by `apply` (no revision on them) and then
// reconciled.
TEST_F(ReconcileIntegrationTest, PassesWhereOnlyTimeMovedCommitNothing) {
  if (!sandbox_) return;
  auto applied = RunProcess({BinaryPath("capi-gitops"), "apply", work_,
                             "--kubeconfig", sandbox_->kubeconfig()});
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  // Until the simulated CAPI has provisioned both, status changes for real.
  for (int pass = 0; pass < 10; ++pass) {
    auto r = Capi("reconcile", {"--now", "2026-11-27T08:00:00Z"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto status =
        Git({"--git-dir", remote_, "show", "main:status/dev-sandbox.yaml"});
    auto other = Git({"--git-dir", remote_, "show",
                      "main:status/llm-train-us-central1.yaml"});
    if (status.out.find("ready: true") != std::string::npos &&
        other.out.find("ready: true") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  Capi("reconcile", {"--now", "2026-11-27T08:00:00Z"});
  std::string log = RemoteLog();
  std::string status =
      Git({"--git-dir", remote_, "show", "main:status/dev-sandbox.yaml"}).out;
  EXPECT_EQ(status.find("appliedRevision"), std::string::npos)
      << "apply recorded no revision; HEAD is not one: " << status;
  testutil::RunResult r;
  for (const char* now :
       {"2026-11-27T08:01:00Z", "2026-11-27T08:13:00Z", "2026-11-27T08:47:00Z",
        "2026-11-27T09:10:00Z", "2026-11-27T09:29:00Z"}) {
    r = Capi("reconcile", {"--now", now});
    ASSERT_EQ(r.exit_code, 0) << now << "\n" << r.out << r.err;
  }
  EXPECT_EQ(RemoteLog(), log) << "no commit when only time moved";
  // What moves with time is shown, not committed.
  EXPECT_NE(r.out.find("    dev-sandbox: Provisioned, expires in "),
            std::string::npos)
      << r.out;
}

TEST_F(ReconcileIntegrationTest, ReadOnlySendsNoWriteRequestAndPushesNothing) {
  if (!sandbox_) return;
  ASSERT_EQ(Capi("reconcile", {"--now", "2026-11-27T08:00:00Z"}).exit_code, 0);
  // A spec removed, a TTL over and a new cluster: a real pass would write.
  GitIn({"pull", "-q", "--rebase", "origin", "main"});
  GitIn({"rm", "-q", "clusters/llm-train-us-central1.yaml"});
  GitIn({"commit", "-q", "-m", "retire llm-train"});
  ASSERT_EQ(GitIn({"push", "-q", "origin", "main"}).exit_code, 0);
  std::string log = RemoteLog();
  size_t from = RequestCount();
  auto r = Capi("reconcile", {"--read-only", "--now", "2026-11-27T10:00:00Z"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_GT(RequestCount(), from) << "it did read";
  std::vector<std::string> writes = WriteRequests(from);
  EXPECT_TRUE(writes.empty())
      << writes.size()
      << " write requests, first: " << (writes.empty() ? "" : writes[0]);
  EXPECT_EQ(RemoteLog(), log) << "no Git push";
  EXPECT_TRUE(ClusterLive("dev-sandbox"));
  EXPECT_TRUE(ClusterLive("llm-train-us-central1"));
  EXPECT_NE(r.out.find("dev-sandbox: expired at"), std::string::npos) << r.out;

  // --dry-run shows the pass through server-side dry runs: every write is
  // one, and Git is left alone too.
  from = RequestCount();
  r = Capi("reconcile", {"--dry-run", "--now", "2026-11-27T10:00:00Z"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  writes = WriteRequests(from);
  EXPECT_FALSE(writes.empty()) << "the deletion is tried as a dry run";
  for (const std::string& w : writes) {
    EXPECT_NE(w.find("dryRun=All"), std::string::npos) << w;
  }
  EXPECT_EQ(RemoteLog(), log);
  EXPECT_TRUE(ClusterLive("llm-train-us-central1"));
  EXPECT_NE(r.out.find("llm-train-us-central1: "), std::string::npos) << r.out;
}

TEST_F(ReconcileIntegrationTest, AProtectedDeletionExitsHeldAndSaysSo) {
  if (!sandbox_) return;
  GitIn({"pull", "-q", "--rebase", "origin", "main"});
  std::string spec = work_ + "/clusters/dev-sandbox.yaml";
  auto sed =
      RunProcess({"/bin/sed", "-i",
                  "s/ttl: 90m$/ttl: 90m\\n  deletionProtection: true/", spec});
  ASSERT_EQ(sed.exit_code, 0);
  GitIn({"commit", "-q", "-am", "protect dev-sandbox"});
  ASSERT_EQ(GitIn({"push", "-q", "origin", "main"}).exit_code, 0);
  ASSERT_EQ(Capi("reconcile", {"--now", "2026-11-27T08:00:00Z"}).exit_code, 0);
  GitIn({"pull", "-q", "--rebase", "origin", "main"});
  GitIn({"rm", "-q", "clusters/dev-sandbox.yaml"});
  GitIn({"commit", "-q", "-m", "retire dev-sandbox"});
  ASSERT_EQ(GitIn({"push", "-q", "origin", "main"}).exit_code, 0);
  auto r = Capi("reconcile", {"--now", "2026-11-27T08:01:00Z"});
  EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
  EXPECT_NE(r.out.find("dev-sandbox: deletion held: deletionProtection"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(ClusterLive("dev-sandbox"));
  auto status =
      Git({"--git-dir", remote_, "show", "main:status/dev-sandbox.yaml"});
  EXPECT_NE(status.out.find("phase: DeletionHeld"), std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("release: "), std::string::npos) << status.out;

  // The hold and the first pass's apply are Events on the Cluster, which
  // kubectl finds by the Cluster's uid (src/reconcile/events.cc).
  sandbox_test::Kubectl kubectl(*sandbox_);
  auto described = kubectl.Run({"describe", "clusters.cluster.x-k8s.io",
                                "dev-sandbox", "-n", "capi-clusters"});
  ASSERT_EQ(described.exit_code, 0) << described.err;
  EXPECT_NE(described.out.find("DeletionHeld"), std::string::npos)
      << described.out;
  EXPECT_NE(described.out.find("Applied"), std::string::npos) << described.out;
  auto listed =
      kubectl.Run({"get", "events", "-n", "capi-clusters", "--field-selector",
                   "reason=DeletionHeld", "-o", "json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  json items = json::parse(listed.out)["items"];
  ASSERT_EQ(items.size(), 1u) << listed.out;
  EXPECT_EQ(items[0]["involvedObject"]["name"], "dev-sandbox");
  EXPECT_EQ(items[0]["type"], "Warning");
}

}  // namespace
}  // namespace capigitops
