// The real libcurl client against scripted servers on 127.0.0.1: redirects
// to another host never carry the token, a server that never answers ends
// a request (and a pass) in bounded time, and credentials in a server URL
// never reach a message.
#include <gtest/gtest.h>

#include <chrono>

#include "capigitops/kube_client.h"
#include "capigitops/kubeconfig.h"
#include "testing/raw_http_server.h"

namespace capigitops {
namespace {

using testing::RawHttpServer;
using testing::RawRequest;

const ResourceInfo kConfigMaps{"", "v1", "ConfigMap", "configmaps", true};

std::unique_ptr<KubeClient> ClientFor(const std::string& server,
                                      ClientOptions options = {}) {
  RestConfig rc;
  rc.server = server;
  rc.token = "s3cret-token";
  options.max_backoff_ms = 50;
  StatusOr<std::unique_ptr<KubeClient>> c = KubeClient::Create(rc, options);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}

TEST(KubeClientHttpTest, RedirectToAnotherHostIsNotFollowedNorGivenTheToken) {
  RawHttpServer elsewhere([](const RawRequest&) {
    return RawHttpServer::Reply("200 OK", "", "{}");
  });
  RawHttpServer api([&](const RawRequest& r) {
    return RawHttpServer::Reply(
        "302 Found", "Location: " + elsewhere.Url() + r.target + "\r\n");
  });
  ASSERT_TRUE(api.ok() && elsewhere.ok());
  std::unique_ptr<KubeClient> client = ClientFor(api.Url());
  ASSERT_TRUE(client);
  StatusOr<nlohmann::json> got = client->Get(kConfigMaps, "ns", "a");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("does not follow redirects"),
            std::string::npos)
      << got.status().message();
  EXPECT_TRUE(elsewhere.requests().empty());
  ASSERT_EQ(api.requests().size(), 1u);  // not retried either
  EXPECT_EQ(api.requests()[0].Header("authorization"), "Bearer s3cret-token");
}

TEST(KubeClientHttpTest, FrozenServerEndsTheRequestInBoundedTime) {
  // Accepts, reads the request, never answers: a SIGSTOPped API server.
  RawHttpServer frozen([](const RawRequest&) { return std::string(); });
  ASSERT_TRUE(frozen.ok());
  ClientOptions o;
  o.timeout_ms = 300;
  std::unique_ptr<KubeClient> client = ClientFor(frozen.Url(), o);
  auto start = std::chrono::steady_clock::now();
  StatusOr<nlohmann::json> got = client->Get(kConfigMaps, "ns", "a");
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDeadlineExceeded)
      << got.status().ToString();
  EXPECT_TRUE(got.status().transient());
  // One try and one retry of 0.3 s (not max_retries = 6 of them).
  EXPECT_EQ(frozen.requests().size(), 2u);
  EXPECT_LT(seconds, 3.0);
}

TEST(KubeClientHttpTest, PassDeadlineStopsEveryRequestAfterIt) {
  RawHttpServer frozen([](const RawRequest&) { return std::string(); });
  ASSERT_TRUE(frozen.ok());
  ClientOptions o;
  o.timeout_ms = 5000;
  o.pass_timeout_ms = 400;
  std::unique_ptr<KubeClient> client = ClientFor(frozen.Url(), o);
  auto start = std::chrono::steady_clock::now();
  Status first = client->Get(kConfigMaps, "ns", "a").status();
  Status second = client->Get(kConfigMaps, "ns", "b").status();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_EQ(first.code(), StatusCode::kDeadlineExceeded) << first.ToString();
  EXPECT_EQ(second.code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(second.message().find("--pass-timeout"), std::string::npos)
      << second.message();
  EXPECT_LT(seconds, 2.0);
  size_t sent = frozen.requests().size();
  EXPECT_LE(sent, 1u);
  // A new pass gets its time again: the request is sent.
  client->StartPass();
  EXPECT_EQ(client->Get(kConfigMaps, "ns", "c").status().code(),
            StatusCode::kDeadlineExceeded);
  EXPECT_EQ(frozen.requests().size(), sent + 1);
}

TEST(KubeClientHttpTest, CredentialsInTheServerUrlNeverReachAMessage) {
  EXPECT_EQ(RedactUrl("https://admin:hunter2@10.0.0.1:6443/x?y"),
            "https://***@10.0.0.1:6443/x?y");
  EXPECT_EQ(RedactUrl("https://tok@h"), "https://***@h");
  EXPECT_EQ(RedactUrl("https://h:1/a@b"), "https://h:1/a@b");
  EXPECT_EQ(RedactUrl("https://h"), "https://h");
  // Nothing listens on port 1.
  std::unique_ptr<KubeClient> client =
      ClientFor("http://admin:hunter2@127.0.0.1:1");
  ASSERT_TRUE(client);
  Status s = client->Get(kConfigMaps, "ns", "a").status();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("hunter2"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("***@127.0.0.1"), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace capigitops
