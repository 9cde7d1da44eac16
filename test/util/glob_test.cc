#include "util/glob.h"

#include <gtest/gtest.h>

namespace capigitops {
namespace {

TEST(GlobTest, StarAndQuestionMark) {
  EXPECT_TRUE(GlobMatch("n1-*", "n1-standard-32"));
  EXPECT_FALSE(GlobMatch("n1-*", "n2-standard-32"));
  EXPECT_TRUE(GlobMatch("g4dn.*", "g4dn.xlarge"));
  EXPECT_FALSE(GlobMatch("g4dn.*", "g4dnxlarge"));  // '.' is literal
  EXPECT_TRUE(GlobMatch("us-*", "us-central1"));
  EXPECT_TRUE(GlobMatch("*-west?", "europe-west4"));
  EXPECT_FALSE(GlobMatch("*-west?", "europe-west"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("ml-*-prod", "ml-team-a-prod"));
  EXPECT_FALSE(GlobMatch("ml-*-prod", "ml-team-a-prod2"));
  EXPECT_TRUE(GlobMatch("exact", "exact"));
  EXPECT_FALSE(GlobMatch("exact", "exactly"));
  EXPECT_FALSE(GlobMatch("", "x"));
  EXPECT_TRUE(GlobMatch("**a**", "bab"));
}

TEST(GlobTest, ManyStarsStayFast) {
  std::string text(5000, 'a');
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*b", text));
}

TEST(GlobTest, RejectsWhatWeDoNotImplement) {
  EXPECT_EQ(GlobError("n1-*"), "");
  EXPECT_EQ(GlobError(""), "empty pattern");
  EXPECT_NE(GlobError("n1-[a-z]*"), "");
  EXPECT_NE(GlobError("{a,b}"), "");
  EXPECT_NE(GlobError("us central"), "");
}

}  // namespace
}  // namespace capigitops
