// The Git layer's part in reconcile safety: a commit lands only where what
// it was decided on still holds, what cannot be read is an error (never an
// absence), and files are read only below the requested paths, capped.
#include <gtest/gtest.h>

#include "capigitops/git.h"
#include "git/git_test_util.h"
#include "git/racing_source.h"

namespace capigitops {
namespace {

using testing::GitRemote;
using testing::Quote;
using testing::RunShell;
using testing::TempDir;

constexpr char kSpec[] = "ttl: 90m\n";

class GitSafetyTest : public ::testing::Test {
 protected:
  GitSafetyTest()
      : remote_(dir_.Sub("r"), {{"capi-gitops.yaml", "namespace: x\n"},
                                {"clusters/a.yaml", kSpec},
                                {"specs/b.yaml", "name: b\n"}}) {}

  GitSourceOptions Options() const {
    GitSourceOptions o;
    o.url = remote_.bare();
    o.cache_dir = dir_.Sub("cache");
    return o;
  }

  static CommitRequest Teardown() {
    CommitRequest req;
    req.branch = "main";
    req.changes["clusters/a.yaml"] = std::nullopt;
    req.expect["clusters/a.yaml"] = kSpec;
    req.message = "ttl: tear down a";
    return req;
  }

  // Runs `script` in a fresh clone of the remote, then commits what it
  // staged and pushes.
  void PushWithShell(const std::string& script) {
    std::string w = dir_.Sub("w" + std::to_string(++clones_));
    std::string cmd = "git clone -q " + Quote(remote_.bare()) + " " + Quote(w) +
                      " && cd " + Quote(w) + " && " + script +
                      " && git -c user.name=t -c "
                      "user.email=t@t commit -qm change && git push -q";
    testing::ShellResult r = RunShell(cmd);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  TempDir dir_;
  GitRemote remote_;
  int clones_ = 0;
};

TEST_F(GitSafetyTest, TeardownLandsWhenTheSpecIsUnchanged) {
  auto source = NewLibgit2Source(Options());
  StatusOr<std::string> sha = source->CommitAndPush(Teardown());
  ASSERT_TRUE(sha.ok()) << sha.status().ToString();
  EXPECT_EQ(remote_.Git("show main:clusters/a.yaml"), "");
}

TEST_F(GitSafetyTest, SpecChangedDuringAPushRaceDropsTheTeardown) {
  auto source = testing::NewRacingSource(Options(), [&](int attempt) {
    if (attempt == 0) {
      remote_.Push(
          {{"clusters/a.yaml", "ttl: 30d\ndeletionProtection: true\n"}},
          "keep a");
    }
  });
  StatusOr<std::string> sha = source->CommitAndPush(Teardown());
  ASSERT_FALSE(sha.ok());
  EXPECT_EQ(sha.status().code(), StatusCode::kFailedPrecondition)
      << sha.status().ToString();
  EXPECT_NE(sha.status().message().find("clusters/a.yaml changed"),
            std::string::npos);
  EXPECT_EQ(remote_.Git("log -1 --format=%s main"), "keep a");
  EXPECT_EQ(remote_.Git("show main:clusters/a.yaml"),
            "ttl: 30d\ndeletionProtection: true");
}

TEST_F(GitSafetyTest, SpecChangedBeforeTheFirstAttemptDropsTheTeardown) {
  remote_.Push({{"clusters/a.yaml", "ttl: 30d\n"}}, "extend a");
  auto source = NewLibgit2Source(Options());
  StatusOr<std::string> sha = source->CommitAndPush(Teardown());
  ASSERT_FALSE(sha.ok());
  EXPECT_EQ(sha.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(remote_.Git("show main:clusters/a.yaml"), "ttl: 30d");
}

TEST_F(GitSafetyTest, ReadCommitReadsOnlyTheNamedPathsOfThatCommit) {
  auto source = NewLibgit2Source(Options());
  StatusOr<Snapshot> head = source->Fetch({"capi-gitops.yaml"});
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->files.size(), 1u);
  remote_.Push({{"specs/c.yaml", "name: c\n"}}, "later");
  StatusOr<Snapshot> snap = source->ReadCommit(head->commit, {"specs"});
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->commit, head->commit);
  EXPECT_EQ(snap->files, (FileSet{{"specs/b.yaml", "name: b\n"}}));
  EXPECT_EQ(snap->trees, (std::set<std::string>{"specs"}));
}

TEST_F(GitSafetyTest, OversizeFileIsCutSoItsParserRejectsItAlone) {
  std::string big(kMaxSourceFileBytes * 3, 'x');
  remote_.Push({{"clusters/big.yaml", big}, {"docs/big.bin", big}}, "big");
  StatusOr<Snapshot> snap = NewLibgit2Source(Options())->Fetch({"clusters"});
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->files.at("clusters/big.yaml").size(),
            kMaxSourceFileBytes + 1);
  EXPECT_EQ(snap->files.at("clusters/a.yaml"), kSpec);
  EXPECT_EQ(snap->files.count("docs/big.bin"), 0u);
}

TEST_F(GitSafetyTest, SymlinkedClustersDirectoryIsAnErrorNotEmpty) {
  PushWithShell("rm -r clusters && ln -s specs clusters && git add -A");
  StatusOr<Snapshot> snap = NewLibgit2Source(Options())->Fetch({"clusters"});
  ASSERT_FALSE(snap.ok());
  EXPECT_NE(snap.status().message().find("clusters is a symlink"),
            std::string::npos)
      << snap.status().ToString();
}

TEST_F(GitSafetyTest, SymlinkedSpecFileIsAnErrorNotADeletion) {
  PushWithShell("ln -s ../specs/b.yaml clusters/b.yaml && git add -A");
  StatusOr<Snapshot> snap = NewLibgit2Source(Options())->Fetch({"clusters"});
  ASSERT_FALSE(snap.ok());
  EXPECT_NE(snap.status().message().find("clusters/b.yaml is a symlink"),
            std::string::npos)
      << snap.status().ToString();
}

TEST_F(GitSafetyTest, SubmoduleClustersDirectoryIsAnErrorNotEmpty) {
  // A gitlink entry, as `git submodule add` makes, without a second repo.
  PushWithShell(
      "git rm -rq clusters && git update-index --add --cacheinfo "
      "160000,$(git rev-parse HEAD),clusters");
  StatusOr<Snapshot> snap = NewLibgit2Source(Options())->Fetch({"clusters"});
  ASSERT_FALSE(snap.ok());
  EXPECT_NE(snap.status().message().find("clusters is a submodule"),
            std::string::npos)
      << snap.status().ToString();
}

}  // namespace
}  // namespace capigitops
