// Server-side apply through the adapter seam: these hold for the placeholder
// and for the real engine that replaces it.
#include "apply_adapter.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace capigitops::sandbox {
namespace {

json Cm(json data) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", "demo"}, {"namespace", "default"}}},
          {"data", std::move(data)}};
}

ApiOr<json> Apply(const json* live, json applied, const std::string& manager,
                  bool force = false) {
  ApplyInput in;
  in.live = live;
  in.applied = std::move(applied);
  in.manager = manager;
  in.force = force;
  in.now = "2026-01-01T00:00:00Z";
  in.api_version = "v1";
  return RunServerSideApply(in);
}

// Manager names, sorted: the order of managedFields entries is not part of
// the contract.
std::vector<std::string> Managers(const json& obj) {
  std::vector<std::string> out;
  for (const json& e : obj["metadata"].value("managedFields", json::array())) {
    out.push_back(e["manager"]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SandboxApply, CreatesWithManagedFields) {
  ApiOr<json> r = Apply(nullptr, Cm({{"a", "1"}}), "gitops");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()["data"]["a"], "1");
  const json& entry = r.value()["metadata"]["managedFields"][0];
  EXPECT_EQ(entry["manager"], "gitops");
  EXPECT_EQ(entry["operation"], "Apply");
  EXPECT_TRUE(entry["fieldsV1"]["f:data"].contains("f:a"));
}

TEST(SandboxApply, ConflictListsEachFieldOwnedByAnotherManager) {
  json live = Apply(nullptr, Cm({{"a", "1"}, {"b", "1"}}), "helm").value();
  ApiOr<json> r = Apply(&live, Cm({{"a", "2"}, {"b", "2"}}), "gitops");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 409);
  EXPECT_EQ(r.error().reason, "Conflict");
  const json& causes = r.error().details["causes"];
  ASSERT_EQ(causes.size(), 2u);
  EXPECT_EQ(causes[0]["reason"], "FieldManagerConflict");
  EXPECT_EQ(causes[0]["field"], ".data.a");
  EXPECT_EQ(causes[1]["field"], ".data.b");
  EXPECT_NE(r.error().message.find("Apply failed with 2 conflicts"),
            std::string::npos);
}

TEST(SandboxApply, SameValueIsSharedOwnershipNotConflict) {
  json live = Apply(nullptr, Cm({{"a", "1"}}), "helm").value();
  ApiOr<json> r = Apply(&live, Cm({{"a", "1"}}), "gitops");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Managers(r.value()), (std::vector<std::string>{"gitops", "helm"}));
}

TEST(SandboxApply, ForceTakesOwnership) {
  json live = Apply(nullptr, Cm({{"a", "1"}}), "helm").value();
  ApiOr<json> r = Apply(&live, Cm({{"a", "2"}}), "gitops", /*force=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value()["data"]["a"], "2");
  EXPECT_EQ(Managers(r.value()), (std::vector<std::string>{"gitops"}));
}

TEST(SandboxApply, FieldDroppedFromApplyIsRemovedUnlessSharedOwned) {
  json live = Apply(nullptr, Cm({{"a", "1"}, {"b", "1"}}), "gitops").value();
  live = Apply(&live, Cm({{"b", "1"}}), "helm").value();
  ApiOr<json> r = Apply(&live, Cm(json::object()), "gitops");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.value()["data"].contains("a")) << "a had no other owner";
  EXPECT_EQ(r.value()["data"]["b"], "1") << "helm still owns b";
}

TEST(SandboxApply, UpdateTakesChangedFieldsFromAppliers) {
  json live = Apply(nullptr, Cm({{"a", "1"}}), "gitops").value();
  json updated = live;
  updated["data"]["a"] = "manual";
  RecordUpdateManager(&live, &updated, "kubectl-edit", "2026-01-01T00:00:01Z",
                      "v1", "");
  EXPECT_EQ(Managers(updated), (std::vector<std::string>{"kubectl-edit"}));
  ApiOr<json> r = Apply(&updated, Cm({{"a", "1"}}), "gitops");
  ASSERT_FALSE(r.ok()) << "the editor now owns .data.a";
  EXPECT_NE(r.error().message.find("conflict with \"kubectl-edit\" using v1"),
            std::string::npos)
      << r.error().message;
}

TEST(SandboxPatch, MergeAndJsonPatch) {
  json live = Cm({{"a", "1"}, {"b", "2"}});
  ApiOr<json> merged =
      MergePatchObject(live, {{"data", {{"a", nullptr}, {"c", "3"}}}});
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged.value()["data"], (json{{"b", "2"}, {"c", "3"}}));
  ApiOr<json> patched = JsonPatchObject(
      live,
      json::array({{{"op", "replace"}, {"path", "/data/a"}, {"value", "9"}}}));
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ(patched.value()["data"]["a"], "9");
  ApiOr<json> bad = JsonPatchObject(
      live, json::array({{{"op", "remove"}, {"path", "/data/missing"}}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, 422);
}

}  // namespace
}  // namespace capigitops::sandbox
