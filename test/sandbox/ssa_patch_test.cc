#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ssa.h"

namespace capigitops::sandbox {
namespace {

using nlohmann::json;

TEST(SsaMergePatchTest, NullDeletesAndObjectsMergeRecursively) {
  json target = R"({"spec": {"a": 1, "b": {"c": 2}, "list": [1, 2]}})"_json;
  json patch =
      R"({"spec": {"a": null, "b": {"d": 3}, "list": [3]}, "x": "y"})"_json;
  StatusOr<json> out = ApplyMergePatch(target, patch);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, json::parse(R"({"spec": {"b": {"c": 2, "d": 3},
                                           "list": [3]}, "x": "y"})"));
}

TEST(SsaMergePatchTest, NonObjectPatchIsRejected) {
  EXPECT_FALSE(ApplyMergePatch(json::object(), json::array({1})).ok());
}

TEST(SsaJsonPatchTest, AppliesEveryOperation) {
  json doc = R"({"a": {"b": [1, 2]}, "m~n": 1, "s/t": 2})"_json;
  json patch = R"([
    {"op": "add", "path": "/a/b/1", "value": 5},
    {"op": "add", "path": "/a/b/-", "value": 9},
    {"op": "remove", "path": "/a/b/0"},
    {"op": "replace", "path": "/m~0n", "value": 10},
    {"op": "copy", "from": "/a/b", "path": "/c"},
    {"op": "move", "from": "/s~1t", "path": "/a/t"},
    {"op": "test", "path": "/c", "value": [5, 2, 9]},
    {"op": "add", "path": "/a/new", "value": {"k": true}}
  ])"_json;
  StatusOr<json> out = ApplyJsonPatch(doc, patch);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, json::parse(R"({"a": {"b": [5, 2, 9], "t": 2,
                                        "new": {"k": true}},
                                  "m~n": 10, "c": [5, 2, 9]})"));
}

TEST(SsaJsonPatchTest, FailedTestAbortsWithMessage) {
  json doc = R"({"spec": {"replicas": 1}})"_json;
  json patch = R"([{"op": "replace", "path": "/spec/replicas", "value": 2},
                   {"op": "test", "path": "/spec/replicas", "value": 1}])"_json;
  StatusOr<json> out = ApplyJsonPatch(doc, patch);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(),
            "testing value /spec/replicas failed: test failed");
}

TEST(SsaJsonPatchTest, MissingTargetsAreErrors) {
  json doc = R"({"a": {"b": [1]}})"_json;
  auto fails = [&](const char* patch) {
    return !ApplyJsonPatch(doc, json::parse(patch)).ok();
  };
  EXPECT_TRUE(fails(R"([{"op": "remove", "path": "/a/x"}])"));
  EXPECT_TRUE(fails(R"([{"op": "replace", "path": "/a/x", "value": 1}])"));
  EXPECT_TRUE(fails(R"([{"op": "add", "path": "/x/y", "value": 1}])"));
  EXPECT_TRUE(fails(R"([{"op": "add", "path": "/a/b/5", "value": 1}])"));
  EXPECT_TRUE(fails(R"([{"op": "remove", "path": "/a/b/01"}])"));
  EXPECT_TRUE(fails(R"([{"op": "move", "from": "/a", "path": "/a/c"}])"));
  EXPECT_TRUE(fails(R"([{"op": "copy", "from": "/nope", "path": "/c"}])"));
  EXPECT_TRUE(fails(R"([{"op": "frobnicate", "path": "/a"}])"));
  EXPECT_TRUE(fails(R"([{"op": "add", "path": "/a/c"}])"));  // no value
  EXPECT_TRUE(fails(R"({"op": "add"})"));                    // not a list
  EXPECT_EQ(
      ApplyJsonPatch(doc, json::parse(R"([{"op": "remove", "path": "/a/x"}])"))
          .status()
          .message(),
      "remove operation does not apply: doc is missing path: \"/a/x\": "
      "missing value");
}

}  // namespace
}  // namespace capigitops::sandbox
