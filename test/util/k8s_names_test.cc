#include "util/k8s_names.h"

#include <gtest/gtest.h>

#include <string>

namespace capigitops {
namespace {

TEST(K8sNamesTest, Dns1123Label) {
  EXPECT_TRUE(IsDns1123Label("a"));
  EXPECT_TRUE(IsDns1123Label("1-abc"));
  EXPECT_TRUE(IsDns1123Label(std::string(63, 'a')));
  EXPECT_FALSE(IsDns1123Label(std::string(64, 'a')));
  EXPECT_FALSE(IsDns1123Label("abc", 2));
  EXPECT_FALSE(IsDns1123Label(""));
  EXPECT_FALSE(IsDns1123Label("-a"));
  EXPECT_FALSE(IsDns1123Label("a-"));
  EXPECT_FALSE(IsDns1123Label("Abc"));
  EXPECT_FALSE(IsDns1123Label("a.b"));
  EXPECT_FALSE(IsDns1123Label("a_b"));
}

TEST(K8sNamesTest, DnsLabelStartsWithALetter) {
  EXPECT_TRUE(IsDnsLabel("gpu-pool-1", 63));
  EXPECT_FALSE(IsDnsLabel("1pool", 63));
  EXPECT_FALSE(IsDnsLabel("abcdef", 5));
}

TEST(K8sNamesTest, Dns1123Subdomain) {
  EXPECT_TRUE(IsDns1123Subdomain("example.com"));
  EXPECT_TRUE(IsDns1123Subdomain("a"));
  EXPECT_TRUE(IsDns1123Subdomain("cluster.x-k8s.io"));
  EXPECT_FALSE(IsDns1123Subdomain(""));
  EXPECT_FALSE(IsDns1123Subdomain("a..b"));
  EXPECT_FALSE(IsDns1123Subdomain(".a"));
  EXPECT_FALSE(IsDns1123Subdomain("a."));
  EXPECT_FALSE(IsDns1123Subdomain("a-.b"));
  EXPECT_FALSE(IsDns1123Subdomain("A.b"));
  // At most 253 bytes in all; each label is not limited to 63 here.
  EXPECT_TRUE(IsDns1123Subdomain(std::string(249, 'a') + ".abc"));
  EXPECT_FALSE(IsDns1123Subdomain(std::string(250, 'a') + ".abc"));
}

TEST(K8sNamesTest, QualifiedNamePartAndLabelValue) {
  EXPECT_TRUE(IsQualifiedNamePart("MyName"));
  EXPECT_TRUE(IsQualifiedNamePart("my.name_1-x"));
  EXPECT_FALSE(IsQualifiedNamePart("_x"));
  EXPECT_FALSE(IsQualifiedNamePart("x-"));
  EXPECT_TRUE(IsLabelValue(""));
  EXPECT_TRUE(IsLabelValue("team-a"));
  EXPECT_TRUE(IsLabelValue(std::string(63, 'v')));
  EXPECT_FALSE(IsLabelValue(std::string(64, 'v')));
  EXPECT_FALSE(IsLabelValue("a b"));
}

TEST(K8sNamesTest, LabelKey) {
  EXPECT_TRUE(IsLabelKey("team"));
  EXPECT_TRUE(IsLabelKey("cluster.x-k8s.io/cluster-name"));
  EXPECT_FALSE(IsLabelKey(""));
  EXPECT_FALSE(IsLabelKey("/name"));
  EXPECT_FALSE(IsLabelKey("example.com/"));
  EXPECT_FALSE(IsLabelKey("Example.com/name"));
  EXPECT_FALSE(IsLabelKey("a/b/c"));
  EXPECT_FALSE(IsLabelKey("x/" + std::string(64, 'n')));
}

}  // namespace
}  // namespace capigitops
