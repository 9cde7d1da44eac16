// What a pass writes back to Git: facts only (no commit when only time
// moved), the real errors of a blocked cluster, status files that leave with
// their cluster, and held deletions that say so (and how approvals.yaml
// releases a mass deletion for one revision only).
#include <gtest/gtest.h>

#include "capigitops/reconcile.h"
#include "git/fake_git_source.h"
#include "reconcile/reconciler.h"
#include "testing/reconcile_fixture.h"

namespace capigitops {
namespace {

using testing::FakeGitSource;

constexpr char kInference[] = "clusters/inference-us-east1.yaml";
constexpr char kInferenceStatus[] = "status/inference-us-east1.yaml";

class StatusPassTest : public testing::ReconcileFixture {
 protected:
  std::string StatusFile(const std::string& name) {
    auto f = git_.Files().find("status/" + name + ".yaml");
    return f == git_.Files().end() ? "" : f->second;
  }

  // The spec with `from` replaced by `to` (the first occurrence).
  void EditSpec(const std::string& path, const std::string& from,
                const std::string& to, const std::string& message) {
    std::string text = git_.Files().at(path);
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    git_.PushFiles({{path, text}}, message);
  }
};

TEST_F(StatusPassTest, PassesWhereOnlyTimeMovedCommitNothing) {
  ASSERT_EQ(Pass("2026-11-27T08:00:00Z").outcome(), PassOutcome::kSuccess);
  // The second pass records what the first created (live Clusters now).
  Pass("2026-11-27T08:01:00Z");
  size_t commits = git_.History().size();
  std::string status = StatusFile("llm-train-us-central1");
  // 8:02 to 9:20: time left and cost so far change every minute; dev-sandbox
  // (90m) has not expired yet.
  for (const char* now : {"2026-11-27T08:02:00Z", "2026-11-27T08:17:00Z",
                          "2026-11-27T08:59:00Z", "2026-11-27T09:20:00Z"}) {
    PassResult r = Pass(now);
    EXPECT_EQ(r.outcome(), PassOutcome::kSuccess) << Notes(r);
    EXPECT_TRUE(r.status_commit.empty()) << now << "\n" << Notes(r);
  }
  EXPECT_EQ(git_.History().size(), commits);
  EXPECT_EQ(StatusFile("llm-train-us-central1"), status);
  EXPECT_EQ(status.find("expiresIn"), std::string::npos) << status;
  EXPECT_EQ(status.find("estimatedCostSoFar"), std::string::npos) << status;
  EXPECT_NE(status.find("expiresAt: 2026-11-27T12:00:00Z"), std::string::npos)
      << status;
  EXPECT_NE(status.find("namespace: capi-clusters"), std::string::npos);
  // The relative values are computed for output instead.
  PassResult r = Pass("2026-11-27T09:30:00Z");
  EXPECT_EQ(r.clocks.at("llm-train-us-central1").rfind("expires in 2h", 0), 0u)
      << r.clocks.at("llm-train-us-central1");
}

TEST_F(StatusPassTest, AppliedRevisionIsTheAppliedOneNeverHead) {
  std::string first = git_.History().back().sha;
  Pass("2026-11-27T08:00:00Z");
  Pass("2026-11-27T08:01:00Z");
  EXPECT_NE(
      StatusFile("dev-sandbox").find("appliedRevision: \"" + first + "\""),
      std::string::npos)
      << StatusFile("dev-sandbox");
  // A human commit elsewhere moves HEAD; nothing is applied, and the status
  // keeps the revision that was.
  git_.PushFiles({{"docs/note.md", "hello\n"}}, "docs");
  size_t commits = git_.History().size();
  PassResult r = Pass("2026-11-27T08:02:00Z");
  EXPECT_TRUE(r.status_commit.empty()) << Notes(r);
  EXPECT_EQ(git_.History().size(), commits);
  EXPECT_NE(
      StatusFile("dev-sandbox").find("appliedRevision: \"" + first + "\""),
      std::string::npos);
}

TEST_F(StatusPassTest, ABrokenSpecPutsItsFileLineErrorInStatusAndOutput) {
  Pass("2026-11-27T08:00:00Z");
  Pass("2026-11-27T08:01:00Z");
  nlohmann::json before = LiveCluster("dev-sandbox");
  ASSERT_FALSE(before.is_null());
  EditSpec("clusters/dev-sandbox.yaml", "ttl: 90m", "ttl: ninety minutes",
           "typo");
  PassResult r = Pass("2026-11-27T08:05:00Z");
  EXPECT_EQ(r.outcome(), PassOutcome::kInvalid);
  std::string status = StatusFile("dev-sandbox");
  EXPECT_NE(status.find("phase: Blocked"), std::string::npos) << status;
  EXPECT_NE(status.find("lastError: \"clusters/dev-sandbox.yaml:14:"),
            std::string::npos)
      << status;
  EXPECT_NE(status.find("spec.ttl"), std::string::npos) << status;
  // Expiry and cost stay visible.
  EXPECT_NE(status.find("expiresAt: 2026-11-27T09:30:00Z"), std::string::npos)
      << status;
  EXPECT_NE(status.find("estimatedCostPerHour:"), std::string::npos);
  // The same text in the output (and so in the controller's log).
  std::string notes = Notes(r);
  EXPECT_NE(notes.find("dev-sandbox: blocked: its spec has errors"),
            std::string::npos)
      << notes;
  EXPECT_NE(notes.find("clusters/dev-sandbox.yaml:14:"), std::string::npos)
      << notes;
  // The live cluster is left as it was.
  EXPECT_EQ(LiveCluster("dev-sandbox"), before);
}

TEST_F(StatusPassTest, APolicyDenialPutsTheVerdictInStatus) {
  Pass("2026-11-27T08:00:00Z");
  EditSpec("clusters/llm-train-us-central1.yaml", "ttl: 4h", "ttl: 90d",
           "long ttl");
  PassResult r = Pass("2026-11-27T08:05:00Z");
  std::string status = StatusFile("llm-train-us-central1");
  EXPECT_NE(status.find("phase: Blocked"), std::string::npos) << status;
  EXPECT_NE(status.find("lastError: \"clusters/llm-train-us-central1.yaml:"),
            std::string::npos)
      << status;
  EXPECT_NE(status.find("max-lifetime"), std::string::npos) << status;
  EXPECT_NE(Notes(r).find("max-lifetime"), std::string::npos) << Notes(r);
}

TEST_F(StatusPassTest, ADeletedClustersStatusLeavesInTheDeletionCommit) {
  Pass("2026-11-27T08:00:00Z");
  Pass("2026-11-27T08:01:00Z");
  ASSERT_FALSE(StatusFile("inference-us-east1").empty());
  git_.PushFiles({{kInference, std::nullopt}}, "retire inference");
  PassResult r = Pass("2026-11-27T08:02:00Z");
  EXPECT_EQ(r.outcome(), PassOutcome::kSuccess) << Notes(r);
  const ClusterPassResult* o = Find(r, "inference-us-east1");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->outcome, ClusterOutcome::kDeleted);
  EXPECT_EQ(git_.Files().count(kInferenceStatus), 0u);
  const FakeGitSource::Commit& last = git_.History().back();
  EXPECT_EQ(last.sha, r.status_commit);
  EXPECT_NE(last.message.find("inference-us-east1 Deleted"), std::string::npos)
      << last.message;
  // And nothing brings it back.
  Pass("2026-11-27T08:03:00Z");
  EXPECT_EQ(git_.Files().count(kInferenceStatus), 0u);
}

// `capi-gitops ttl` alone: the expired cluster's status leaves Git in the
// pass that deletes it (it said Provisioned, then Expired, until the next
// reconcile), and the status of clusters the sweep did not touch is left to
// the reconcile pass.
TEST_F(StatusPassTest, ATtlSweepCommitsTheStatusOfWhatItDeletedOnly) {
  Pass("2026-11-27T08:00:00Z");
  Pass("2026-11-27T08:01:00Z");
  ASSERT_FALSE(StatusFile("dev-sandbox").empty());
  std::string inference = StatusFile("inference-us-east1");
  // A spec change the sweep must not report (it applies nothing but
  // deletions).
  EditSpec(kInference, "owner: ", "owner: x", "rename the owner");
  ReconcileOptions ttl = Options("2026-11-27T10:00:00Z");
  ttl.ttl_only = true;
  PassResult r = Pass(ttl);
  ASSERT_EQ(r.teardown_commits.size(), 1u) << Notes(r);
  const ClusterPassResult* o = Find(r, "dev-sandbox");
  ASSERT_NE(o, nullptr) << Notes(r);
  EXPECT_EQ(o->outcome, ClusterOutcome::kDeleted) << Notes(r);
  EXPECT_TRUE(StatusFile("dev-sandbox").empty());
  EXPECT_EQ(StatusFile("inference-us-east1"), inference);
  ASSERT_FALSE(r.status_commit.empty()) << Notes(r);
  const FakeGitSource::Commit& last = git_.History().back();
  EXPECT_EQ(last.sha, r.status_commit);
  EXPECT_EQ(last.message, "status: dev-sandbox Deleted");
}

TEST_F(StatusPassTest, AStatusFileWithoutClusterOrSpecIsRemoved) {
  Pass("2026-11-27T08:00:00Z");
  git_.PushFiles({{"status/gone-long-ago.yaml",
                   "status:\n  phase: Provisioned\n  ready: true\n"}},
                 "an old status file");
  Pass("2026-11-27T08:01:00Z");
  EXPECT_EQ(git_.Files().count("status/gone-long-ago.yaml"), 0u);

  // While capi-gitops.yaml is in error nothing is taken for stale.
  git_.PushFiles({{"status/gone-long-ago.yaml", "status: {}\n"}}, "again");
  EditSpec("capi-gitops.yaml", "maxClusters: 3", "maxClusters: many",
           "broken config");
  PassResult r = Pass("2026-11-27T08:02:00Z");
  EXPECT_EQ(r.outcome(), PassOutcome::kInvalid) << Notes(r);
  EXPECT_EQ(git_.Files().count("status/gone-long-ago.yaml"), 1u);
  EXPECT_EQ(git_.Files().count("status/dev-sandbox.yaml"), 1u);
}

TEST_F(StatusPassTest, AProtectedDeletionIsHeldNotDeleting) {
  Pass("2026-11-27T08:00:00Z");
  git_.PushFiles({{"clusters/sovereign-onprem.yaml", std::nullopt}},
                 "retire sovereign");
  PassResult r = Pass("2026-11-27T08:01:00Z");
  EXPECT_EQ(r.outcome(), PassOutcome::kDeletionHeld) << Notes(r);
  EXPECT_FALSE(LiveCluster("sovereign-onprem").is_null());
  std::string status = StatusFile("sovereign-onprem");
  EXPECT_NE(status.find("phase: DeletionHeld"), std::string::npos) << status;
  EXPECT_NE(status.find("reason: \"deletionProtection is true"),
            std::string::npos)
      << status;
  EXPECT_NE(status.find("release: \"set deletionProtection: false"),
            std::string::npos)
      << status;
  EXPECT_NE(Notes(r).find("sovereign-onprem: deletion held"),
            std::string::npos);
  EXPECT_EQ(r.phases.at("sovereign-onprem"), "DeletionHeld");
  EXPECT_EQ(PassOutcomeName(r.outcome()), std::string("deletion_held"));
  // Still held later: the same facts, so no new commit.
  size_t commits = git_.History().size();
  r = Pass("2026-11-27T09:01:00Z");
  EXPECT_EQ(r.outcome(), PassOutcome::kDeletionHeld);
  EXPECT_EQ(git_.History().size(), commits) << Notes(r);
}

// Budget 1 (fake shas are all digits, so YAML quotes them). Removing two
// clusters holds both until approvals.yaml names the revision they were held
// at; a later removal is not released by it.
TEST_F(StatusPassTest, AnApprovalReleasesOneRevisionsMassDeletionOnly) {
  EditSpec("capi-gitops.yaml", "maxClusters: 3, maxPercent: 25",
           "maxClusters: 1, maxPercent: 1", "budget of one");
  Pass("2026-11-27T08:00:00Z");
  std::string removal =
      git_.PushFiles({{kInference, std::nullopt},
                      {"clusters/finetune-westeurope.yaml", std::nullopt}},
                     "retire two");
  PassResult r = Pass("2026-11-27T08:01:00Z");
  EXPECT_EQ(r.outcome(), PassOutcome::kDeletionHeld) << Notes(r);
  EXPECT_FALSE(LiveCluster("inference-us-east1").is_null());
  std::string status = StatusFile("inference-us-east1");
  EXPECT_NE(status.find("phase: DeletionHeld"), std::string::npos) << status;
  EXPECT_NE(status.find("heldAtRevision: \"" + removal + "\""),
            std::string::npos)
      << status;
  EXPECT_NE(status.find("approvals.yaml"), std::string::npos) << status;
  EXPECT_NE(status.find("reason: \"deletion budget exceeded"),
            std::string::npos)
      << status;

  // Someone removes a third cluster before the approval lands.
  git_.PushFiles({{"clusters/dev-sandbox.yaml", std::nullopt}}, "retire dev");
  git_.PushFiles(
      {{"approvals.yaml", "massDeletions:\n- revision: \"" + removal +
                              "\"\n  clusters: [inference-us-east1, "
                              "finetune-westeurope, dev-sandbox]\n"}},
      "approve the retirement of two");
  r = Pass("2026-11-27T08:02:00Z");
  EXPECT_TRUE(LiveCluster("inference-us-east1").is_null()) << Notes(r);
  EXPECT_TRUE(LiveCluster("finetune-westeurope").is_null()) << Notes(r);
  EXPECT_FALSE(LiveCluster("dev-sandbox").is_null())
      << "held at a later revision: the approval does not release it";
  EXPECT_EQ(r.outcome(), PassOutcome::kDeletionHeld);
  EXPECT_EQ(git_.Files().count(kInferenceStatus), 0u);
  EXPECT_NE(StatusFile("dev-sandbox").find("phase: DeletionHeld"),
            std::string::npos)
      << StatusFile("dev-sandbox");
  EXPECT_NE(Notes(r).find("approvals.yaml releases the deletion of "
                          "finetune-westeurope, inference-us-east1"),
            std::string::npos)
      << Notes(r);
}

}  // namespace
}  // namespace capigitops

namespace capigitops {
namespace {

TEST(ApprovalsTest, ARevisionMustBeAQuotableCommitPrefix) {
  FileSet files;
  files["approvals.yaml"] =
      "massDeletions:\n"
      "- revision: 3f2a9c1d4e5b\n  clusters: [a, b]\n"
      "- revision: 1234567\n  clusters: [c]\n"    // a number: quote it
      "- revision: \"3f2a\"\n  clusters: [d]\n";  // too short
  Diagnostics diags;
  std::vector<MassDeletionApproval> approvals = ParseApprovals(files, &diags);
  ASSERT_EQ(approvals.size(), 1u);
  EXPECT_EQ(diags.size(), 2u);
  EXPECT_TRUE(Approved(approvals, "a", "3f2a9c1d4e5b77aa"));
  EXPECT_FALSE(Approved(approvals, "a", "4f2a9c1d4e5b77aa"));
  EXPECT_FALSE(Approved(approvals, "c", "1234567aa"));
  EXPECT_FALSE(Approved(approvals, "a", ""));
}

}  // namespace
}  // namespace capigitops
