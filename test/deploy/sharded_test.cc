// deploy/components/sharded: the controller as N shards, a StatefulSet whose
// pod ordinal is the shard index, rendered with kubectl's kustomize from an
// overlay over deploy/, as docs/deploy.md tells users to.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "capigitops/shard.h"
#include "capigitops/yaml.h"
#include "deploy/manifests.h"
#include "testing/subprocess.h"

namespace capigitops::testutil {
namespace {

using json = nlohmann::json;

constexpr char kComponent[] = "deploy/components/sharded";

// kubectl kustomize of `dir`; empty when kubectl is not installed.
std::vector<json> Kustomize(const std::string& dir) {
  for (const char* kubectl :
       {"/usr/lib/google-cloud-sdk/bin/kubectl.1.32", "/usr/bin/kubectl"}) {
    if (!std::filesystem::exists(kubectl)) continue;
    TempDir cache;
    RunResult r =
        RunProcess({kubectl, "--cache-dir", cache.path(), "kustomize", dir});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Diagnostics diags;
    std::vector<json> out;
    for (const yaml::Node& doc :
         yaml::ParseDocuments(r.out, "kustomize", &diags))
      out.push_back(yaml::ToJson(doc));
    EXPECT_TRUE(diags.empty());
    return out;
  }
  return {};
}

const json* Find(const std::vector<json>& objects, const std::string& kind,
                 const std::string& name) {
  for (const json& o : objects) {
    if (o.value("kind", "") == kind && o["metadata"].value("name", "") == name)
      return &o;
  }
  return nullptr;
}

// An overlay outside deploy/ (kustomize refuses one inside it), with
// relative paths (it refuses absolute ones).
class ShardedComponentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string deploy =
        std::filesystem::relative(SourcePath("deploy"), overlay_.path())
            .string();
    overlay_.Write("kustomization.yaml",
                   "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                   "kind: Kustomization\n"
                   "resources: [" +
                       deploy +
                       "]\n"
                       "components: [" +
                       deploy + "/components/sharded]\n");
  }
  TempDir overlay_;
};

// The files themselves, with or without kubectl.
TEST(ShardedComponentFilesTest, StatefulSetRunsOneShardPerOrdinal) {
  std::vector<std::string> errors;
  std::vector<Manifest> docs =
      ReadManifests(std::string(kComponent) + "/statefulset.yaml", &errors);
  ASSERT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  ASSERT_EQ(docs.size(), 1u);
  const json& sts = docs[0].object;
  EXPECT_EQ(sts["kind"], "StatefulSet");
  const json& c = PodSpecOf(sts)["containers"][0];
  std::string count, index_field;
  for (const json& e : c["env"]) {
    if (e["name"] == "SHARD_COUNT") count = e.value("value", "");
    if (e["name"] == "SHARD_INDEX")
      index_field = e["valueFrom"]["fieldRef"].value("fieldPath", "");
  }
  // N is the replica count, I the pod's ordinal.
  EXPECT_EQ(count, std::to_string(sts["spec"]["replicas"].get<int>()));
  EXPECT_EQ(index_field, "metadata.labels['apps.kubernetes.io/pod-index']");
  std::vector<std::string> args = c["args"].get<std::vector<std::string>>();
  ASSERT_EQ(args[0], "run");
  auto shard = std::find(args.begin(), args.end(), "--shard");
  ASSERT_NE(shard, args.end());
  ASSERT_NE(shard + 1, args.end());
  EXPECT_EQ(*(shard + 1), "$(SHARD_INDEX)/$(SHARD_COUNT)");
  EXPECT_NE(std::find(args.begin(), args.end(), "--leader-elect"), args.end())
      << "each shard elects its leader on its own Lease";
  // Every ordinal makes a valid --shard, and one more would not.
  int n = sts["spec"]["replicas"];
  for (int i = 0; i < n; ++i) {
    StatusOr<Shard> s = ParseShard(std::to_string(i) + "/" + count);
    EXPECT_TRUE(s.ok()) << i;
  }
  EXPECT_FALSE(ParseShard(std::to_string(n) + "/" + count).ok());
  // Its selector selects its pods.
  const json& labels = sts["spec"]["template"]["metadata"]["labels"];
  for (const auto& [k, v] : sts["spec"]["selector"]["matchLabels"].items())
    EXPECT_EQ(labels.value(k, ""), v) << k;
}

TEST_F(ShardedComponentTest, OverlayReplacesTheDeploymentWithTheShards) {
  std::vector<json> plain = Kustomize(SourcePath("deploy"));
  std::vector<json> sharded = Kustomize(overlay_.path());
  if (plain.empty()) GTEST_SKIP() << "kubectl is not installed";
  ASSERT_FALSE(sharded.empty());
  EXPECT_NE(Find(plain, "Deployment", "capi-gitops"), nullptr);
  EXPECT_EQ(Find(sharded, "Deployment", "capi-gitops"), nullptr)
      << "the single-leader Deployment would reconcile next to the shards";
  const json* sts = Find(sharded, "StatefulSet", "capi-gitops-shard");
  ASSERT_NE(sts, nullptr);
  // Every other object of deploy/ is still there, and labelled.
  EXPECT_EQ(sharded.size(), plain.size() + 1);  // + StatefulSet, Service
  for (const json& o : sharded) {
    EXPECT_EQ(
        o.value("/metadata/labels/app.kubernetes.io~1part-of"_json_pointer, ""),
        "capi-gitops")
        << o.value("kind", "") << "/" << o["metadata"].value("name", "");
  }
  // The shards run what the Deployment ran, plus --shard I/N.
  const json& deployment = *Find(plain, "Deployment", "capi-gitops");
  std::vector<std::string> want = PodSpecOf(deployment)["containers"][0]["args"]
                                      .get<std::vector<std::string>>();
  want.insert(want.end(), {"--shard", "$(SHARD_INDEX)/$(SHARD_COUNT)"});
  EXPECT_EQ(PodSpecOf(*sts)["containers"][0]["args"], json(want));
  // Its governing Service is headless and in the build.
  const json* governing =
      Find(sharded, "Service", (*sts)["spec"].value("serviceName", ""));
  ASSERT_NE(governing, nullptr);
  EXPECT_EQ((*governing)["spec"]["clusterIP"], "None");
  // The metrics and webhook Service reaches the shards.
  const json* svc = Find(sharded, "Service", "capi-gitops");
  ASSERT_NE(svc, nullptr);
  const json& pod_labels = (*sts)["spec"]["template"]["metadata"]["labels"];
  for (const auto& [k, v] : (*svc)["spec"]["selector"].items())
    EXPECT_EQ(pod_labels.value(k, ""), v) << k;
}

}  // namespace
}  // namespace capigitops::testutil
