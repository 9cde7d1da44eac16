// Fetch from local bare repositories made with the git CLI.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "capigitops/git.h"
#include "git/git_test_util.h"

namespace capigitops {
namespace {

using testing::GitRemote;
using testing::TempDir;

const std::vector<std::string> kSpecPrefixes = {"capi-gitops.yaml", "clusters",
                                                "policies", "status"};

class GitFetchTest : public ::testing::Test {
 protected:
  GitFetchTest()
      : remote_(dir_.Sub("r"), {{"capi-gitops.yaml", "namespace: x\n"},
                                {"clusters/a.yaml", "name: a\n"},
                                {"clusters/team/b.yaml", "name: b\n"},
                                {"policies/p.yaml", "rules: []\n"},
                                {"README.md", "read me\n"}}) {}

  GitSourceOptions Options() const {
    GitSourceOptions o;
    o.url = remote_.bare();
    o.cache_dir = dir_.Sub("cache");
    return o;
  }

  TempDir dir_;
  GitRemote remote_;
};

TEST_F(GitFetchTest, ReadsFilesUnderPrefixesStraightFromTheTree) {
  auto source = NewLibgit2Source(Options());
  StatusOr<Snapshot> snap = source->Fetch(kSpecPrefixes);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->commit, remote_.Tip());
  FileSet want = {{"capi-gitops.yaml", "namespace: x\n"},
                  {"clusters/a.yaml", "name: a\n"},
                  {"clusters/team/b.yaml", "name: b\n"},
                  {"policies/p.yaml", "rules: []\n"}};
  EXPECT_EQ(snap->files, want);
  EXPECT_EQ(snap->prefix_ids.at("status"), "");
  EXPECT_EQ(snap->prefix_ids.at("clusters"),
            remote_.Git("rev-parse main:clusters"));
  // A bare cache: objects and refs, no checked-out files.
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("cache/HEAD")));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("cache/clusters")));
}

TEST_F(GitFetchTest, EmptyPrefixListReadsTheWholeTree) {
  StatusOr<Snapshot> snap = NewLibgit2Source(Options())->Fetch({});
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->files.size(), 5u);
  EXPECT_EQ(snap->files.at("README.md"), "read me\n");
}

TEST_F(GitFetchTest, IncrementalFetchSeesNewCommits) {
  auto source = NewLibgit2Source(Options());
  ASSERT_TRUE(source->Fetch(kSpecPrefixes).ok());
  std::string second =
      remote_.Push({{"clusters/c.yaml", "name: c\n"}}, "add c");

  StatusOr<Snapshot> snap = source->Fetch(kSpecPrefixes);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->commit, second);
  EXPECT_EQ(snap->files.at("clusters/c.yaml"), "name: c\n");

  // A new process reuses the cache directory.
  std::string third = remote_.Push({{"clusters/a.yaml", std::nullopt}}, "rm a");
  StatusOr<Snapshot> again = NewLibgit2Source(Options())->Fetch(kSpecPrefixes);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->commit, third);
  EXPECT_EQ(again->files.count("clusters/a.yaml"), 0u);
}

// libgit2 cannot repack: the cache is emptied and cloned afresh past
// max_cache_packs, so a long-running controller's cache stays bounded.
TEST_F(GitFetchTest, CacheStaysBoundedAcrossManyFetches) {
  GitSourceOptions o = Options();
  o.max_cache_packs = 2;
  auto source = NewLibgit2Source(o);
  auto packs = [&] {
    size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(
             dir_.Sub("cache/objects/pack"), ec)) {
      if (e.path().extension() == ".pack") ++n;
    }
    return n;
  };
  size_t most = 0;
  for (int i = 0; i < 6; ++i) {
    std::string tip = remote_.Push(
        {{"clusters/n.yaml", "name: n" + std::to_string(i) + "\n"}}, "n");
    StatusOr<Snapshot> snap = source->Fetch(kSpecPrefixes);
    ASSERT_TRUE(snap.ok()) << snap.status().ToString();
    EXPECT_EQ(snap->commit, tip);
    EXPECT_EQ(snap->files.at("clusters/n.yaml"),
              "name: n" + std::to_string(i) + "\n");
    most = std::max(most, packs());
  }
  EXPECT_GE(most, 2u) << "fetches add packs";
  EXPECT_LE(most, 3u);
}

TEST_F(GitFetchTest, PinnedRevisionReadsThatCommit) {
  std::string first = remote_.Tip();
  remote_.Push({{"clusters/a.yaml", "name: a2\n"}}, "change a");
  GitSourceOptions o = Options();
  for (std::string rev : {first, first.substr(0, 10)}) {
    o.revision = rev;
    StatusOr<Snapshot> snap = NewLibgit2Source(o)->Fetch(kSpecPrefixes);
    ASSERT_TRUE(snap.ok()) << snap.status().ToString();
    EXPECT_EQ(snap->commit, first);
    EXPECT_EQ(snap->files.at("clusters/a.yaml"), "name: a\n");
  }
}

TEST_F(GitFetchTest, PinnedRevisionMustExistAndBeReachable) {
  GitSourceOptions o = Options();
  o.revision = "0123456789abcdef0123456789abcdef01234567";
  StatusOr<Snapshot> missing = NewLibgit2Source(o)->Fetch(kSpecPrefixes);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("revision 0123456789"),
            std::string::npos);

  // A commit that exists in the cache but only on another branch.
  std::string other = remote_.Push({{"x.yaml", "x\n"}}, "other", "other");
  GitSourceOptions fetch_other = Options();
  fetch_other.branch = "other";
  ASSERT_TRUE(NewLibgit2Source(fetch_other)->Fetch({}).ok());
  o.revision = other;
  StatusOr<Snapshot> unreachable = NewLibgit2Source(o)->Fetch(kSpecPrefixes);
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unreachable.status().message().find("not reachable"),
            std::string::npos);

  o.revision = "HEAD~1";  // expressions are not commit ids
  EXPECT_EQ(NewLibgit2Source(o)->Fetch(kSpecPrefixes).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(GitFetchTest, MissingBranchIsNotFound) {
  GitSourceOptions o = Options();
  o.branch = "does-not-exist";
  StatusOr<Snapshot> snap = NewLibgit2Source(o)->Fetch(kSpecPrefixes);
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kNotFound);
  EXPECT_NE(snap.status().message().find("branch does-not-exist"),
            std::string::npos)
      << snap.status().message();
}

TEST_F(GitFetchTest, BranchDeletedOnTheRemoteIsNotFoundNotStale) {
  remote_.Push({{"x.yaml", "x\n"}}, "feature", "feature");
  GitSourceOptions o = Options();
  o.branch = "feature";
  auto source = NewLibgit2Source(o);
  ASSERT_TRUE(source->Fetch({}).ok());
  ASSERT_FALSE(remote_.Git("branch -D feature").empty());
  EXPECT_EQ(source->Fetch({}).status().code(), StatusCode::kNotFound);
}

TEST_F(GitFetchTest, MissingLocalRepositoryIsUnavailableNotEmpty) {
  for (std::string url : {dir_.Sub("nope.git"), "file://" + dir_.Sub("nope")}) {
    GitSourceOptions o = Options();
    o.url = url;
    StatusOr<Snapshot> snap = NewLibgit2Source(o)->Fetch(kSpecPrefixes);
    ASSERT_FALSE(snap.ok()) << url;
    EXPECT_EQ(snap.status().code(), StatusCode::kUnavailable)
        << snap.status().ToString();
    EXPECT_EQ(snap.status().message().rfind("fetching ", 0), 0u)
        << snap.status().message();
  }
}

TEST_F(GitFetchTest, ClosedHttpPortIsUnavailable) {
  GitSourceOptions o = Options();
  o.url = "http://127.0.0.1:" + std::to_string(testing::FreePort()) + "/r.git";
  StatusOr<Snapshot> snap = NewLibgit2Source(o)->Fetch(kSpecPrefixes);
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kUnavailable)
      << snap.status().ToString();
  EXPECT_NE(snap.status().message().find(o.url + " (branch main)"),
            std::string::npos)
      << snap.status().message();
}

TEST_F(GitFetchTest, CacheDirectoryThatIsNotARepositoryIsRefused) {
  testing::WriteFile(dir_.Sub("cache/junk.txt"), "x");
  StatusOr<Snapshot> snap = NewLibgit2Source(Options())->Fetch(kSpecPrefixes);
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace capigitops
