#include "selectors.h"

#include <gtest/gtest.h>

namespace capigitops::sandbox {
namespace {

using nlohmann::json;

bool Selects(const std::string& selector, const json& labels) {
  StatusOr<LabelSelector> s = LabelSelector::Parse(selector);
  EXPECT_TRUE(s.ok()) << selector << ": " << s.status().message();
  return s.ok() && s->Matches(labels);
}

TEST(SandboxLabelSelector, EqualityOperators) {
  json labels = {{"app", "web"}, {"tier", "front"}};
  EXPECT_TRUE(Selects("app=web", labels));
  EXPECT_TRUE(Selects("app==web", labels));
  EXPECT_FALSE(Selects("app=db", labels));
  EXPECT_TRUE(Selects("app!=db", labels));
  EXPECT_FALSE(Selects("app!=web", labels));
  EXPECT_TRUE(Selects("missing!=x", labels)) << "!= matches absent labels";
  EXPECT_TRUE(Selects("app=web,tier=front", labels));
  EXPECT_FALSE(Selects("app=web,tier=back", labels));
}

TEST(SandboxLabelSelector, SetOperators) {
  json labels = {{"env", "prod"}};
  EXPECT_TRUE(Selects("env in (dev, prod)", labels));
  EXPECT_FALSE(Selects("env in (dev,test)", labels));
  EXPECT_TRUE(Selects("env notin (dev)", labels));
  EXPECT_FALSE(Selects("env notin (prod,dev)", labels));
  EXPECT_TRUE(Selects("other notin (x)", labels));
  EXPECT_FALSE(Selects("other in (x)", labels));
  EXPECT_TRUE(Selects("env in (prod),env!=dev", labels));
}

TEST(SandboxLabelSelector, ExistenceOperators) {
  json labels = {{"cluster.x-k8s.io/cluster-name", "c1"}};
  EXPECT_TRUE(Selects("cluster.x-k8s.io/cluster-name", labels));
  EXPECT_FALSE(Selects("!cluster.x-k8s.io/cluster-name", labels));
  EXPECT_TRUE(Selects("!absent", labels));
  EXPECT_FALSE(Selects("absent", labels));
  EXPECT_FALSE(Selects("absent", json()));
  EXPECT_TRUE(Selects("", json())) << "an empty selector selects everything";
}

TEST(SandboxLabelSelector, RejectsMalformedInput) {
  for (const char* bad : {"env in (a", "env in a)", "=x", "a=b,", "a b (x)",
                          "env in (a b)", "a=b c"}) {
    EXPECT_FALSE(LabelSelector::Parse(bad).ok()) << bad;
  }
}

TEST(SandboxFieldSelector, NameAndNamespace) {
  json obj = {{"metadata", {{"name", "c1"}, {"namespace", "team-a"}}}};
  StatusOr<FieldSelector> s =
      FieldSelector::Parse("metadata.name=c1,metadata.namespace!=team-b");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->Matches(obj));
  EXPECT_EQ(s->RequiredName(), "c1");
  StatusOr<FieldSelector> other = FieldSelector::Parse("metadata.name==c2");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->Matches(obj));
}

TEST(SandboxFieldSelector, PodPhaseAndNode) {
  json running = {{"metadata", {{"name", "p"}}},
                  {"spec", {{"nodeName", "n1"}}},
                  {"status", {{"phase", "Running"}}}};
  json pending = {{"metadata", {{"name", "q"}}}, {"status", nullptr}};
  StatusOr<FieldSelector> s =
      FieldSelector::Parse("status.phase=Running,spec.nodeName=n1");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->Matches(running));
  EXPECT_FALSE(s->Matches(pending));
  StatusOr<FieldSelector> not_done =
      FieldSelector::Parse("status.phase!=Succeeded");
  ASSERT_TRUE(not_done.ok());
  EXPECT_TRUE(not_done->Matches(pending));
}

TEST(SandboxFieldSelector, RejectsUnsupportedFields) {
  EXPECT_FALSE(FieldSelector::Parse("spec.replicas=3").ok());
  EXPECT_FALSE(FieldSelector::Parse("metadata.name in (a)").ok());
}

}  // namespace
}  // namespace capigitops::sandbox
