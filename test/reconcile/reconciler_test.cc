// The reconcile pass in-process: FakeGitSource for Git, FakeKubeApi for the
// management cluster, the sample repository as the specs.
#include <gtest/gtest.h>

#include <algorithm>

#include "capigitops/reconcile.h"
#include "git/fake_git_source.h"
#include "testing/forwarding_kube_api.h"
#include "testing/reconcile_fixture.h"

namespace capigitops {
namespace {

using testing::FakeGitSource;

constexpr char kDevSandbox[] = "clusters/dev-sandbox.yaml";  // ttl 90m

// Passes everything to `inner` and calls `on_delete` before each real
// delete, so a test can look at Git at that moment.
class WatchedKubeApi : public testing::ForwardingKubeApi {
 public:
  using ForwardingKubeApi::ForwardingKubeApi;
  std::function<void(const std::string& kind, const std::string& name)>
      on_delete;

  Status Delete(const ResourceInfo& r, const std::string& ns,
                const std::string& name, const WriteOptions& options) override {
    if (on_delete && !options.dry_run) on_delete(r.kind, name);
    return ForwardingKubeApi::Delete(r, ns, name, options);
  }
};

class ReconcilerTest : public testing::ReconcileFixture {
 protected:
};

TEST_F(ReconcilerTest, FirstPassCreatesEveryClusterAndCommitsStatus) {
  PassResult r = Pass("2026-11-27T08:00:00Z");
  EXPECT_EQ(r.outcome(), PassOutcome::kSuccess) << Notes(r);
  EXPECT_TRUE(Live("dev-sandbox"));
  const ClusterPassResult* dev = Find(r, "dev-sandbox");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->outcome, ClusterOutcome::kCreated);
  EXPECT_FALSE(r.status_commit.empty());
  EXPECT_EQ(git_.Files().count("status/dev-sandbox.yaml"), 1u);
  // The phase of the metric is the status file's.
  EXPECT_EQ(r.phases.at("dev-sandbox"), "NotCreated");
  EXPECT_NE(git_.Files().at("status/dev-sandbox.yaml").find("NotCreated"),
            std::string::npos);
}

TEST_F(ReconcilerTest, TtlTeardownCommitLandsBeforeTheClusterIsDeleted) {
  ASSERT_EQ(Pass("2026-11-27T08:00:00Z").outcome(), PassOutcome::kSuccess);
  ASSERT_TRUE(Live("dev-sandbox"));
  bool spec_gone_at_delete = false;
  int deletes = 0;
  WatchedKubeApi watched(kube_);
  watched.on_delete = [&](const std::string& kind, const std::string& name) {
    if (kind == "Cluster" && name == "dev-sandbox") {
      ++deletes;
      spec_gone_at_delete = git_.Files().count(kDevSandbox) == 0;
    }
  };
  size_t fetches = git_.fetch_count;
  int inventory_lists = kube_.Count("list", "ConfigMap");
  int cluster_lists = kube_.Count("list", "Cluster");
  // 90m after 08:00 is past.
  PassResult r = Pass("2026-11-27T10:00:00Z", nullptr, &watched);
  EXPECT_EQ(kube_.Count("list", "ConfigMap") - inventory_lists, 1)
      << "the live state is read once: not again after the teardown nor "
         "for status";
  EXPECT_EQ(kube_.Count("list", "Cluster") - cluster_lists, 1);
  EXPECT_EQ(git_.fetch_count, fetches + 1) << "the repo is read once";
  ASSERT_EQ(r.teardown_commits.size(), 1u) << Notes(r);
  EXPECT_EQ(deletes, 1);
  EXPECT_TRUE(spec_gone_at_delete) << "the deletion came before the commit";
  EXPECT_FALSE(Live("dev-sandbox"));
  EXPECT_TRUE(Live("llm-train-us-central1")) << "4h TTL not expired yet";
  const ClusterPassResult* dev = Find(r, "dev-sandbox");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->outcome, ClusterOutcome::kDeleted);
  EXPECT_NE(dev->reason.find("ttl: tear down dev-sandbox"), std::string::npos);
  // Deleted in this pass: no phase, and its status file left Git.
  EXPECT_EQ(r.phases.count("dev-sandbox"), 0u);
  EXPECT_EQ(git_.Files().count("status/dev-sandbox.yaml"), 0u);
  bool found = false;
  for (const FakeGitSource::Commit& c : git_.History()) {
    if (c.sha == r.teardown_commits[0]) {
      found = true;
      EXPECT_EQ(c.files.count(kDevSandbox), 0u);
      EXPECT_NE(c.files.at("status/dev-sandbox.yaml").find("Expired"),
                std::string::npos);
      // Its final cost is in the teardown commit, not in a status file.
      EXPECT_NE(c.message.find("\nEstimated cost over its life: $"),
                std::string::npos)
          << c.message;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ReconcilerTest, PushRaceIsRetriedOnTopAndNothingIsLost) {
  ASSERT_EQ(Pass("2026-11-27T08:00:00Z").outcome(), PassOutcome::kSuccess);
  int raced = 0;
  git_.before_push = [&](int attempt) {
    if (attempt == 0) {
      ++raced;
      git_.PushFiles({{"docs/note.md", "a human was here\n"}}, "docs");
    }
  };
  PassResult r = Pass("2026-11-27T10:00:00Z");
  EXPECT_EQ(r.outcome(), PassOutcome::kSuccess) << Notes(r);
  EXPECT_GE(raced, 1);
  ASSERT_EQ(r.teardown_commits.size(), 1u);
  const FileSet& tip = git_.Files();
  EXPECT_EQ(tip.count("docs/note.md"), 1u) << "the human commit survives";
  EXPECT_EQ(tip.count(kDevSandbox), 0u) << "the teardown landed on top";
  EXPECT_FALSE(Live("dev-sandbox"));
  int humans = 0;
  for (const FakeGitSource::Commit& c : git_.History()) {
    humans += c.message == "docs" ? 1 : 0;
  }
  EXPECT_EQ(humans, raced);
}

TEST_F(ReconcilerTest, UnreadableSourceChangesAndDeletesNothing) {
  ASSERT_EQ(Pass("2026-11-27T08:00:00Z").outcome(), PassOutcome::kSuccess);
  git_.unavailable = Status::Unavailable("fetching: connection refused");
  int writes = kube_.StoredWrites();
  int pushes = git_.push_count;
  PassResult r = Pass("2026-11-28T08:00:00Z");  // every TTL but 7d is over
  EXPECT_EQ(r.outcome(), PassOutcome::kSourceError);
  EXPECT_TRUE(r.source.transient());
  EXPECT_EQ(kube_.StoredWrites(), writes);
  EXPECT_EQ(git_.push_count, pushes);
  EXPECT_TRUE(Live("dev-sandbox"));
  EXPECT_TRUE(r.clusters.empty());
  ASSERT_FALSE(r.notes.empty());
  EXPECT_TRUE(r.notes[0].error);
  EXPECT_NE(r.notes[0].text.find("nothing was changed or deleted"),
            std::string::npos);
}

TEST_F(ReconcilerTest, ReadOnlyWritesNothingToGitOrTheCluster) {
  ASSERT_EQ(Pass("2026-11-27T08:00:00Z").outcome(), PassOutcome::kSuccess);
  // A spec removed and a TTL over: a normal pass would commit and delete.
  git_.PushFiles({{"clusters/inference-us-east1.yaml", std::nullopt}},
                 "retire inference");
  int writes = kube_.StoredWrites();
  int pushes = git_.push_count;
  size_t commits = git_.History().size();
  ReadOnlyGitSource read_only(&git_);
  DryRunKubeApi dry_run(kube_);
  PassResult r = Pass("2026-11-27T10:00:00Z", &read_only, &dry_run);
  EXPECT_EQ(kube_.StoredWrites(), writes) << Notes(r);
  EXPECT_EQ(git_.push_count, pushes);
  EXPECT_EQ(git_.History().size(), commits);
  EXPECT_TRUE(Live("dev-sandbox"));
  EXPECT_TRUE(Live("inference-us-east1"));
  EXPECT_TRUE(r.teardown_commits.empty());
  EXPECT_FALSE(read_only.withheld().empty()) << "the commits it would make";
  EXPECT_NE(Notes(r).find("dev-sandbox: expired at"), std::string::npos)
      << Notes(r);
  EXPECT_FALSE(r.status_files.empty());
}

TEST(PassResultTest, OutcomeIsTheWorstThatHappened) {
  PassResult r;
  EXPECT_EQ(r.outcome(), PassOutcome::kSuccess);
  r.invalid = true;
  EXPECT_EQ(r.outcome(), PassOutcome::kInvalid);
  r.git_write = Status::Conflict("push rejected");
  EXPECT_EQ(r.outcome(), PassOutcome::kSourceError);
  ClusterPassResult failed;
  failed.executed = true;
  failed.error_count = 1;
  r.clusters.push_back(failed);
  EXPECT_EQ(r.outcome(), PassOutcome::kApplyFailed);
  r.live = Status::Unavailable("no API");
  EXPECT_EQ(r.outcome(), PassOutcome::kApiError);
  EXPECT_STREQ(PassOutcomeName(PassOutcome::kApiError), "api_error");
}

// A killed or frozen API during apply is exit 4 (API error) as documented,
// not 5: no object was refused.
TEST(PassResultTest, ApplyFailuresThatAreAllUnreachableAreAnApiError) {
  PassResult r;
  ClusterPassResult gone;
  gone.executed = true;
  gone.error_count = 2;
  gone.status = Status::Unavailable("cannot reach the management cluster");
  r.clusters.push_back(gone);
  gone.status = Status::DeadlineExceeded("the pass ran out of time");
  r.clusters.push_back(gone);
  EXPECT_EQ(r.outcome(), PassOutcome::kApiError);
  ClusterPassResult refused;
  refused.executed = true;
  refused.error_count = 1;
  refused.status = Status::InvalidArgument("spec.x: Unsupported value");
  r.clusters.push_back(refused);
  EXPECT_EQ(r.outcome(), PassOutcome::kApplyFailed);
}

}  // namespace
}  // namespace capigitops
