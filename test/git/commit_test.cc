// CommitAndPush against local bare repositories; a second client (the git
// CLI) plays the human who pushes at the same time.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "capigitops/git.h"
#include "git/git_test_util.h"
#include "git/racing_source.h"

namespace capigitops {
namespace {

using testing::GitRemote;
using testing::TempDir;

class GitCommitTest : public ::testing::Test {
 protected:
  GitCommitTest()
      : remote_(dir_.Sub("r"), {{"capi-gitops.yaml", "namespace: x\n"},
                                {"clusters/a.yaml", "name: a\n"},
                                {"status/a.yaml", "phase: Pending\n"}}) {}

  GitSourceOptions Options() const {
    GitSourceOptions o;
    o.url = remote_.bare();
    o.cache_dir = dir_.Sub("cache");
    return o;
  }

  static CommitRequest Request(
      std::map<std::string, std::optional<std::string>> changes) {
    CommitRequest req;
    req.branch = "main";
    req.changes = std::move(changes);
    req.message = "status: a Ready";
    req.author_name = "capi-gitops";
    req.author_email = "capi-gitops@localhost";
    return req;
  }

  TempDir dir_;
  GitRemote remote_;
};

TEST_F(GitCommitTest, CommitAppearsOnTheRemoteWithAuthorAndMessage) {
  std::string before = remote_.Tip();
  auto source = NewLibgit2Source(Options());
  StatusOr<std::string> sha =
      source->CommitAndPush(Request({{"status/a.yaml", "phase: Ready\n"},
                                     {"status/deep/nested/b.yaml", "b\n"}}));
  ASSERT_TRUE(sha.ok()) << sha.status().ToString();
  EXPECT_EQ(*sha, remote_.Tip());
  EXPECT_EQ(remote_.Git("log -1 --format=%an%n%ae%n%s%n%P main"),
            "capi-gitops\ncapi-gitops@localhost\nstatus: a Ready\n" + before);
  EXPECT_EQ(remote_.Git("show main:status/a.yaml"), "phase: Ready");
  EXPECT_EQ(remote_.Git("show main:status/deep/nested/b.yaml"), "b");
  EXPECT_EQ(remote_.Git("show main:clusters/a.yaml"), "name: a");

  // The source sees its own commit on the next fetch.
  StatusOr<Snapshot> snap = source->Fetch({"status"});
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->commit, *sha);
}

TEST_F(GitCommitTest, UnchangedContentMakesNoCommit) {
  std::string before = remote_.Tip();
  auto source = NewLibgit2Source(Options());
  StatusOr<std::string> same =
      source->CommitAndPush(Request({{"status/a.yaml", "phase: Pending\n"},
                                     {"status/gone.yaml", std::nullopt}}));
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(*same, "");
  EXPECT_EQ(remote_.Tip(), before);
}

TEST_F(GitCommitTest, DeletesFilesAndEmptiedDirectories) {
  auto source = NewLibgit2Source(Options());
  CommitRequest req = Request({{"clusters/a.yaml", std::nullopt},
                               {"status/a.yaml", "phase: Expired\n"}});
  req.message = "ttl: tear down a";
  StatusOr<std::string> sha = source->CommitAndPush(req);
  ASSERT_TRUE(sha.ok()) << sha.status().ToString();
  EXPECT_EQ(remote_.Git("ls-tree -r --name-only main"),
            "capi-gitops.yaml\nstatus/a.yaml");
  EXPECT_EQ(remote_.Git("log -1 --format=%s main"), "ttl: tear down a");
}

TEST_F(GitCommitTest, UpdatingAnExecutableKeepsItExecutable) {
  remote_.Push({{"hooks/check.sh", "#!/bin/sh\n"}}, "add hook");
  std::string chmod =
      testing::RunShell(
          "cd " + testing::Quote(dir_.Sub("r/work")) +
          " && git update-index --chmod=+x hooks/check.sh && git -c "
          "user.name=H "
          "-c user.email=h@example.com commit -qm x && git push -q origin "
          "HEAD:main")
          .output;
  ASSERT_EQ(remote_.Git("ls-tree main hooks/check.sh").substr(0, 6), "100755")
      << chmod;
  StatusOr<std::string> sha = NewLibgit2Source(Options())->CommitAndPush(
      Request({{"hooks/check.sh", "#!/bin/sh\nexit 0\n"}}));
  ASSERT_TRUE(sha.ok()) << sha.status().ToString();
  EXPECT_EQ(remote_.Git("ls-tree main hooks/check.sh").substr(0, 6), "100755");
}

TEST_F(GitCommitTest, PushRaceKeepsTheOtherCommitAndPutsOursOnTop) {
  std::string human;
  std::vector<int> attempts;
  auto source = testing::NewRacingSource(Options(), [&](int attempt) {
    attempts.push_back(attempt);
    if (attempt == 0) {
      human = remote_.Push({{"clusters/b.yaml", "name: b\n"}}, "human adds b");
    }
  });
  StatusOr<std::string> sha =
      source->CommitAndPush(Request({{"status/a.yaml", "phase: Ready\n"}}));
  ASSERT_TRUE(sha.ok()) << sha.status().ToString();
  EXPECT_EQ(attempts, (std::vector<int>{0, 1}));
  EXPECT_EQ(*sha, remote_.Tip());
  EXPECT_EQ(remote_.Git("rev-parse main~1"), human);
  EXPECT_EQ(remote_.Git("show main:clusters/b.yaml"), "name: b");
  EXPECT_EQ(remote_.Git("show main:status/a.yaml"), "phase: Ready");
}

TEST_F(GitCommitTest, EndlessRaceGivesUpWithConflictAndLosesNothing) {
  GitSourceOptions o = Options();
  o.max_push_attempts = 3;
  int pushes = 0;
  auto source = testing::NewRacingSource(o, [&](int attempt) {
    remote_.Push({{"clusters/h" + std::to_string(attempt) + ".yaml", "h\n"}},
                 "human " + std::to_string(attempt));
    ++pushes;
  });
  StatusOr<std::string> sha =
      source->CommitAndPush(Request({{"status/a.yaml", "phase: Ready\n"}}));
  ASSERT_FALSE(sha.ok());
  EXPECT_EQ(sha.status().code(), StatusCode::kConflict);
  EXPECT_EQ(pushes, 3);
  EXPECT_EQ(remote_.Git("log -1 --format=%s main"), "human 2");
  EXPECT_EQ(remote_.Git("show main:status/a.yaml"), "phase: Pending");
}

TEST_F(GitCommitTest, CreatesAMissingBranchWithoutHistory) {
  CommitRequest req = Request({{"status/a.yaml", "phase: Ready\n"}});
  req.branch = "capi-gitops-status";
  StatusOr<std::string> sha = NewLibgit2Source(Options())->CommitAndPush(req);
  ASSERT_TRUE(sha.ok()) << sha.status().ToString();
  EXPECT_EQ(remote_.Tip("capi-gitops-status"), *sha);
  EXPECT_EQ(remote_.Git("ls-tree -r --name-only capi-gitops-status"),
            "status/a.yaml");
  EXPECT_EQ(remote_.Git("log --format=%s capi-gitops-status"),
            "status: a Ready");

  // Deleting from a branch that does not exist changes nothing.
  CommitRequest nothing = Request({{"status/a.yaml", std::nullopt}});
  nothing.branch = "absent";
  StatusOr<std::string> none =
      NewLibgit2Source(Options())->CommitAndPush(nothing);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(*none, "");
  EXPECT_EQ(remote_.Tip("absent"), "");
}

TEST_F(GitCommitTest, RejectsPathsOutsideTheRepository) {
  for (std::string path : {"../evil", "/abs", "a//b", ".git/config", "dir/"}) {
    StatusOr<std::string> sha =
        NewLibgit2Source(Options())->CommitAndPush(Request({{path, "x"}}));
    ASSERT_FALSE(sha.ok()) << path;
    EXPECT_EQ(sha.status().code(), StatusCode::kInvalidArgument) << path;
  }
}

TEST_F(GitCommitTest, UnreachableRemoteIsUnavailable) {
  GitSourceOptions o = Options();
  o.url = dir_.Sub("missing.git");
  StatusOr<std::string> sha = NewLibgit2Source(o)->CommitAndPush(
      Request({{"status/a.yaml", "phase: Ready\n"}}));
  ASSERT_FALSE(sha.ok());
  EXPECT_EQ(sha.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(
      sha.status().message().find("committing to " + o.url + " (branch main)"),
      std::string::npos)
      << sha.status().message();
}

// Several processes (the shards of a sharded controller) committing to one
// local bare repository at the same moment: every commit lands, none
// overwrites another's (libgit2's local transport alone would let the last
// ref write win; the push moves the branch by compare-and-swap).
TEST_F(GitCommitTest, ConcurrentCommittersToALocalRemoteLoseNothing) {
  constexpr int kWriters = 4, kCommits = 3;
  std::vector<std::thread> writers;
  std::vector<std::string> errors(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      GitSourceOptions o = Options();
      o.cache_dir = dir_.Sub("cache-" + std::to_string(w));
      o.max_push_attempts = 50;
      auto source = NewLibgit2Source(o);
      for (int c = 0; c < kCommits; ++c) {
        std::string file =
            "status/w" + std::to_string(w) + "-" + std::to_string(c) + ".yaml";
        StatusOr<std::string> sha =
            source->CommitAndPush(Request({{file, "phase: Ready\n"}}));
        if (!sha.ok() || sha->empty()) {
          errors[w] = sha.ok() ? "no commit" : sha.status().message();
          return;
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();
  for (const std::string& e : errors) EXPECT_EQ(e, "");
  for (int w = 0; w < kWriters; ++w) {
    for (int c = 0; c < kCommits; ++c) {
      std::string file =
          "status/w" + std::to_string(w) + "-" + std::to_string(c) + ".yaml";
      EXPECT_EQ(remote_.Git("show main:" + file), "phase: Ready") << file;
    }
  }
  EXPECT_EQ(remote_.Git("rev-list --count main"),
            std::to_string(1 + kWriters * kCommits));
  EXPECT_EQ(remote_.Git("for-each-ref refs/capi-gitops"), "")
      << "the incoming refs are removed";
}

}  // namespace
}  // namespace capigitops
