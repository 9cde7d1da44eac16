// Issue #15, crash consistency: `capi-gitops apply` and `reconcile` (and the
// TTL teardown) killed with SIGKILL at many points of a multi-cluster pass
// against capi-sandbox, then one normal pass: it converges with consistent
// inventories, no orphaned objects, and no duplicate or lost commits.
// Kill points are counted in API writes (capi-sandbox --log-requests), so
// they do not depend on the machine's speed.
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
using testutil::BackgroundProcess;
using testutil::BinaryPath;
using testutil::RunProcess;
using testutil::SourcePath;

class KillAnywhereTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_CRDS();
    std::string error;
    sandbox_ = sandbox_test::SandboxProcess::Start(
        {"--crds", schema::testing::CrdDir(), "--time-scale", "0",
         "--latency-ms", "5", "--log-requests", dir_.Sub("requests.log")},
        &error);
    ASSERT_NE(sandbox_, nullptr) << error;
    remote_ = dir_.Sub("remote.git");
    work_ = dir_.Sub("work");
    testutil::CopySampleRepo(work_);
    ASSERT_TRUE(testutil::PublishAsRemote(work_, remote_, "the clusters"));
  }

  // Write requests the sandbox has answered (POST, PUT, PATCH, DELETE):
  // kill points counted in writes land among the steps that change state,
  // however many reads a pass makes first.
  size_t Writes() {
    return testutil::LoggedWrites(dir_.Sub("requests.log")).size();
  }

  std::vector<std::string> Reconcile(const std::string& command,
                                     const std::string& now) {
    std::vector<std::string> args = testutil::CapiRepoCommand(
        command, remote_, sandbox_->kubeconfig(), dir_.Sub("cache"));
    args.insert(args.end(), {"--now", now, "--concurrency", "1"});
    return args;
  }
  // apply from the work tree, recording the remote's tip as the revision,
  // as reconcile would.
  std::vector<std::string> Apply() {
    std::string tip =
        testutil::RunGit({"--git-dir", remote_, "rev-parse", "main"}).out;
    tip.erase(tip.find_last_not_of("\n") + 1);
    return {BinaryPath("capi-gitops"),
            "apply",
            work_,
            "--revision",
            tip,
            "--prune",
            "--wait",
            "1",
            "--concurrency",
            "1",
            "--kubeconfig",
            sandbox_->kubeconfig()};
  }

  // Runs argv and kills it with SIGKILL once the sandbox has answered `k`
  // more writes. False when it finished first.
  bool KillAfter(const std::vector<std::string>& argv, size_t k) {
    size_t start = Writes();
    auto p = BackgroundProcess::Start(argv, {}, dir_.Sub("killed.log"));
    EXPECT_NE(p, nullptr);
    if (!p) return false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (p->Wait(0) != -1) return false;
      if (Writes() >= start + k) {
        p->Signal(SIGKILL);
        int code = p->Wait(10);
        EXPECT_NE(code, -1);
        if (code != 128 + SIGKILL) return false;  // it had just finished
        ++kills_;
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ADD_FAILURE() << "a pass ran for 20 s: " << p->Log();
    return false;
  }

  std::string Log() {
    return testutil::RunGit(
               {"--git-dir", remote_, "log", "--format=%an|%s", "main"})
        .out;
  }
  static int Occurrences(const std::string& text, const std::string& part) {
    int n = 0;
    for (size_t at = text.find(part); at != std::string::npos;
         at = text.find(part, at + 1)) {
      ++n;
    }
    return n;
  }

  // The work tree at the remote's tip, then `plan -o json` of it: every
  // cluster unchanged and no object with our labels outside an inventory.
  void ExpectConverged(const std::string& when) {
    ASSERT_EQ(testutil::RunGit(
                  {"-C", work_, "pull", "-q", "--rebase", "origin", "main"})
                  .exit_code,
              0);
    auto r = RunProcess({BinaryPath("capi-gitops"), "plan", work_, "-o", "json",
                         "--kubeconfig", sandbox_->kubeconfig()});
    ASSERT_EQ(r.exit_code, 0) << when << ": " << r.out << r.err;
    json plan = json::parse(r.out);
    EXPECT_EQ(plan["orphans"], json::array()) << when << ": " << r.out;
    for (const json& c : plan["clusters"]) {
      EXPECT_EQ(c.value("action", ""), "unchanged") << when << ": " << c.dump();
    }
  }

  testing::TempDir dir_;
  std::string remote_, work_;
  std::unique_ptr<sandbox_test::SandboxProcess> sandbox_;
  int kills_ = 0;
};

TEST_F(KillAnywhereTest, KilledPassesConvergeAndLoseNothing) {
  if (!sandbox_) return;
  const std::string t0 = "2026-11-27T08:00:00Z";
  // Creation, killed by apply and by reconcile in turn, one request at a
  // time (--concurrency 1), after 1, 2, 3, ... writes: each killed pass gets
  // a little further into the apply (about 70 writes for five clusters).
  for (size_t k = 1; k <= 20; ++k) {
    if (!KillAfter(k % 3 == 1 ? Apply() : Reconcile("reconcile", t0), k)) {
      break;  // that pass got to the end: nothing left to interrupt
    }
  }
  EXPECT_GE(kills_, 5) << "passes are killed at several points";
  // One normal pass converges the management cluster ...
  auto r = RunProcess(Reconcile("reconcile", t0));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ExpectConverged("after creation");
  // ... a second may record CAPI's progress in status; the third has
  // nothing left to do and commits nothing.
  RunProcess(Reconcile("reconcile", t0));
  std::string log = Log();
  r = RunProcess(Reconcile("reconcile", t0));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Log(), log) << r.out;

  // A person's commit while teardowns are being killed must survive.
  ASSERT_EQ(testutil::RunGit(
                {"-C", work_, "pull", "-q", "--rebase", "origin", "main"})
                .exit_code,
            0);
  std::ofstream(work_ + "/README.md", std::ios::app) << "\nnote\n";
  ASSERT_EQ(
      testutil::RunGit({"-C", work_, "commit", "-qam", "human note"}).exit_code,
      0);
  ASSERT_EQ(
      testutil::RunGit({"-C", work_, "push", "-q", "origin", "main"}).exit_code,
      0);
  // Years later every TTL but "never" is over: four teardowns, more than
  // the deletion budget of three per pass, killed anywhere: before and
  // after a teardown commit, between the Cluster's deletion and the rest.
  const std::string t1 = "2030-01-01T00:00:00Z";
  int before = kills_;
  for (size_t k : {1, 1, 2, 3, 4, 6, 8, 10, 13, 16, 20}) {
    if (!KillAfter(Reconcile(k % 2 ? "ttl" : "reconcile", t1), k)) break;
  }
  EXPECT_GE(kills_ - before, 5);
  // Two passes: the deletion budget lets three of the four go in one.
  for (int pass = 0; pass < 2; ++pass) {
    r = RunProcess(Reconcile("reconcile", t1));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  log = Log();
  r = RunProcess(Reconcile("reconcile", t1));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Log(), log) << "converged: " << r.out;
  for (const char* name : {"dev-sandbox", "llm-train-us-central1",
                           "inference-us-east1", "finetune-westeurope"}) {
    EXPECT_EQ(Occurrences(log, std::string("|ttl: tear down ") + name + ":"), 1)
        << name << "\n"
        << log;
  }
  EXPECT_EQ(Occurrences(log, "Human|human note"), 1) << log;
  EXPECT_EQ(Occurrences(log, "Human|the clusters"), 1) << log;
  ExpectConverged("after the teardowns");
}

}  // namespace
}  // namespace capigitops
