// Label selectors as kubectl's -l takes them (util/label_selector.h).
#include "util/label_selector.h"

#include <gtest/gtest.h>

namespace capigitops {
namespace {

using Labels = std::map<std::string, std::string>;

bool Select(const std::string& selector, const Labels& labels) {
  StatusOr<LabelSelector> s = LabelSelector::Parse(selector);
  EXPECT_TRUE(s.ok()) << selector << ": " << s.status().message();
  return s.ok() && s->Matches(labels);
}

TEST(LabelSelectorTest, EqualityOperators) {
  Labels ml = {{"team", "ml"}, {"env", "dev"}};
  EXPECT_TRUE(Select("team=ml", ml));
  EXPECT_TRUE(Select("team==ml", ml));
  EXPECT_FALSE(Select("team=platform", ml));
  EXPECT_TRUE(Select("team!=platform", ml));
  EXPECT_FALSE(Select("team!=ml", ml));
  // != matches objects without the label, as in Kubernetes.
  EXPECT_TRUE(Select("tier!=gold", ml));
  EXPECT_TRUE(Select(" team = ml , env = dev ", ml));
  EXPECT_FALSE(Select("team=ml,env=prod", ml));
}

TEST(LabelSelectorTest, SetAndExistenceOperators) {
  Labels ml = {{"team", "ml"}, {"gpu", ""}};
  EXPECT_TRUE(Select("team in (ml, platform)", ml));
  EXPECT_FALSE(Select("team in (platform)", ml));
  EXPECT_TRUE(Select("team notin (platform,sre)", ml));
  EXPECT_FALSE(Select("team notin (ml)", ml));
  EXPECT_TRUE(Select("tier notin (gold)", ml));
  EXPECT_TRUE(Select("gpu", ml));
  EXPECT_FALSE(Select("spot", ml));
  EXPECT_TRUE(Select("!spot", ml));
  EXPECT_FALSE(Select("!gpu", ml));
  EXPECT_TRUE(Select("team in (ml,x),gpu,!spot", ml));
  EXPECT_TRUE(Select("", ml));  // selects everything
  EXPECT_TRUE(Select("example.com/tier=a", {{"example.com/tier", "a"}}));
}

TEST(LabelSelectorTest, MalformedSelectorsAreErrors) {
  for (const char* bad : {"team=ml,", "=ml", "team in ()", "team=m l",
                          "team in (a", "te am", "!", "team=a/b"}) {
    StatusOr<LabelSelector> s = LabelSelector::Parse(bad);
    EXPECT_FALSE(s.ok()) << bad;
    if (!s.ok()) {
      EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(s.status().message().find("label selector"), std::string::npos)
          << s.status().message();
    }
  }
}

}  // namespace
}  // namespace capigitops
