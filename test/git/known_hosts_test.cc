#include "git/known_hosts.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <sstream>

#include "capigitops/git.h"
#include "git/git_test_util.h"
#include "git/url.h"

namespace capigitops::git {
namespace {

using capigitops::testing::Quote;
using capigitops::testing::ReadFile;
using capigitops::testing::RunCommand;
using capigitops::testing::TempDir;
using capigitops::testing::WriteFile;

struct PublicKey {
  std::string line;  // "ssh-ed25519 AAAA... comment"
  std::string type;
  std::string base64;
  std::string blob;
};

// Generates a key pair with ssh-keygen and returns its public half.
PublicKey NewKey(const TempDir& dir, const std::string& name) {
  std::string path = dir.Sub(name);
  RunCommand("ssh-keygen -q -t ed25519 -N '' -C test -f " + Quote(path));
  PublicKey key;
  key.line = ReadFile(path + ".pub");
  std::stringstream(key.line) >> key.type >> key.base64;
  key.blob.resize(key.base64.size());
  int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(key.blob.data()),
                      reinterpret_cast<const unsigned char*>(key.base64.data()),
                      static_cast<int>(key.base64.size()));
  size_t pad = key.base64.size() - key.base64.find_last_not_of('=') - 1;
  key.blob.resize(n - pad);
  return key;
}

class GitKnownHostsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (RunCommand("command -v ssh-keygen").exit_code != 0) {
      GTEST_SKIP() << "ssh-keygen (openssh-client) is not installed";
    }
    server_ = NewKey(dir_, "server");
    other_ = NewKey(dir_, "other");
  }
  std::string Entry(const std::string& hosts, const PublicKey& key) const {
    return hosts + " " + key.type + " " + key.base64 + "\n";
  }

  TempDir dir_;
  PublicKey server_, other_;
};

TEST_F(GitKnownHostsTest, AcceptsTheListedKeyForHostAndPort) {
  std::string text = "# comment\n" + Entry("[127.0.0.1]:2222", server_);
  EXPECT_TRUE(CheckKnownHost(text, "kh", "127.0.0.1", 2222, server_.blob).ok());
  EXPECT_TRUE(CheckKnownHost(Entry("git.example.com", server_), "kh",
                             "git.example.com", 22, server_.blob)
                  .ok());
}

TEST_F(GitKnownHostsTest, UnknownHostSaysWhichHostAndWhatToDo) {
  std::string text = Entry("[127.0.0.1]:2222", server_);
  Status s = CheckKnownHost(text, "/etc/kh", "127.0.0.1", 2200, server_.blob);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(s.message().find("unknown ssh host [127.0.0.1]:2200"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("ssh-keyscan -p 2200 127.0.0.1 >> /etc/kh"),
            std::string::npos)
      << s.message();
}

TEST_F(GitKnownHostsTest, ChangedKeyIsRefusedWithTheOfferedFingerprint) {
  std::string text = Entry("git.example.com", other_);
  Status s =
      CheckKnownHost(text, "/etc/kh", "git.example.com", 22, server_.blob);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(s.message().find("host key of git.example.com does not match"),
            std::string::npos)
      << s.message();
  // Same fingerprint as `ssh-keygen -l` prints, so a person can compare.
  std::string printed =
      RunCommand("ssh-keygen -lf " + Quote(dir_.Sub("server.pub"))).output;
  std::string fingerprint = HostKeyFingerprint(server_.blob);
  EXPECT_NE(printed.find(fingerprint), std::string::npos) << printed;
  EXPECT_NE(s.message().find(fingerprint), std::string::npos);
}

TEST_F(GitKnownHostsTest, HashedEntriesMatch) {
  std::string file = dir_.Sub("known_hosts");
  WriteFile(file, Entry("[127.0.0.1]:2222", server_) +
                      Entry("git.example.com", other_));
  ASSERT_EQ(RunCommand("ssh-keygen -q -H -f " + Quote(file)).exit_code, 0);
  std::string hashed = ReadFile(file);
  ASSERT_EQ(hashed.find("127.0.0.1"), std::string::npos) << hashed;
  EXPECT_TRUE(
      CheckKnownHost(hashed, file, "127.0.0.1", 2222, server_.blob).ok());
  EXPECT_TRUE(
      CheckKnownHost(hashed, file, "git.example.com", 22, other_.blob).ok());
  EXPECT_FALSE(
      CheckKnownHost(hashed, file, "git.example.com", 22, server_.blob).ok());
}

TEST_F(GitKnownHostsTest, PatternsWildcardsAndNegation) {
  std::string text = Entry("*.example.com,!evil.example.com,10.0.0.?", server_);
  EXPECT_TRUE(
      CheckKnownHost(text, "kh", "git.example.com", 22, server_.blob).ok());
  EXPECT_TRUE(CheckKnownHost(text, "kh", "10.0.0.7", 22, server_.blob).ok());
  EXPECT_FALSE(
      CheckKnownHost(text, "kh", "evil.example.com", 22, server_.blob).ok());
  EXPECT_FALSE(
      CheckKnownHost(text, "kh", "example.org", 22, server_.blob).ok());
}

TEST_F(GitKnownHostsTest, RevokedKeyIsRefusedEvenWhenAlsoListed) {
  std::string text =
      Entry("git.example.com", server_) + "@revoked " + Entry("*", server_);
  Status s = CheckKnownHost(text, "kh", "git.example.com", 22, server_.blob);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(s.message().find("@revoked"), std::string::npos);
}

TEST(GitUrlTest, ScrubsSecretsFromUrls) {
  EXPECT_EQ(ScrubUrl("https://bot:s3cr3t@git.example.com/r.git"),
            "https://bot:***@git.example.com/r.git");
  EXPECT_EQ(ScrubUrl("https://ghp_abcdefgh@github.com/o/r"),
            "https://***@github.com/o/r");
  EXPECT_EQ(ScrubUrl("ssh://git@host:2222/r.git"), "ssh://git@host:2222/r.git");
  EXPECT_EQ(ScrubUrl("git@github.com:o/r.git"), "git@github.com:o/r.git");
  EXPECT_EQ(ScrubUrl("/srv/git/r.git"), "/srv/git/r.git");
}

TEST(GitUrlTest, ParsesTransportsHostsAndPorts) {
  StatusOr<RemoteUrl> https =
      ParseRemoteUrl("https://bot:tok@h.example:8443/r");
  ASSERT_TRUE(https.ok());
  EXPECT_EQ(https->transport, Transport::kHttps);
  EXPECT_EQ(https->user, "bot");
  EXPECT_EQ(https->password, "tok");
  EXPECT_EQ(https->port, 8443);
  EXPECT_EQ(https->for_libgit2, "https://bot@h.example:8443/r");
  EXPECT_EQ(https->display, "https://bot:***@h.example:8443/r");

  StatusOr<RemoteUrl> ssh =
      ParseRemoteUrl("ssh://git@127.0.0.1:2222/srv/r.git");
  ASSERT_TRUE(ssh.ok());
  EXPECT_EQ(ssh->transport, Transport::kSsh);
  EXPECT_EQ(ssh->host, "127.0.0.1");
  EXPECT_EQ(ssh->port, 2222);

  StatusOr<RemoteUrl> scp = ParseRemoteUrl("git@github.com:o/r.git");
  ASSERT_TRUE(scp.ok());
  EXPECT_EQ(scp->transport, Transport::kSsh);
  EXPECT_EQ(scp->host, "github.com");
  EXPECT_EQ(scp->user, "git");

  StatusOr<RemoteUrl> local = ParseRemoteUrl("repos/r.git");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->transport, Transport::kLocal);
  EXPECT_EQ(local->for_libgit2.front(), '/');

  EXPECT_EQ(ParseRemoteUrl("ftp://h/r").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRemoteUrl("ssh://u:pw@h/r").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRemoteUrl("https://h:99x/r").status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace capigitops::git
