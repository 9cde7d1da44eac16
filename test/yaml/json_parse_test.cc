#include <gtest/gtest.h>

#include <string>
#include <vector>

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

TEST(ParseJsonListTest, HandsOutEachItemAndKeepsNone) {
  std::vector<nlohmann::json> seen;
  StatusOr<nlohmann::json> list = ParseJsonList(
      R"({"kind":"L","items":[{"metadata":{"name":"a","items":[1]}},)"
      R"({"items":[{"b":2}]},7,[3]],"metadata":{"continue":"t","items":[4]}})",
      "list x", [&](nlohmann::json& item) { seen.push_back(std::move(item)); });
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  // Nested "items" keys are part of an item, not items themselves.
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0]["metadata"]["name"], "a");
  EXPECT_EQ(seen[0]["metadata"]["items"], nlohmann::json({1}));
  EXPECT_EQ(seen[1]["items"][0]["b"], 2);
  EXPECT_EQ(seen[2], 7);
  EXPECT_EQ(seen[3], nlohmann::json({3}));
  EXPECT_EQ((*list)["items"], nlohmann::json::array());
  EXPECT_EQ((*list)["kind"], "L");
  EXPECT_EQ((*list)["metadata"]["continue"], "t");
  EXPECT_EQ((*list)["metadata"]["items"], nlohmann::json({4}));
}

TEST(ParseJsonListTest, ItemsThatAreNoListAndBadTextAreLeftToTheCaller) {
  int seen = 0;
  auto count = [&](nlohmann::json&) { ++seen; };
  StatusOr<nlohmann::json> object =
      ParseJsonList(R"({"items":{"a":{"b":1}}})", "x", count);
  ASSERT_TRUE(object.ok());
  EXPECT_EQ(seen, 0);
  EXPECT_TRUE((*object)["items"].is_object());
  EXPECT_FALSE(ParseJsonList(R"({"items":[{"a":1},)", "x", count).ok());
  EXPECT_FALSE(ParseJsonList(Deep(300), "x", count).ok());
  StatusOr<nlohmann::json> big =
      ParseJsonList(std::string(101, ' '), "b", count, {100});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().message(),
            "b: 101 bytes of JSON, more than the limit of 100");
}

}  // namespace
}  // namespace capigitops::yaml
