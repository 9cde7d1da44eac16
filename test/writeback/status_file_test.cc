#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "capigitops/duration.h"
#include "capigitops/writeback.h"
#include "capigitops/yaml.h"
#include "policy/test_requests.h"

namespace capigitops {
namespace {

using Json = nlohmann::json;

int64_t At(const char* rfc3339) {
  std::optional<int64_t> t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(0);
}

// A provisioned, available v1beta2 Cluster as `kubectl get cluster -o json`
// returns it (trimmed), including conditions the status file leaves out.
constexpr char kLiveCluster[] = R"({
  "apiVersion": "cluster.x-k8s.io/v1beta2",
  "kind": "Cluster",
  "metadata": {
    "name": "llm-train",
    "namespace": "capi-clusters",
    "generation": 2,
    "uid": "5b0f3c3e-8d5f-4c43-9e7a-1f0c2f1b7a10",
    "resourceVersion": "48213",
    "creationTimestamp": "2026-11-27T06:00:02Z",
    "finalizers": ["cluster.cluster.x-k8s.io"],
    "annotations": {"capigitops.io/created-at": "2026-11-27T06:00:00Z"},
    "labels": {"app.kubernetes.io/managed-by": "capi-gitops"}
  },
  "spec": {
    "controlPlaneEndpoint": {"host": "10.0.0.2", "port": 6443},
    "controlPlaneRef": {"apiGroup": "controlplane.cluster.x-k8s.io",
                        "kind": "KubeadmControlPlane", "name": "llm-train"},
    "infrastructureRef": {"apiGroup": "infrastructure.cluster.x-k8s.io",
                          "kind": "GCPCluster", "name": "llm-train"}
  },
  "status": {
    "observedGeneration": 2,
    "phase": "Provisioned",
    "initialization": {"infrastructureProvisioned": true,
                       "controlPlaneInitialized": true},
    "controlPlane": {"desiredReplicas": 3, "replicas": 3, "readyReplicas": 3,
                     "availableReplicas": 3, "upToDateReplicas": 3},
    "workers": {"desiredReplicas": 2, "replicas": 2, "readyReplicas": 2,
                "availableReplicas": 2, "upToDateReplicas": 2},
    "conditions": [
      {"type": "Available", "status": "True", "reason": "Available",
       "message": "", "lastTransitionTime": "2026-11-27T06:09:41Z",
       "observedGeneration": 2},
      {"type": "InfrastructureReady", "status": "True", "reason": "Ready",
       "message": "", "lastTransitionTime": "2026-11-27T06:01:10Z",
       "observedGeneration": 2},
      {"type": "ControlPlaneInitialized", "status": "True",
       "reason": "Initialized", "message": "",
       "lastTransitionTime": "2026-11-27T06:04:55Z", "observedGeneration": 2},
      {"type": "ControlPlaneAvailable", "status": "True",
       "reason": "Available", "message": "",
       "lastTransitionTime": "2026-11-27T06:05:30Z", "observedGeneration": 2},
      {"type": "WorkersAvailable", "status": "True", "reason": "Available",
       "message": "", "lastTransitionTime": "2026-11-27T06:09:41Z",
       "observedGeneration": 2},
      {"type": "RemoteConnectionProbe", "status": "True",
       "reason": "Healthy", "message": "",
       "lastTransitionTime": "2026-11-27T06:05:01Z", "observedGeneration": 2},
      {"type": "ScalingUp", "status": "False", "reason": "NotScalingUp",
       "message": "", "lastTransitionTime": "2026-11-27T06:09:41Z",
       "observedGeneration": 2}
    ],
    "deprecated": {"v1beta1": {"conditions": [
      {"type": "Ready", "status": "True",
       "lastTransitionTime": "2026-11-27T06:09:41Z"}]}}
  }
})";

ClusterRequest LlmTrain() {
  ClusterRequest r = testing::GpuTrainingRequest();
  r.name = "llm-train";
  r.file = "clusters/llm-train.yaml";
  return r;
}

CostEstimate Cost(double min, double max) {
  CostEstimate c;
  c.currency = "USD";
  c.hourly_min = min;
  c.hourly_max = max;
  return c;
}

// The provisioned cluster 2h40m after creation, with its ttl of 4h.
struct Fixture {
  ClusterRequest req = LlmTrain();
  ClusterStatusInput in;
  Fixture() {
    in.name = "llm-train";
    in.request = &req;
    in.live_cluster = Json::parse(kLiveCluster);
    in.applied_revision = "9fceb02d0ae598e95dc970b74767f19372d61af8";
    in.created_at = At("2026-11-27T06:00:00Z");
    in.cost = Cost(3.21, 45.10);
    in.ns = "capi-clusters";
    in.now = At("2026-11-27T08:40:00Z");
  }
};

// The rendered document, parsed back: it must always be valid YAML.
Json Parse(const std::string& text) {
  Diagnostics diags;
  std::vector<yaml::Node> docs = yaml::ParseDocuments(text, "status", &diags);
  EXPECT_TRUE(diags.empty()) << diags[0].ToString() << "\n" << text;
  EXPECT_EQ(docs.size(), 1u) << text;
  return docs.empty() ? Json() : yaml::ToJson(docs[0]);
}

bool HasKey(const Json& v, const std::string& key) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it.key() == key || HasKey(it.value(), key)) return true;
    }
  } else if (v.is_array()) {
    for (const Json& item : v) {
      if (HasKey(item, key)) return true;
    }
  }
  return false;
}

TEST(WritebackStatusTest, ProvisionedClusterGolden) {
  Fixture f;
  EXPECT_EQ(RenderStatusFile(f.in),
            R"(# Written by capi-gitops; do not edit.
apiVersion: capigitops.io/v1alpha1
kind: ClusterStatus
metadata:
  name: llm-train
status:
  phase: Provisioned
  ready: true
  conditions:
  - type: InfrastructureReady
    status: "True"
    reason: Ready
  - type: ControlPlaneInitialized
    status: "True"
    reason: Initialized
  - type: ControlPlaneAvailable
    status: "True"
    reason: Available
  - type: WorkersAvailable
    status: "True"
    reason: Available
  - type: Available
    status: "True"
    reason: Available
  controlPlane:
    desired: 3
    ready: 3
  workers:
    desired: 2
    ready: 2
  kubeconfigSecret: llm-train-kubeconfig
  namespace: capi-clusters
  appliedRevision: 9fceb02d0ae598e95dc970b74767f19372d61af8
  createdAt: 2026-11-27T06:00:00Z
  expiresAt: 2026-11-27T10:00:00Z
  ttl: 4h
  provider: gcp
  owner: ml-research
  estimatedCostPerHour: $3.21-$45.10
)");
}

TEST(WritebackStatusTest, ParsesBackWithTheValuesAReaderExpects) {
  Fixture f;
  Json doc = Parse(RenderStatusFile(f.in));
  const Json& s = doc["status"];
  EXPECT_EQ(doc["kind"], "ClusterStatus");
  EXPECT_EQ(s["ready"], true);
  EXPECT_EQ(s["conditions"][0]["status"], "True");  // a string, not a bool
  EXPECT_EQ(s["controlPlane"]["ready"], 3);
  EXPECT_EQ(s["expiresAt"], "2026-11-27T10:00:00Z");
  EXPECT_FALSE(HasKey(doc, "lastTransitionTime"));
}

TEST(WritebackStatusTest, ConditionMessagesAndNotReady) {
  Fixture f;
  Json& live = *f.in.live_cluster;
  for (Json& c : live["status"]["conditions"]) {
    if (c["type"] == "WorkersAvailable" || c["type"] == "Available") {
      c["status"] = "False";
      c["reason"] = "NotAvailable";
      c["message"] =
          "* MachineDeployment llm-train-gpu: 0 available replicas, at least "
          "1 required";
    }
  }
  live["status"]["workers"]["readyReplicas"] = 0;
  Json s = Parse(RenderStatusFile(f.in))["status"];
  EXPECT_EQ(s["ready"], false);
  EXPECT_EQ(s["workers"], Json({{"desired", 2}, {"ready", 0}}));
  EXPECT_EQ(s["conditions"][3],
            Json({{"type", "WorkersAvailable"},
                  {"status", "False"},
                  {"reason", "NotAvailable"},
                  {"message",
                   "* MachineDeployment llm-train-gpu: 0 available replicas, "
                   "at least 1 required"}}));
}

TEST(WritebackStatusTest, NotReadyUntilTheControllerObservedTheGeneration) {
  Fixture f;
  (*f.in.live_cluster)["metadata"]["generation"] = 3;
  EXPECT_EQ(Parse(RenderStatusFile(f.in))["status"]["ready"], false);
  (*f.in.live_cluster)["status"].erase("observedGeneration");
  EXPECT_EQ(Parse(RenderStatusFile(f.in))["status"]["ready"], true);
}

TEST(WritebackStatusTest, DeterministicWhateverTheLiveOrderAndTransitionTimes) {
  Fixture f;
  std::string first = RenderStatusFile(f.in);
  EXPECT_EQ(RenderStatusFile(f.in), first);

  Json& conds = (*f.in.live_cluster)["status"]["conditions"];
  std::reverse(conds.begin(), conds.end());
  for (Json& c : conds) c["lastTransitionTime"] = "2026-11-27T08:39:00Z";
  (*f.in.live_cluster)["metadata"]["resourceVersion"] = "50117";
  EXPECT_EQ(RenderStatusFile(f.in), first);
}

TEST(WritebackStatusTest, OnlyFactsAreWrittenSoTheClockAloneChangesNothing) {
  Fixture f;
  std::string first = RenderStatusFile(f.in);
  // From 2h40m after creation to a minute before expiry: every relative
  // value (time left, cost so far) moved, no fact did.
  for (const char* now : {"2026-11-27T08:41:00Z", "2026-11-27T09:00:00Z",
                          "2026-11-27T09:59:00Z"}) {
    f.in.now = At(now);
    EXPECT_EQ(RenderStatusFile(f.in), first) << now;
  }
  Json s = Parse(first)["status"];
  EXPECT_FALSE(s.contains("expiresIn"));
  EXPECT_FALSE(s.contains("estimatedCostSoFar"));
  EXPECT_EQ(s["expiresAt"], "2026-11-27T10:00:00Z");  // absolute: a fact
}

TEST(WritebackStatusTest, TheClockIsComputedWhenShown) {
  Fixture f;
  f.in.now = At("2026-11-27T06:40:00Z");  // 3h20m left, $2.14 so far
  EXPECT_EQ(StatusClock(f.in),
            "expires in 3h (2026-11-27T10:00:00Z), at least $2 so far");
  f.in.now = At("2026-11-27T09:25:00Z");
  EXPECT_EQ(StatusClock(f.in),
            "expires in 30m (2026-11-27T10:00:00Z), at least $10 so far");
  f.in.now = At("2026-11-27T10:00:00Z");
  EXPECT_EQ(StatusClock(f.in),
            "expired (2026-11-27T10:00:00Z), at least $12 so far");
  f.in.created_at = 0;  // not created: no expiry time yet, no cost
  EXPECT_EQ(StatusClock(f.in), "expires in 4h");
}

TEST(WritebackStatusTest, NoLiveClusterYet) {
  Fixture f;
  f.in.live_cluster.reset();
  f.in.created_at = 0;
  f.in.applied_revision.clear();
  EXPECT_EQ(RenderStatusFile(f.in),
            R"(# Written by capi-gitops; do not edit.
apiVersion: capigitops.io/v1alpha1
kind: ClusterStatus
metadata:
  name: llm-train
status:
  phase: NotCreated
  ready: false
  namespace: capi-clusters
  ttl: 4h
  provider: gcp
  owner: ml-research
  estimatedCostPerHour: $3.21-$45.10
)");
  // Not created: the expiry must not drift with the clock.
  std::string first = RenderStatusFile(f.in);
  f.in.now += 7 * 86400;
  EXPECT_EQ(RenderStatusFile(f.in), first);
}

TEST(WritebackStatusTest, ExpiredOverrideWithTheSpecGone) {
  Fixture f;
  f.in.request = nullptr;
  f.in.phase_override = "Expired";
  f.in.reason = "ttl 4h expired 2026-11-27T10:00Z; teardown committed";
  f.in.now = At("2026-11-27T10:00:00Z");
  Json s = Parse(RenderStatusFile(f.in))["status"];
  EXPECT_EQ(s["phase"], "Expired");
  EXPECT_EQ(s["reason"],
            "ttl 4h expired 2026-11-27T10:00Z; teardown committed");
  EXPECT_EQ(s["createdAt"], "2026-11-27T06:00:00Z");
  EXPECT_FALSE(s.contains("expiresIn"));
  EXPECT_FALSE(s.contains("owner"));
}

TEST(WritebackStatusTest, ABrokenSpecKeepsTheLastKnownExpiryAndCost) {
  Fixture f;
  Json before = Parse(RenderStatusFile(f.in))["status"];
  f.in.request = nullptr;
  f.in.cost.reset();
  f.in.phase_override = "Blocked";
  f.in.reason = "its spec has errors; the live cluster is left as it is";
  f.in.last_error =
      "clusters/llm-train.yaml:12:17: spec.nodePools[0].replicas: expected "
      "an integer, got \"two\"";
  f.in.last_known = before;
  Json s = Parse(RenderStatusFile(f.in))["status"];
  EXPECT_EQ(s["phase"], "Blocked");
  EXPECT_EQ(s["expiresAt"], "2026-11-27T10:00:00Z");
  EXPECT_EQ(s["estimatedCostPerHour"], "$3.21-$45.10");
  EXPECT_EQ(s["owner"], "ml-research");
  EXPECT_EQ(s["lastError"], f.in.last_error);
  // Still visible when shown: from the expiresAt last committed.
  EXPECT_EQ(StatusClock(f.in), "expires in 1h (2026-11-27T10:00:00Z)");
}

TEST(WritebackStatusTest, DeletionHeldSaysWhyAndHowToRelease) {
  Fixture f;
  f.in.request = nullptr;
  f.in.phase_override = "DeletionHeld";
  f.in.reason = "deletion budget exceeded";
  f.in.held_at_revision = "0123456789abcdef0123456789abcdef01234567";
  f.in.release = "approve it in approvals.yaml";
  Json s = Parse(RenderStatusFile(f.in))["status"];
  EXPECT_EQ(s["phase"], "DeletionHeld");
  EXPECT_EQ(s["reason"], "deletion budget exceeded");
  EXPECT_EQ(s["heldAtRevision"], f.in.held_at_revision);
  EXPECT_EQ(s["release"], "approve it in approvals.yaml");
}

TEST(WritebackStatusTest, BlockedAndDeletingOverridesKeepTheLiveDetails) {
  Fixture f;
  f.in.phase_override = "Blocked";
  f.in.reason = "denied by policy gpu-guardrails rule max-replicas";
  Json s = Parse(RenderStatusFile(f.in))["status"];
  EXPECT_EQ(s["phase"], "Blocked");
  EXPECT_EQ(s["reason"], "denied by policy gpu-guardrails rule max-replicas");
  EXPECT_EQ(s["kubeconfigSecret"], "llm-train-kubeconfig");
  EXPECT_EQ(s["controlPlane"]["desired"], 3);

  f.in.phase_override.clear();
  f.in.reason.clear();
  (*f.in.live_cluster)["metadata"]["deletionTimestamp"] =
      "2026-11-27T10:00:05Z";
  EXPECT_EQ(Parse(RenderStatusFile(f.in))["status"]["phase"], "Deleting");
}

TEST(WritebackStatusTest, PhaseFromCapiBeforeProvisioning) {
  Fixture f;
  Json& status = (*f.in.live_cluster)["status"];
  status["phase"] = "Provisioning";
  status["initialization"]["controlPlaneInitialized"] = false;
  for (Json& c : status["conditions"]) {
    if (c["type"] != "InfrastructureReady") c["status"] = "False";
  }
  Json s = Parse(RenderStatusFile(f.in))["status"];
  EXPECT_EQ(s["phase"], "Provisioning");
  EXPECT_FALSE(s.contains("kubeconfigSecret"));

  status.erase("phase");
  EXPECT_EQ(Parse(RenderStatusFile(f.in))["status"]["phase"], "Pending");
}

TEST(WritebackStatusTest, ReadsTheV1beta2MirrorOfAV1beta1Cluster) {
  Fixture f;
  Json& live = *f.in.live_cluster;
  live["apiVersion"] = "cluster.x-k8s.io/v1beta1";
  Json v1beta2 = {{"conditions", live["status"]["conditions"]},
                  {"controlPlane", live["status"]["controlPlane"]},
                  {"workers", live["status"]["workers"]}};
  live["status"]["conditions"] =
      live["status"]["deprecated"]["v1beta1"]["conditions"];
  live["status"].erase("controlPlane");
  live["status"].erase("workers");
  live["status"]["v1beta2"] = v1beta2;
  Fixture reference;
  EXPECT_EQ(RenderStatusFile(f.in), RenderStatusFile(reference.in));
}

TEST(WritebackStatusTest, TtlNeverAndKeptByDeletionProtection) {
  Fixture f;
  f.req.ttl = {TtlKind::kNever, 0, 0, "never"};
  Json s = Parse(RenderStatusFile(f.in))["status"];
  EXPECT_EQ(s["expiresAt"], "never");
  EXPECT_FALSE(s.contains("ttl"));
  EXPECT_EQ(StatusClock(f.in), "at least $8 so far");

  f.req = LlmTrain();
  f.req.deletion_protection = true;
  f.in.now = At("2026-11-27T12:00:00Z");
  s = Parse(RenderStatusFile(f.in))["status"];
  EXPECT_EQ(s["expiresAt"], "2026-11-27T10:00:00Z");
  EXPECT_EQ(StatusClock(f.in).rfind("expired", 0), 0u);
  EXPECT_EQ(s["reason"],
            DecideTtl(f.req, f.in.created_at, f.in.now).kept_reason);
}

TEST(WritebackStatusTest, LastErrorPassesThroughButSecretDataHasNoWayIn) {
  Fixture f;
  // The caller is responsible for what it passes; the renderer neither hides
  // nor mangles it, and quoting keeps it a single string value.
  f.in.last_error =
      "apply failed: Secret llm-train-kubeconfig: data: {value: "
      "YXBpVmVyc2lvbjogdjEK}\nsecond line # not a comment";
  // A kubeconfig-like payload hidden in the live object must not leak either.
  (*f.in.live_cluster)["data"] = {{"value", "YXBpVmVyc2lvbjogdjEK"}};
  (*f.in.live_cluster)["metadata"]["annotations"]["kubeconfig"] =
      "YXBpVmVyc2lvbjogdjEK";
  std::string text = RenderStatusFile(f.in);
  Json doc = Parse(text);
  EXPECT_EQ(doc["status"]["lastError"], f.in.last_error);
  EXPECT_FALSE(HasKey(doc, "data"));
  EXPECT_FALSE(HasKey(doc, "value"));
  // The only occurrence of the payload is inside lastError.
  size_t first = text.find("YXBpVmVyc2lvbjogdjEK");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(text.find("YXBpVmVyc2lvbjogdjEK", first + 1), std::string::npos);
  EXPECT_EQ(text.find("\ndata:"), std::string::npos);
}

}  // namespace
}  // namespace capigitops
