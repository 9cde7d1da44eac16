#include <gtest/gtest.h>

#include <string>

#include "capigitops/json.h"

namespace capigitops::yaml {
namespace {

std::string Deep(int levels, char open = '[') {
  return std::string(static_cast<size_t>(levels), open);
}

TEST(ParseJsonTest, ParsesWithinTheLimits) {
  StatusOr<nlohmann::json> j = ParseJson(R"({"a": [1, {"b": "[[[["}]})", "x");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)["a"][1]["b"], "[[[[");
  EXPECT_TRUE(ParseJson("[[[]]]", "x", {100, 3}).ok());
}

TEST(ParseJsonTest, TooDeepIsAClearErrorWithAPlace) {
  // 100,000 levels, closed or not: never handed to anything that recurses.
  for (const std::string& text :
       {Deep(100000), Deep(100000, '{'), Deep(50000) + std::string(50000, ']'),
        "{\"a\":" + Deep(300) + "1" + std::string(300, ']') + "}"}) {
    StatusOr<nlohmann::json> j = ParseJson(text, "list clusters");
    ASSERT_FALSE(j.ok());
    EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(j.status().message().rfind(
                  "list clusters: nesting deeper than 256 levels", 0),
              0u)
        << j.status().message();
    EXPECT_NE(j.status().message().find("(line 1, column"), std::string::npos);
  }
  EXPECT_FALSE(ParseJson("[[[[]]]]", "x", {100, 3}).ok());
}

TEST(ParseJsonTest, TooLargeAndInvalidAreErrors) {
  StatusOr<nlohmann::json> big = ParseJson(std::string(101, ' '), "b", {100});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().message(),
            "b: 101 bytes of JSON, more than the limit of 100");
  StatusOr<nlohmann::json> bad = ParseJson("{\"a\":", "c");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "c: invalid JSON");
  EXPECT_TRUE(CheckJsonLimits("not json at all", "c").ok());
  EXPECT_FALSE(CheckJsonLimits(Deep(257), "c").ok());
}

}  // namespace
}  // namespace capigitops::yaml
