// Fetch and push over smart HTTP: git http-backend behind lighttpd with
// basic auth, started by the test on 127.0.0.1.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <memory>

#include "capigitops/git.h"
#include "git/git_test_util.h"
#include "git/racing_source.h"
#include "git/test_servers.h"

namespace capigitops {
namespace {

using testing::GitRemote;
using testing::HttpGitServer;
using testing::TempDir;

const char kToken[] = "tok-4f9a1c7e-right";
const char kWrongToken[] = "tok-0b3d5e2a-wrong";

class GitHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    remote_ = std::make_unique<GitRemote>(
        dir_.Sub("projects"), FileSet{{"clusters/a.yaml", "name: a\n"}});
    server_ = std::make_unique<HttpGitServer>(
        dir_.Sub(""), dir_.Sub("projects"), "bot", kToken);
    if (server_->missing()) GTEST_SKIP() << server_->error();
    ASSERT_TRUE(server_->ok()) << server_->error();
  }

  GitSourceOptions Options(const std::string& token) const {
    GitSourceOptions o;
    o.url = server_->Url("remote.git");
    o.cache_dir = dir_.Sub("cache");
    o.auth.username = "bot";
    o.auth.token_file = dir_.Sub("token");
    testing::WriteFile(o.auth.token_file, token + "\n");
    return o;
  }

  TempDir dir_;
  std::unique_ptr<GitRemote> remote_;
  std::unique_ptr<HttpGitServer> server_;
};

TEST_F(GitHttpTest, FetchWithTheRightTokenFromFileOrEnvironment) {
  StatusOr<Snapshot> snap = NewLibgit2Source(Options(kToken))->Fetch({});
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->commit, remote_->Tip());
  EXPECT_EQ(snap->files.at("clusters/a.yaml"), "name: a\n");

  GitSourceOptions o = Options(kToken);
  o.auth.token_file.clear();
  o.auth.token_env = "CAPIGITOPS_TEST_GIT_TOKEN";
  setenv("CAPIGITOPS_TEST_GIT_TOKEN", kToken, 1);
  StatusOr<Snapshot> env = NewLibgit2Source(o)->Fetch({});
  unsetenv("CAPIGITOPS_TEST_GIT_TOKEN");
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->commit, remote_->Tip());
}

TEST_F(GitHttpTest, WrongTokenIsUnauthenticatedAndNeverShown) {
  StatusOr<Snapshot> snap = NewLibgit2Source(Options(kWrongToken))->Fetch({});
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kUnauthenticated)
      << snap.status().ToString();
  EXPECT_EQ(snap.status().message().find(kWrongToken), std::string::npos)
      << snap.status().message();
  EXPECT_NE(
      snap.status().message().find("fetching " + server_->Url("remote.git")),
      std::string::npos)
      << snap.status().message();
}

TEST_F(GitHttpTest, TokenInTheUrlIsUsedAndScrubbed) {
  GitSourceOptions o = Options(kToken);
  o.auth = GitAuth{};
  std::string url = server_->Url("remote.git");
  o.url = url.substr(0, 7) + "bot:" + kWrongToken + "@" + url.substr(7);
  StatusOr<Snapshot> wrong = NewLibgit2Source(o)->Fetch({});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong.status().message().find(kWrongToken), std::string::npos)
      << wrong.status().message();
  EXPECT_NE(wrong.status().message().find("bot:***@"), std::string::npos)
      << wrong.status().message();

  o.url = url.substr(0, 7) + "bot:" + kToken + "@" + url.substr(7);
  StatusOr<Snapshot> right = NewLibgit2Source(o)->Fetch({});
  ASSERT_TRUE(right.ok()) << right.status().ToString();
  // The secret is not written into the cache repository's config either.
  EXPECT_EQ(testing::ReadFile(dir_.Sub("cache/config")).find(kToken),
            std::string::npos);
}

TEST_F(GitHttpTest, MissingCredentialsAreUnauthenticated) {
  GitSourceOptions o = Options(kToken);
  o.auth = GitAuth{};
  StatusOr<Snapshot> snap = NewLibgit2Source(o)->Fetch({});
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kUnauthenticated)
      << snap.status().ToString();
}

TEST_F(GitHttpTest, PushOverHttpIncludingARace) {
  GitSourceOptions o = Options(kToken);
  std::string human;
  auto source = testing::NewRacingSource(o, [&](int attempt) {
    if (attempt == 0)
      human = remote_->Push({{"clusters/b.yaml", "b\n"}}, "human");
  });
  CommitRequest req;
  req.branch = "main";
  req.changes = {{"status/a.yaml", "phase: Ready\n"}};
  req.message = "status: a Ready";
  StatusOr<std::string> sha = source->CommitAndPush(req);
  ASSERT_TRUE(sha.ok()) << sha.status().ToString();
  EXPECT_EQ(*sha, remote_->Tip());
  EXPECT_EQ(remote_->Git("rev-parse main~1"), human);
  EXPECT_EQ(remote_->Git("show main:status/a.yaml"), "phase: Ready");
  EXPECT_EQ(remote_->Git("show main:clusters/b.yaml"), "b");
  EXPECT_EQ(remote_->Git("log -1 --format=%an main"), "capi-gitops");
}

TEST_F(GitHttpTest, PushWithAWrongTokenIsUnauthenticated) {
  // Fetching is allowed for nobody without auth here, so this fails early;
  // the point is the code and that the token stays hidden.
  CommitRequest req;
  req.branch = "main";
  req.changes = {{"status/a.yaml", "x\n"}};
  req.message = "m";
  StatusOr<std::string> sha =
      NewLibgit2Source(Options(kWrongToken))->CommitAndPush(req);
  ASSERT_FALSE(sha.ok());
  EXPECT_EQ(sha.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(sha.status().message().find(kWrongToken), std::string::npos);
}

}  // namespace
}  // namespace capigitops
