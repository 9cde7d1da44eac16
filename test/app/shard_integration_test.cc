// Two `capi-gitops reconcile --shard I/2` processes at once against one
// capi-sandbox and one bare remote, as two pods of the sharded StatefulSet:
// each creates only its own clusters, together they create every cluster
// once, and both status commits land.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "capigitops/shard.h"
#include "sandbox/sandbox_process.h"
#include "schema/crd_testing.h"
#include "testing/subprocess.h"

namespace capigitops {
namespace {

using testutil::RunProcess;
using testutil::RunResult;

const std::vector<std::string> kClusters = {
    "dev-sandbox", "finetune-westeurope", "inference-us-east1",
    "llm-train-us-central1", "sovereign-onprem"};

class ShardIntegrationTest : public ::testing::Test {
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
    testutil::CopySampleRepo(dir_.Sub("work"), {});
    ASSERT_TRUE(testutil::PublishAsRemote(dir_.Sub("work"), remote_,
                                          "the sample repository"));
  }

  // `reconcile --shard`, without --cache-dir: the default clone is the
  // shard's own, so the two processes do not share a work tree.
  RunResult Reconcile(const std::string& shard) {
    return RunProcess(
        {testutil::BinaryPath("capi-gitops"), "reconcile", "--repo", remote_,
         "--kubeconfig", sandbox_->kubeconfig(), "--shard", shard, "--now",
         "2026-11-27T08:00:00Z"},
        {{"HOME", dir_.Sub("home")}});
  }

  std::string Git(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--git-dir", remote_};
    all.insert(all.end(), args.begin(), args.end());
    return testutil::RunGit(all).out;
  }

  testing::TempDir dir_;
  std::string remote_, requests_;
  std::unique_ptr<sandbox_test::SandboxProcess> sandbox_;
};

TEST_F(ShardIntegrationTest, TwoShardProcessesCreateEveryClusterOnce) {
  if (!sandbox_) return;
  RunResult r0, r1;
  std::thread t0([&] { r0 = Reconcile("0/2"); });
  std::thread t1([&] { r1 = Reconcile("1/2"); });
  t0.join();
  t1.join();
  ASSERT_EQ(r0.exit_code, 0) << r0.out << r0.err;
  ASSERT_EQ(r1.exit_code, 0) << r1.out << r1.err;
  std::vector<std::string> writes = testutil::LoggedWrites(requests_, 0);
  for (const std::string& name : kClusters) {
    int shard = ShardOf("capi-clusters", name, 2);
    const RunResult& own = shard == 0 ? r0 : r1;
    const RunResult& other = shard == 0 ? r1 : r0;
    EXPECT_NE(own.out.find(name + ": "), std::string::npos) << own.out;
    EXPECT_EQ(other.out.find(name), std::string::npos) << other.out;
    // One real write of the Cluster object: the create (dry runs aside).
    int cluster_writes = 0;
    for (const std::string& w : writes) {
      if (w.find("/clusters/" + name + " ") != std::string::npos &&
          w.find("dryRun") == std::string::npos)
        ++cluster_writes;
    }
    EXPECT_EQ(cluster_writes, 1) << name;
    EXPECT_NE(Git({"show", "main:status/" + name + ".yaml"}).find("phase:"),
              std::string::npos)
        << name << ": its shard's status commit was lost";
  }
  // Both status commits are on main.
  std::string log = Git({"log", "--format=%s", "main"});
  size_t commits = 0;
  for (size_t at = log.find("status:"); at != std::string::npos;
       at = log.find("status:", at + 1))
    ++commits;
  EXPECT_EQ(commits, 2u) << log;
}

}  // namespace
}  // namespace capigitops
