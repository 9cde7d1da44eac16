// Ownership after non-apply writes, and apply against a real CAPI CRD schema.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "capigitops/diagnostic.h"
#include "capigitops/yaml.h"
#include "schema/crd_locator.h"
#include "ssa.h"
#include "ssa_fieldset.h"

namespace capigitops::sandbox {
namespace {

using nlohmann::json;

constexpr char kAt1[] = "2026-01-01T00:00:00Z";
constexpr char kAt2[] = "2026-01-01T00:01:00Z";
constexpr char kAt3[] = "2026-01-01T00:02:00Z";

const json& DeploySchema() {
  static const json kSchema = R"({"type": "object", "properties": {
    "spec": {"type": "object", "properties": {
      "replicas": {"type": "integer"}, "image": {"type": "string"}}}}})"_json;
  return kSchema;
}

json Deploy(const json& spec) {
  return {{"apiVersion", "example.com/v1"},
          {"kind", "Deploy"},
          {"metadata", {{"name", "d"}}},
          {"spec", spec}};
}

ApplyRequest Apply(const json& live, const json& applied,
                   const std::string& now) {
  ApplyRequest req;
  req.live = live;
  req.applied = applied;
  req.manager = "gitops";
  req.schema = &DeploySchema();
  req.now = now;
  req.api_version = "example.com/v1";
  return req;
}

json Entry(const json& object, const std::string& manager) {
  for (const json& e : object["metadata"]["managedFields"]) {
    if (e["manager"] == manager) return e;
  }
  return nullptr;
}

TEST(SsaUpdateTest, UpdateTakesOwnershipOfChangedFields) {
  StatusOr<ApplyResult> applied = ServerSideApply(
      Apply(nullptr, Deploy({{"replicas", 1}, {"image", "x"}}), kAt1));
  ASSERT_TRUE(applied.ok());
  json edited = applied->object;  // clients send managedFields back as read
  edited["spec"]["replicas"] = 5;
  json stored =
      UpdateManagedFieldsAfterUpdate(applied->object, edited, "kubectl-edit",
                                     kAt2, "example.com/v1", &DeploySchema());
  EXPECT_EQ(stored["spec"]["replicas"], 5);
  json update = Entry(stored, "kubectl-edit");
  EXPECT_EQ(update["operation"], "Update");
  EXPECT_EQ(update["time"], kAt2);
  EXPECT_EQ(update["fieldsV1"],
            json::parse(R"({"f:spec": {"f:replicas": {}}})"));
  EXPECT_EQ(Entry(stored, "gitops")["fieldsV1"],
            json::parse(R"({"f:spec": {"f:image": {}}})"));
  // Applying the old value again now conflicts with the updater.
  StatusOr<ApplyResult> again = ServerSideApply(
      Apply(stored, Deploy({{"replicas", 1}, {"image", "x"}}), kAt3));
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->conflicts.size(), 1u);
  EXPECT_EQ(ApplyConflictMessage(again->conflicts),
            "Apply failed with 1 conflict: conflict with \"kubectl-edit\" "
            "using example.com/v1 at 2026-01-01T00:01:00Z: .spec.replicas");
}

TEST(SsaUpdateTest, RemovedFieldLeavesEveryManager) {
  StatusOr<ApplyResult> applied = ServerSideApply(
      Apply(nullptr, Deploy({{"replicas", 1}, {"image", "x"}}), kAt1));
  ASSERT_TRUE(applied.ok());
  StatusOr<json> patched =
      ApplyMergePatch(applied->object, R"({"spec": {"image": null}})"_json);
  ASSERT_TRUE(patched.ok());
  json stored =
      UpdateManagedFieldsAfterUpdate(applied->object, *patched, "sed", kAt2,
                                     "example.com/v1", &DeploySchema());
  EXPECT_EQ(Entry(stored, "gitops")["fieldsV1"],
            json::parse(R"({"f:spec": {"f:replicas": {}}})"));
  EXPECT_EQ(Entry(stored, "sed"), nullptr);  // removing owns nothing
}

TEST(SsaUpdateTest, CreateOwnsEveryFieldWithBuiltinSchema) {
  json cm = R"({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "c", "labels": {"app": "x"}},
                "data": {"a": "1"}})"_json;
  json stored = UpdateManagedFieldsAfterUpdate(nullptr, cm, "kubectl-create",
                                               kAt1, "v1", nullptr);
  ASSERT_EQ(stored["metadata"]["managedFields"].size(), 1u);
  // Created maps are owned themselves ("."), as kube records them.
  EXPECT_EQ(stored["metadata"]["managedFields"][0]["fieldsV1"], json::parse(R"({
    "f:data": {".": {}, "f:a": {}},
    "f:metadata": {"f:labels": {".": {}, "f:app": {}}}})"));
}

TEST(SsaUpdateTest, ApplyToConfigMapOwnsOnlyLeaves) {
  json cm = R"({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "c"}, "data": {"a": "1"}})"_json;
  ApplyRequest req;
  req.applied = cm;
  req.manager = "gitops";
  req.api_version = "v1";
  StatusOr<ApplyResult> r = ServerSideApply(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->object["metadata"]["managedFields"][0]["fieldsV1"],
            json::parse(R"({"f:data": {"f:a": {}}})"));
  req.applied["datta"] = {{"a", "1"}};
  EXPECT_FALSE(ServerSideApply(req).ok());  // ConfigMap schema is closed
}

TEST(SsaUpdateTest, UntrackedObjectStaysUntracked) {
  json live = Deploy({{"replicas", 1}});
  json after = Deploy({{"replicas", 2}});
  json stored = UpdateManagedFieldsAfterUpdate(
      live, after, "kubectl", kAt1, "example.com/v1", &DeploySchema());
  EXPECT_EQ(stored, after);
}

TEST(SsaUpdateTest, SentManagedFieldsCanResetOwnership) {
  StatusOr<ApplyResult> applied =
      ServerSideApply(Apply(nullptr, Deploy({{"replicas", 1}}), kAt1));
  ASSERT_TRUE(applied.ok());
  json reset = applied->object;
  reset["metadata"]["managedFields"] = json::array({json::object()});
  json stored = UpdateManagedFieldsAfterUpdate(
      applied->object, reset, "admin", kAt2, "example.com/v1", &DeploySchema());
  EXPECT_FALSE(stored["metadata"].contains("managedFields"));
  // An empty list keeps what is stored (clients that drop the field).
  json dropped = applied->object;
  dropped["metadata"]["managedFields"] = json::array();
  stored =
      UpdateManagedFieldsAfterUpdate(applied->object, dropped, "admin", kAt2,
                                     "example.com/v1", &DeploySchema());
  EXPECT_EQ(stored, applied->object);
}

// --- A real CAPI CRD: Cluster v1beta2 -------------------------------------

// openAPIV3Schema of Cluster v1beta2, or null when the CRDs are absent.
json ClusterSchema() {
  std::string dir = ::capigitops::testing::FindCrdDir();
  if (dir.empty()) return nullptr;
  std::ifstream in(dir + "/cluster-api/cluster.x-k8s.io_clusters.yaml");
  if (!in) return nullptr;
  std::stringstream text;
  text << in.rdbuf();
  Diagnostics diags;
  auto docs = yaml::ParseDocuments(text.str(), "clusters.yaml", &diags);
  if (docs.empty()) return nullptr;
  json crd = yaml::ToJson(docs[0]);
  for (const json& version : crd["spec"]["versions"]) {
    if (version["name"] == "v1beta2") {
      return version["schema"]["openAPIV3Schema"];
    }
  }
  return nullptr;
}

json Cluster(const json& machine_deployments) {
  json c = R"({"apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Cluster",
               "metadata": {"name": "c1", "namespace": "default"},
               "spec": {"topology": {"classRef": {"name": "quick"},
                                     "version": "v1.31.0"}}})"_json;
  c["spec"]["topology"]["workers"]["machineDeployments"] = machine_deployments;
  return c;
}

TEST(SsaCapiCrdTest, MachineDeploymentsMergePerNameAcrossManagers) {
  json schema = ClusterSchema();
  if (schema.is_null())
    GTEST_SKIP() << ::capigitops::testing::MissingCrdsMessage();
  ApplyRequest req;
  req.applied = Cluster(R"([{"class": "default", "name": "md-0",
      "taints": [{"key": "dedicated", "effect": "NoSchedule", "value": "gpu"}]}])"_json);
  req.manager = "gitops";
  req.schema = &schema;
  req.now = kAt1;
  req.api_version = "cluster.x-k8s.io/v1beta2";
  StatusOr<ApplyResult> a = ServerSideApply(req);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  json md0 = a->object["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]
                      ["f:topology"]["f:workers"]["f:machineDeployments"]
                      ["k:{\"name\":\"md-0\"}"];
  // Multi-key entries are keyed by all keys, sorted by name.
  EXPECT_EQ(md0["f:taints"], json::parse(R"({
      "k:{\"effect\":\"NoSchedule\",\"key\":\"dedicated\"}":
        {".": {}, "f:effect": {}, "f:key": {}, "f:value": {}}})"));

  req.live = a->object;
  req.applied = Cluster(R"([{"class": "default", "name": "md-1"}])"_json);
  req.manager = "autoscaler";
  req.now = kAt2;
  StatusOr<ApplyResult> b = ServerSideApply(req);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_TRUE(b->conflicts.empty());
  json mds = b->object["spec"]["topology"]["workers"]["machineDeployments"];
  ASSERT_EQ(mds.size(), 2u);
  EXPECT_EQ(mds[0]["name"], "md-0");
  EXPECT_EQ(mds[1]["name"], "md-1");

  // Changing md-0's taint value conflicts on that leaf only.
  req.applied = Cluster(R"([{"class": "default", "name": "md-0",
      "taints": [{"key": "dedicated", "effect": "NoSchedule", "value": "cpu"}]}])"_json);
  req.live = b->object;
  StatusOr<ApplyResult> c = ServerSideApply(req);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->conflicts.size(), 1u);
  EXPECT_EQ(c->conflicts[0].field,
            ".spec.topology.workers.machineDeployments[name=\"md-0\"].taints"
            "[effect=\"NoSchedule\",key=\"dedicated\"].value");

  req.applied =
      Cluster(R"([{"class": "default", "name": "md-1", "replicaz": 3}])"_json);
  StatusOr<ApplyResult> bad = ServerSideApply(req);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            ".spec.topology.workers.machineDeployments[name=\"md-1\"]."
            "replicaz: field not declared in schema");
}

TEST(SsaFieldSetTest, FieldsV1RoundTrips) {
  json fields = R"({"f:metadata": {"f:labels": {".": {}, "f:a": {}}},
                    "f:spec": {"f:ports": {"k:{\"name\":\"x\"}": {".": {},
                               "f:name": {}}}, "f:tags": {"v:\"t\"": {}}}})"_json;
  FieldSet set = FieldSet::FromFieldsV1(fields);
  EXPECT_EQ(set.ToFieldsV1(), fields);
  EXPECT_TRUE(set.Has({"f:metadata", "f:labels"}));
  EXPECT_FALSE(set.Has({"f:metadata"}));
  EXPECT_EQ(FieldPathString({"f:spec", "f:tags", "v:\"t\""}),
            ".spec.tags[=\"t\"]");
}

}  // namespace
}  // namespace capigitops::sandbox

namespace capigitops::sandbox {
namespace {

TEST(SsaUpdateTest, OldestUpdateEntriesAreMergedIntoAncientChanges) {
  json object = R"({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "c"}, "data": {"init": "v"}})"_json;
  object = UpdateManagedFieldsAfterUpdate(
      nullptr, object, "creator", "2026-01-01T00:00:00Z", "v1", nullptr);
  for (int i = 0; i < 11; ++i) {
    json next = object;
    next["data"]["k" + std::to_string(i)] = "v";
    char time[32];
    std::snprintf(time, sizeof(time), "2026-01-01T01:%02d:00Z", i);
    object = UpdateManagedFieldsAfterUpdate(
        object, next, "writer-" + std::to_string(i), time, "v1", nullptr);
  }
  const json& entries = object["metadata"]["managedFields"];
  ASSERT_EQ(entries.size(), 10u);
  // creator (owns data itself), writer-0 and writer-1 went into the bucket.
  json bucket = entries[0];
  EXPECT_EQ(bucket["manager"], "ancient-changes");
  EXPECT_EQ(bucket["time"], "2026-01-01T01:01:00Z");
  EXPECT_EQ(bucket["fieldsV1"],
            json::parse(R"({"f:data": {".": {}, "f:init": {}, "f:k0": {},
                                           "f:k1": {}}})"));
  EXPECT_EQ(entries[9]["manager"], "writer-10");
}

}  // namespace
}  // namespace capigitops::sandbox
