// Fetch and push over ssh against an sshd the test starts on 127.0.0.1, with
// a generated client key and known_hosts.
#include <git2.h>
#include <gtest/gtest.h>

#include <memory>

#include "capigitops/git.h"
#include "git/git_test_util.h"
#include "git/test_servers.h"

namespace capigitops {
namespace {

using testing::GitRemote;
using testing::SshGitServer;
using testing::TempDir;

bool Libgit2HasSsh() {
  git_libgit2_init();
  bool ssh = (git_libgit2_features() & GIT_FEATURE_SSH) != 0;
  git_libgit2_shutdown();
  return ssh;
}

class GitSshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Libgit2HasSsh()) {
      GTEST_SKIP() << "this libgit2 was built without SSH support";
    }
    remote_ = std::make_unique<GitRemote>(
        dir_.Sub("r"), FileSet{{"clusters/a.yaml", "name: a\n"}});
    server_ = std::make_unique<SshGitServer>(dir_.Sub("ssh"));
    if (server_->missing()) GTEST_SKIP() << server_->error();
    ASSERT_TRUE(server_->ok()) << server_->error();
  }

  GitSourceOptions Options() const {
    GitSourceOptions o;
    o.url = server_->Url(remote_->bare());
    o.cache_dir = dir_.Sub("cache");
    o.auth.ssh_key_file = server_->client_key();
    o.auth.known_hosts_file = server_->known_hosts();
    return o;
  }

  TempDir dir_;
  std::unique_ptr<GitRemote> remote_;
  std::unique_ptr<SshGitServer> server_;
};

TEST_F(GitSshTest, FetchAndPushWithAKnownHostKey) {
  auto source = NewLibgit2Source(Options());
  StatusOr<Snapshot> snap = source->Fetch({"clusters"});
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->commit, remote_->Tip());
  EXPECT_EQ(snap->files.at("clusters/a.yaml"), "name: a\n");

  CommitRequest req;
  req.branch = "main";
  req.changes = {{"status/a.yaml", "phase: Ready\n"}};
  req.message = "status: a Ready";
  StatusOr<std::string> sha = source->CommitAndPush(req);
  ASSERT_TRUE(sha.ok()) << sha.status().ToString();
  EXPECT_EQ(*sha, remote_->Tip());
}

TEST_F(GitSshTest, ChangedHostKeyIsRefused) {
  // known_hosts lists another key for this host and port.
  std::string other = dir_.Sub("other");
  ASSERT_EQ(testing::RunShell("ssh-keygen -q -t ed25519 -N '' -f " +
                              testing::Quote(other))
                .exit_code,
            0);
  std::string name = "[127.0.0.1]:" + std::to_string(server_->port());
  GitSourceOptions o = Options();
  o.auth.known_hosts_file = dir_.Sub("wrong_known_hosts");
  testing::WriteFile(o.auth.known_hosts_file,
                     name + " " + testing::ReadFile(other + ".pub"));
  StatusOr<Snapshot> snap = NewLibgit2Source(o)->Fetch({});
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kUnauthenticated)
      << snap.status().ToString();
  EXPECT_NE(snap.status().message().find("ssh host key of " + name +
                                         " does not match"),
            std::string::npos)
      << snap.status().message();
  EXPECT_NE(snap.status().message().find(o.auth.known_hosts_file),
            std::string::npos);
}

TEST_F(GitSshTest, UnknownHostIsRefused) {
  GitSourceOptions o = Options();
  o.auth.known_hosts_file = dir_.Sub("empty_known_hosts");
  testing::WriteFile(o.auth.known_hosts_file, "");
  StatusOr<Snapshot> snap = NewLibgit2Source(o)->Fetch({});
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(snap.status().message().find("unknown ssh host [127.0.0.1]:"),
            std::string::npos)
      << snap.status().message();

  o.auth.known_hosts_file.clear();
  StatusOr<Snapshot> none = NewLibgit2Source(o)->Fetch({});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(none.status().message().find("no known_hosts file"),
            std::string::npos)
      << none.status().message();
}

TEST_F(GitSshTest, KeyTheServerDoesNotKnowIsUnauthenticated) {
  std::string stranger = dir_.Sub("stranger");
  ASSERT_EQ(testing::RunShell("ssh-keygen -q -t ecdsa -b 256 -m PEM -N '' -f " +
                              testing::Quote(stranger))
                .exit_code,
            0);
  GitSourceOptions o = Options();
  o.auth.ssh_key_file = stranger;
  StatusOr<Snapshot> snap = NewLibgit2Source(o)->Fetch({});
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kUnauthenticated)
      << snap.status().ToString();
}

}  // namespace
}  // namespace capigitops
