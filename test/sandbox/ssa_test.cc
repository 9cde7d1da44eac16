#include "ssa.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace capigitops::sandbox {
namespace {

using nlohmann::json;

// A CRD schema with one list of each kind and a closed spec.
const json& WidgetSchema() {
  static const json kSchema = R"({
    "type": "object",
    "properties": {
      "spec": {"type": "object", "properties": {
        "replicas": {"type": "integer"},
        "image": {"type": "string"},
        "ports": {"type": "array", "x-kubernetes-list-type": "map",
                  "x-kubernetes-list-map-keys": ["name"],
                  "items": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "port": {"type": "integer"}}}},
        "tags": {"type": "array", "x-kubernetes-list-type": "set",
                 "items": {"type": "string"}},
        "args": {"type": "array", "items": {"type": "string"}},
        "selector": {"type": "object", "x-kubernetes-map-type": "atomic",
                     "additionalProperties": {"type": "string"}}}},
      "status": {"type": "object", "properties": {
        "ready": {"type": "boolean"}}}
    }
  })"_json;
  return kSchema;
}

json Widget(const json& spec) {
  return {{"apiVersion", "example.com/v1"},
          {"kind", "Widget"},
          {"metadata", {{"name", "w"}, {"namespace", "default"}}},
          {"spec", spec}};
}

ApplyResult MustApply(const json& live, const json& applied,
                      const std::string& manager, const std::string& now,
                      bool force = false) {
  ApplyRequest req;
  req.live = live;
  req.applied = applied;
  req.manager = manager;
  req.force = force;
  req.schema = &WidgetSchema();
  req.now = now;
  req.api_version = "example.com/v1";
  StatusOr<ApplyResult> result = ServerSideApply(req);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : ApplyResult{};
}

// The fieldsV1 of `manager`'s entry with `operation`, or null.
json FieldsOf(const json& object, const std::string& manager,
              const std::string& operation = "Apply") {
  for (const json& entry : object["metadata"]["managedFields"]) {
    if (entry["manager"] == manager && entry["operation"] == operation) {
      return entry["fieldsV1"];
    }
  }
  return nullptr;
}

constexpr char kT1[] = "2026-01-01T00:00:00Z";
constexpr char kT2[] = "2026-01-01T00:01:00Z";
constexpr char kT3[] = "2026-01-01T00:02:00Z";

TEST(SsaApplyTest, CreateRecordsExactManagedFields) {
  json applied =
      Widget({{"replicas", 1}, {"ports", {{{"name", "http"}, {"port", 80}}}}});
  applied["metadata"]["labels"] = {{"app", "a"}};
  ApplyResult r = MustApply(nullptr, applied, "gitops", kT1);
  EXPECT_TRUE(r.created);
  EXPECT_TRUE(r.changed);
  EXPECT_TRUE(r.conflicts.empty());
  json expected_entry = R"({
    "manager": "gitops", "operation": "Apply", "apiVersion": "example.com/v1",
    "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1",
    "fieldsV1": {
      "f:metadata": {"f:labels": {"f:app": {}}},
      "f:spec": {"f:replicas": {},
                 "f:ports": {"k:{\"name\":\"http\"}": {
                   ".": {}, "f:name": {}, "f:port": {}}}}}
  })"_json;
  EXPECT_EQ(r.object["metadata"]["managedFields"],
            json::array({expected_entry}));
  json content = r.object;
  content["metadata"].erase("managedFields");
  EXPECT_EQ(content, applied);
}

TEST(SsaApplyTest, ReapplyingSameConfigChangesNothing) {
  json applied = Widget({{"replicas", 1}});
  ApplyResult first = MustApply(nullptr, applied, "gitops", kT1);
  ApplyResult again = MustApply(first.object, applied, "gitops", kT2);
  EXPECT_FALSE(again.changed);
  EXPECT_EQ(again.object, first.object);
  EXPECT_EQ(again.object["metadata"]["managedFields"][0]["time"], kT1);
}

TEST(SsaApplyTest, OmittingAFieldRemovesIt) {
  ApplyResult first = MustApply(
      nullptr, Widget({{"replicas", 1}, {"image", "nginx"}}), "gitops", kT1);
  ApplyResult second =
      MustApply(first.object, Widget({{"image", "nginx"}}), "gitops", kT2);
  EXPECT_TRUE(second.changed);
  EXPECT_FALSE(second.object["spec"].contains("replicas"));
  EXPECT_EQ(FieldsOf(second.object, "gitops"),
            json::parse(R"({"f:spec": {"f:image": {}}})"));
  EXPECT_EQ(second.object["metadata"]["managedFields"][0]["time"], kT2);
}

TEST(SsaApplyTest, OmittingEveryFieldOfAStructRemovesTheStruct) {
  ApplyResult first =
      MustApply(nullptr, Widget({{"replicas", 1}}), "gitops", kT1);
  json bare = Widget({});
  bare.erase("spec");
  ApplyResult second = MustApply(first.object, bare, "gitops", kT2);
  EXPECT_FALSE(second.object.contains("spec"));
  EXPECT_EQ(second.object["metadata"]["name"], "w");
  // Only metadata.name/namespace were applied: nothing is owned any more.
  EXPECT_FALSE(second.object["metadata"].contains("managedFields"));
}

TEST(SsaApplyTest, SameValueFromTwoManagersIsSharedWithoutConflict) {
  ApplyResult a = MustApply(nullptr, Widget({{"replicas", 1}, {"image", "x"}}),
                            "alpha", kT1);
  ApplyResult b = MustApply(a.object, Widget({{"replicas", 1}}), "beta", kT2);
  EXPECT_TRUE(b.conflicts.empty());
  EXPECT_TRUE(b.changed);  // ownership changed, content did not
  EXPECT_EQ(FieldsOf(b.object, "beta"),
            json::parse(R"({"f:spec": {"f:replicas": {}}})"));
  EXPECT_TRUE(FieldsOf(b.object, "alpha")["f:spec"].contains("f:replicas"));
  // alpha stops applying replicas: beta still owns it, so it stays.
  ApplyResult a2 = MustApply(b.object, Widget({{"image", "x"}}), "alpha", kT3);
  EXPECT_EQ(a2.object["spec"]["replicas"], 1);
  EXPECT_FALSE(FieldsOf(a2.object, "alpha")["f:spec"].contains("f:replicas"));
}

TEST(SsaApplyTest, DifferentValueConflictsWithoutForce) {
  ApplyResult a = MustApply(nullptr, Widget({{"replicas", 1}}), "alpha", kT1);
  ApplyResult b = MustApply(a.object, Widget({{"replicas", 3}}), "beta", kT2);
  ASSERT_EQ(b.conflicts.size(), 1u);
  EXPECT_EQ(b.conflicts[0].manager, "alpha");
  EXPECT_EQ(b.conflicts[0].operation, "Apply");
  EXPECT_EQ(b.conflicts[0].field, ".spec.replicas");
  EXPECT_FALSE(b.changed);
  EXPECT_EQ(b.object, a.object);
  EXPECT_EQ(ApplyConflictMessage(b.conflicts),
            "Apply failed with 1 conflict: conflict with \"alpha\": "
            ".spec.replicas");
  json status = ApplyConflictStatus(b.conflicts);
  EXPECT_EQ(status["code"], 409);
  EXPECT_EQ(status["reason"], "Conflict");
  EXPECT_EQ(status["details"]["causes"][0]["reason"], "FieldManagerConflict");
  EXPECT_EQ(status["details"]["causes"][0]["field"], ".spec.replicas");
}

TEST(SsaApplyTest, ForceMovesOwnershipToTheApplier) {
  ApplyResult a = MustApply(nullptr, Widget({{"replicas", 1}, {"image", "x"}}),
                            "alpha", kT1);
  ApplyResult b =
      MustApply(a.object, Widget({{"replicas", 3}}), "beta", kT2, true);
  EXPECT_TRUE(b.conflicts.empty());
  EXPECT_EQ(b.object["spec"]["replicas"], 3);
  EXPECT_EQ(FieldsOf(b.object, "alpha"),
            json::parse(R"({"f:spec": {"f:image": {}}})"));
  EXPECT_EQ(FieldsOf(b.object, "beta"),
            json::parse(R"({"f:spec": {"f:replicas": {}}})"));
}

TEST(SsaApplyTest, ListMapEntriesOfTwoManagersAreMerged) {
  json http = {{"name", "http"}, {"port", 80}};
  json metrics = {{"name", "metrics"}, {"port", 9090}};
  ApplyResult a = MustApply(nullptr, Widget({{"ports", {http}}}), "alpha", kT1);
  ApplyResult b =
      MustApply(a.object, Widget({{"ports", {metrics}}}), "beta", kT2);
  ASSERT_TRUE(b.conflicts.empty());
  EXPECT_EQ(b.object["spec"]["ports"], json::array({http, metrics}));
  EXPECT_EQ(FieldsOf(b.object, "beta")["f:spec"]["f:ports"],
            json::parse(R"({"k:{\"name\":\"metrics\"}":
                             {".": {}, "f:name": {}, "f:port": {}}})"));
  // Changing beta's entry's port conflicts with nobody; alpha's entry stays.
  json metrics2 = {{"name", "metrics"}, {"port", 9091}};
  ApplyResult b2 =
      MustApply(b.object, Widget({{"ports", {metrics2}}}), "beta", kT3);
  EXPECT_TRUE(b2.conflicts.empty());
  EXPECT_EQ(b2.object["spec"]["ports"], json::array({http, metrics2}));
  // alpha drops its entry: only beta's remains.
  ApplyResult a2 = MustApply(b2.object, Widget(json::object()), "alpha", kT3);
  EXPECT_EQ(a2.object["spec"]["ports"], json::array({metrics2}));
}

TEST(SsaApplyTest, ChangingAnotherManagersListMapEntryConflictsOnTheLeaf) {
  json http = {{"name", "http"}, {"port", 80}};
  ApplyResult a = MustApply(nullptr, Widget({{"ports", {http}}}), "alpha", kT1);
  json http2 = {{"name", "http"}, {"port", 81}};
  ApplyResult b =
      MustApply(a.object, Widget({{"ports", {http2}}}), "beta", kT2);
  ASSERT_EQ(b.conflicts.size(), 1u);
  EXPECT_EQ(b.conflicts[0].field, ".spec.ports[name=\"http\"].port");
}

TEST(SsaApplyTest, SetItemsAreMergedAndOwnedPerValue) {
  ApplyResult a =
      MustApply(nullptr, Widget({{"tags", {"x", "y"}}}), "alpha", kT1);
  ApplyResult b =
      MustApply(a.object, Widget({{"tags", {"z", "y"}}}), "beta", kT2);
  ASSERT_TRUE(b.conflicts.empty());
  // Applied order wins among shared items: z comes before y.
  EXPECT_EQ(b.object["spec"]["tags"], json::array({"x", "z", "y"}));
  EXPECT_EQ(FieldsOf(b.object, "beta")["f:spec"]["f:tags"],
            json::parse(R"({"v:\"y\"": {}, "v:\"z\"": {}})"));
  // alpha drops y and x: y stays (beta owns it), x goes.
  ApplyResult a2 = MustApply(b.object, Widget(json::object()), "alpha", kT3);
  EXPECT_EQ(a2.object["spec"]["tags"], json::array({"z", "y"}));
}

TEST(SsaApplyTest, AtomicListIsOwnedAndReplacedAsAWhole) {
  ApplyResult a =
      MustApply(nullptr, Widget({{"args", {"p", "q"}}}), "alpha", kT1);
  EXPECT_EQ(FieldsOf(a.object, "alpha"),
            json::parse(R"({"f:spec": {"f:args": {}}})"));
  ApplyResult b = MustApply(a.object, Widget({{"args", {"r"}}}), "beta", kT2);
  ASSERT_EQ(b.conflicts.size(), 1u);
  EXPECT_EQ(b.conflicts[0].field, ".spec.args");
  ApplyResult forced =
      MustApply(a.object, Widget({{"args", {"r"}}}), "beta", kT2, true);
  EXPECT_EQ(forced.object["spec"]["args"], json::array({"r"}));
  EXPECT_EQ(FieldsOf(forced.object, "alpha"), nullptr);
}

TEST(SsaApplyTest, AtomicMapIsReplacedAsAWhole) {
  ApplyResult a = MustApply(
      nullptr, Widget({{"selector", {{"a", "1"}, {"b", "2"}}}}), "alpha", kT1);
  ApplyResult a2 =
      MustApply(a.object, Widget({{"selector", {{"c", "3"}}}}), "alpha", kT2);
  EXPECT_EQ(a2.object["spec"]["selector"], json({{"c", "3"}}));
  EXPECT_EQ(FieldsOf(a2.object, "alpha"),
            json::parse(R"({"f:spec": {"f:selector": {}}})"));
}

TEST(SsaApplyTest, UndeclaredFieldIsRejected) {
  ApplyRequest req;
  req.applied = Widget({{"replicaz", 1}});
  req.manager = "gitops";
  req.schema = &WidgetSchema();
  StatusOr<ApplyResult> r = ServerSideApply(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            ".spec.replicaz: field not declared in schema");
}

TEST(SsaApplyTest, ListMapItemWithoutKeyIsRejected) {
  ApplyRequest req;
  req.applied = Widget({{"ports", {{{"port", 80}}}}});
  req.manager = "gitops";
  req.schema = &WidgetSchema();
  StatusOr<ApplyResult> r = ServerSideApply(req);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("omits key field \"name\""),
            std::string::npos)
      << r.status().message();
}

TEST(SsaApplyTest, MainResourceApplyIgnoresStatus) {
  json live = Widget({{"replicas", 1}});
  live["status"] = {{"ready", true}};
  json applied = Widget({{"replicas", 1}});
  applied["status"] = {{"ready", false}};
  ApplyResult r = MustApply(live, applied, "gitops", kT1);
  EXPECT_EQ(r.object["status"]["ready"], true);
  EXPECT_EQ(FieldsOf(r.object, "gitops"),
            json::parse(R"({"f:spec": {"f:replicas": {}}})"));
}

TEST(SsaApplyTest, StatusSubresourceApplyOnlyTouchesStatus) {
  ApplyResult a = MustApply(nullptr, Widget({{"replicas", 1}}), "gitops", kT1);
  ApplyRequest req;
  req.live = a.object;
  req.applied = Widget({{"replicas", 9}});
  req.applied["status"] = {{"ready", true}};
  req.manager = "controller";
  req.schema = &WidgetSchema();
  req.now = kT2;
  req.api_version = "example.com/v1";
  req.subresource = "status";
  StatusOr<ApplyResult> r = ServerSideApply(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->object["spec"]["replicas"], 1);
  EXPECT_EQ(r->object["status"]["ready"], true);
  const json& entries = r->object["metadata"]["managedFields"];
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1]["manager"], "controller");
  EXPECT_EQ(entries[1]["subresource"], "status");
  EXPECT_EQ(entries[1]["fieldsV1"],
            json::parse(R"({"f:status": {"f:ready": {}}})"));
}

TEST(SsaApplyTest, ObjectWithoutManagedFieldsIsOwnedBeforeFirstApply) {
  json live = Widget({{"replicas", 1}, {"image", "x"}});
  ApplyResult r = MustApply(live, Widget({{"replicas", 2}}), "gitops", kT1);
  ASSERT_EQ(r.conflicts.size(), 1u);
  EXPECT_EQ(r.conflicts[0].manager, "before-first-apply");
  EXPECT_EQ(ApplyConflictMessage(r.conflicts),
            "Apply failed with 1 conflict: conflict with "
            "\"before-first-apply\" using example.com/v1 at " +
                std::string(kT1) + ": .spec.replicas");
}

TEST(SsaApplyTest, NullValueIsOwnedAndRemovesTheField) {
  ApplyResult a = MustApply(nullptr, Widget({{"replicas", 1}, {"image", "x"}}),
                            "alpha", kT1);
  ApplyResult b = MustApply(
      a.object, Widget({{"replicas", 1}, {"image", nullptr}}), "alpha", kT2);
  EXPECT_FALSE(b.object["spec"].contains("image"));
  EXPECT_TRUE(FieldsOf(b.object, "alpha")["f:spec"].contains("f:image"));
}

TEST(SsaApplyTest, CreatorOfAPostedObjectOwnsItsFields) {
  json created = UpdateManagedFieldsAfterUpdate(
      nullptr, Widget({{"replicas", 1}}), "kubectl-create", kT1,
      "example.com/v1", &WidgetSchema());
  EXPECT_EQ(FieldsOf(created, "kubectl-create", "Update"),
            json::parse(R"({"f:spec": {".": {}, "f:replicas": {}}})"));
  ApplyResult same =
      MustApply(created, Widget({{"replicas", 1}}), "gitops", kT2);
  EXPECT_TRUE(same.conflicts.empty());
  ApplyResult other =
      MustApply(created, Widget({{"replicas", 2}}), "gitops", kT2);
  ASSERT_EQ(other.conflicts.size(), 1u);
  EXPECT_EQ(other.conflicts[0].manager, "kubectl-create");
  EXPECT_EQ(other.conflicts[0].operation, "Update");
  EXPECT_EQ(other.conflicts[0].time, kT1);
}

TEST(SsaApplyTest, ConflictsWithSeveralManagersAreGrouped) {
  ApplyResult a = MustApply(nullptr, Widget({{"replicas", 1}}), "alpha", kT1);
  ApplyResult b = MustApply(a.object, Widget({{"image", "x"}}), "beta", kT1);
  ApplyResult c = MustApply(b.object, Widget({{"replicas", 2}, {"image", "y"}}),
                            "gamma", kT2);
  ASSERT_EQ(c.conflicts.size(), 2u);
  EXPECT_EQ(ApplyConflictMessage(c.conflicts),
            "Apply failed with 2 conflicts: conflicts with \"alpha\":\n"
            "- .spec.replicas\nconflicts with \"beta\":\n- .spec.image");
}

// Cases from structured-merge-diff merge/set_test.go (TestUpdateSet). Like
// that test's comparison of live objects, the object's items are compared
// as a set; apply_twice_reorder checks the order too.
TEST(SsaApplyTest, SetOrderingMatchesStructuredMergeDiff) {
  struct Case {
    json first, update, second, object, mine, theirs;
  };
  const std::vector<Case> cases = {
      // apply_update_apply_no_overlap
      {{"a", "c"},
       {"a", "b", "c", "d"},
       {"a", "aprime", "c", "cprime"},
       {"a", "aprime", "b", "c", "cprime", "d"},
       {"a", "aprime", "c", "cprime"},
       {"b", "d"}},
      // apply_update_apply_with_overlap
      {{"a", "c"},
       {"a", "b", "c", "d"},
       {"a", "b", "c"},
       {"a", "b", "c", "d"},
       {"a", "b", "c"},
       {"b", "d"}},
      // apply_twice_reorder (no update in between)
      {{"a", "b", "c", "d"},
       nullptr,
       {"a", "d", "c", "b"},
       {"a", "d", "c", "b"},
       {"a", "b", "c", "d"},
       nullptr},
      // apply_update_apply_reorder
      {{"a", "b", "c", "d"},
       {"a", "d", "c", "b"},
       {"a", "b", "c", "d"},
       {"a", "b", "c", "d"},
       {"a", "b", "c", "d"},
       nullptr},
  };
  auto owned = [](const json& fields) {
    if (fields.is_null()) return json(nullptr);
    json values = json::array();
    for (const auto& [key, _] : fields["f:spec"]["f:tags"].items()) {
      values.push_back(json::parse(key.substr(2)));
    }
    return values;
  };
  for (const Case& c : cases) {
    json object =
        MustApply(nullptr, Widget({{"tags", c.first}}), "default", kT1).object;
    if (!c.update.is_null()) {
      json updated = object;
      updated["spec"]["tags"] = c.update;
      object =
          UpdateManagedFieldsAfterUpdate(object, updated, "controller", kT2,
                                         "example.com/v1", &WidgetSchema());
    }
    object =
        MustApply(object, Widget({{"tags", c.second}}), "default", kT3).object;
    json tags = object["spec"]["tags"];
    if (c.second == json({"a", "d", "c", "b"})) {
      EXPECT_EQ(tags, c.object);
    }
    std::sort(tags.begin(), tags.end());
    json want = c.object;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(tags, want) << c.second;
    json mine = owned(FieldsOf(object, "default"));
    std::sort(mine.begin(), mine.end());
    EXPECT_EQ(mine, c.mine);
    EXPECT_EQ(owned(FieldsOf(object, "controller", "Update")), c.theirs);
  }
}

// Random sequences of applies by three managers: whatever the history, an
// applier that re-sends its last accepted configuration changes nothing, and
// every applied value is in the object afterwards. (Not checked when the
// object owns nothing: as in kube, the next apply then first records
// "before-first-apply" ownership.)
TEST(SsaApplyTest, ReapplyIsIdempotentAfterRandomHistories) {
  const std::vector<json> specs = {
      {{"replicas", 1}},
      {{"replicas", 2}, {"tags", {"a", "b"}}},
      {{"ports",
        {{{"name", "p1"}, {"port", 1}}, {{"name", "p2"}, {"port", 2}}}}},
      {{"ports",
        {{{"name", "p2"}, {"port", 2}}, {{"name", "p0"}, {"port", 0}}}},
       {"tags", {"c", "a"}}},
      {{"args", {"x"}}, {"image", "i"}},
      {{"selector", {{"k", "v"}}}, {"tags", {"b"}}},
      json::object(),
  };
  const std::vector<std::string> managers = {"m0", "m1", "m2"};
  unsigned state = 12345;
  auto next = [&](unsigned n) {
    state = state * 1103515245u + 12345u;
    return (state >> 16) % n;
  };
  for (int history = 0; history < 40; ++history) {
    json object = nullptr;
    for (int step = 0; step < 8; ++step) {
      const json config = Widget(specs[next(specs.size())]);
      const std::string manager = managers[next(managers.size())];
      ApplyResult r = MustApply(object, config, manager, kT1, next(2) == 1);
      if (!r.conflicts.empty()) continue;
      object = r.object;
      for (const auto& [field, value] : config["spec"].items()) {
        if (value.is_array() && field != "args") continue;  // merged lists
        EXPECT_EQ(object["spec"][field], value) << field;
      }
      if (!object["metadata"].contains("managedFields")) continue;
      ApplyResult again = MustApply(object, config, manager, kT2);
      EXPECT_TRUE(again.conflicts.empty());
      EXPECT_FALSE(again.changed) << "history " << history << " step " << step
                                  << "\nbefore: " << object.dump()
                                  << "\nafter:  " << again.object.dump();
    }
  }
}

}  // namespace
}  // namespace capigitops::sandbox
