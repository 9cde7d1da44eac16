// libgit2 against scripted HTTP servers on 127.0.0.1: a redirect to another
// host never gets the token, and a remote that accepts and never answers
// fails the fetch within the configured timeouts.
#include <gtest/gtest.h>

#include <chrono>

#include "capigitops/git.h"
#include "git/git_test_util.h"
#include "testing/raw_http_server.h"

namespace capigitops {
namespace {

using testing::RawHttpServer;
using testing::RawRequest;
using testing::TempDir;

constexpr char kGitToken[] = "tok-redirect-7c2e";

GitSourceOptions OptionsFor(const TempDir& dir, const std::string& url) {
  GitSourceOptions o;
  o.url = url + "/remote.git";
  o.cache_dir = dir.Sub("cache");
  o.auth.username = "bot";
  o.auth.token_file = dir.Sub("token");
  testing::WriteFile(o.auth.token_file, std::string(kGitToken) + "\n");
  return o;
}

std::string Unauthorized() {
  return RawHttpServer::Reply("401 Unauthorized",
                              "WWW-Authenticate: Basic realm=\"git\"\r\n");
}

TEST(GitNetworkTest, RedirectToAnotherHostNeverGetsTheToken) {
  // The other host asks for credentials, as a phishing host would.
  RawHttpServer elsewhere([](const RawRequest&) { return Unauthorized(); });
  // The configured host authenticates, then redirects.
  RawHttpServer origin([&](const RawRequest& r) {
    if (r.Header("authorization").empty()) return Unauthorized();
    return RawHttpServer::Reply(
        "302 Found", "Location: " + elsewhere.Url() + r.target + "\r\n");
  });
  ASSERT_TRUE(origin.ok() && elsewhere.ok());
  TempDir dir;
  StatusOr<Snapshot> snap =
      NewLibgit2Source(OptionsFor(dir, origin.Url()))->Fetch({});
  ASSERT_FALSE(snap.ok());
  for (const RawRequest& r : elsewhere.requests()) {
    EXPECT_EQ(r.Header("authorization"), "") << r.head;
  }
  EXPECT_EQ(snap.status().message().find(kGitToken), std::string::npos);
  // And redirected before any credentials were asked for.
  RawHttpServer origin2([&](const RawRequest& r) {
    return RawHttpServer::Reply(
        "302 Found", "Location: " + elsewhere.Url() + r.target + "\r\n");
  });
  TempDir dir2;
  snap = NewLibgit2Source(OptionsFor(dir2, origin2.Url()))->Fetch({});
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kUnauthenticated)
      << snap.status().ToString();
  EXPECT_NE(snap.status().message().find("redirected"), std::string::npos)
      << snap.status().message();
  for (const RawRequest& r : elsewhere.requests()) {
    EXPECT_EQ(r.Header("authorization"), "") << r.head;
  }
}

TEST(GitNetworkTest, RemoteThatNeverAnswersFailsWithinTheTimeout) {
  RawHttpServer silent([](const RawRequest&) { return std::string(); });
  ASSERT_TRUE(silent.ok());
  TempDir dir;
  GitSourceOptions o = OptionsFor(dir, silent.Url());
  o.io_timeout_ms = 500;
  auto start = std::chrono::steady_clock::now();
  StatusOr<Snapshot> snap = NewLibgit2Source(o)->Fetch({});
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kUnavailable)
      << snap.status().ToString();
  EXPECT_NE(snap.status().message().find("timed out"), std::string::npos)
      << snap.status().message();
  EXPECT_LT(seconds, 5.0);
  EXPECT_EQ(silent.requests().size(), 1u);
}

TEST(GitNetworkTest, TransferDeadlineBoundsTheWholeFetch) {
  // A per-read timeout far away: the transfer deadline ends it.
  RawHttpServer slow([](const RawRequest&) { return std::string(); });
  ASSERT_TRUE(slow.ok());
  TempDir dir;
  GitSourceOptions o = OptionsFor(dir, slow.Url());
  o.io_timeout_ms = 60000;
  o.transfer_timeout_ms = 700;
  auto start = std::chrono::steady_clock::now();
  StatusOr<Snapshot> snap = NewLibgit2Source(o)->Fetch({});
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ASSERT_FALSE(snap.ok());
  EXPECT_NE(snap.status().message().find("whole transfer"), std::string::npos)
      << snap.status().message();
  EXPECT_LT(seconds, 5.0);
}

}  // namespace
}  // namespace capigitops
