#include "kube/tls_server_name.h"

#include <gtest/gtest.h>

namespace capigitops {
namespace {

TEST(TlsServerNameTest, RoutesTheNameToTheServerAddress) {
  auto route =
      RouteForServerName("https://10.0.0.1:6443", "kubernetes.default");
  ASSERT_TRUE(route.ok()) << route.status().message();
  ASSERT_TRUE(route->has_value());
  const ServerNameRoute& r = **route;
  EXPECT_EQ(r.connect_to, "kubernetes.default:6443:10.0.0.1:6443");
  EXPECT_EQ(r.Rewrite("https://10.0.0.1:6443/api/v1?limit=500"),
            "https://kubernetes.default:6443/api/v1?limit=500");
  // Another server, or a port that only starts the same, is not rewritten.
  EXPECT_EQ(r.Rewrite("https://10.0.0.2:6443/api"), std::nullopt);
  EXPECT_EQ(r.Rewrite("https://10.0.0.1:64430/api"), std::nullopt);
}

TEST(TlsServerNameTest, DefaultPortIpv6AndPathPrefix) {
  auto plain = RouteForServerName("https://api.example.com", "kube.internal");
  ASSERT_TRUE(plain.ok() && plain->has_value());
  EXPECT_EQ((*plain)->connect_to, "kube.internal:443:api.example.com:443");
  EXPECT_EQ((*plain)->Rewrite("https://api.example.com/version"),
            "https://kube.internal:443/version");

  auto v6 = RouteForServerName("https://[fd00::1]:6443/prefix", "k8s");
  ASSERT_TRUE(v6.ok() && v6->has_value());
  EXPECT_EQ((*v6)->connect_to, "k8s:6443:[fd00::1]:6443");
  EXPECT_EQ((*v6)->Rewrite("https://[fd00::1]:6443/prefix/api"),
            "https://k8s:6443/prefix/api");
}

TEST(TlsServerNameTest, NothingToDoWithoutNameOrTls) {
  auto none = RouteForServerName("https://10.0.0.1:6443", "");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto http = RouteForServerName("http://127.0.0.1:8080", "kube.internal");
  ASSERT_TRUE(http.ok());
  EXPECT_FALSE(http->has_value());
}

TEST(TlsServerNameTest, RefusesNamesThatWouldChangeTheUrl) {
  for (const char* bad :
       {"evil.com:443", "a/b", "a b", "user@host", "-x", "[::1]"}) {
    auto r = RouteForServerName("https://10.0.0.1:6443", bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("tls-server-name"), std::string::npos);
  }
  EXPECT_FALSE(RouteForServerName("https://10.0.0.1:x", "k8s").ok());
  EXPECT_FALSE(RouteForServerName("https://", "k8s").ok());
}

}  // namespace
}  // namespace capigitops
