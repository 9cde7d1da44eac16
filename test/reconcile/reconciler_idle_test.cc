// The idle phase of a pass in-process: FakeGitSource for Git, FakeKubeApi
// for the management cluster, one FakeKubeApi per workload cluster behind a
// FakeWorkloadConnector.
#include <gtest/gtest.h>

#include <functional>

#include "app/builtin_policies.h"
#include "capigitops/duration.h"
#include "capigitops/reconcile.h"
#include "capigitops/writeback.h"
#include "git/fake_git_source.h"
#include "testing/fake_kube_api.h"
#include "testing/fake_workload.h"
#include "testing/forwarding_kube_api.h"

namespace capigitops {
namespace {

using nlohmann::json;
using testing::FakeGitSource;

constexpr char kIdleNs[] = "capi-clusters";

constexpr char kIdleConfig[] =
    "apiVersion: capigitops.io/v1alpha1\n"
    "kind: RepoConfig\n"
    "namespace: capi-clusters\n"
    "kubernetesVersion: v1.33.4\n"
    "providers:\n"
    "  gcp:\n"
    "    project: acme\n"
    "    imageFamily: projects/acme/global/images/family/capi\n"
    "idle:\n"
    "  ignoreNamespaces: [ray-system]\n";

// A GPU cluster with a fixed-size GPU pool and a CPU pool.
std::string SpecText(const std::string& name, const std::string& idle) {
  return "# " + name +
         ": GPU training\n"
         "apiVersion: capigitops.io/v1alpha1\n"
         "kind: ClusterRequest\n"
         "metadata:\n"
         "  name: " +
         name +
         "\n"
         "  labels: {team: ml}\n"
         "spec:\n"
         "  owner: ml-research   # who pays\n"
         "  provider: gcp\n"
         "  region: us-central1\n"
         "  zone: us-central1-c\n"
         "  controlPlane: {replicas: 1, machineType: n2-standard-4}\n"
         "  nodePools:\n"
         "  - name: cpu\n"
         "    machineType: n2-standard-8\n"
         "    replicas: 1\n"
         "  - name: gpu\n"
         "    machineType: n1-standard-8\n"
         "    accelerator: {type: nvidia-tesla-t4, count: 1}\n"
         "    replicas: 2\n"
         "  ttl: 7d\n" +
         idle;
}

// The management API with every Cluster's control plane initialized (the
// fake has no CAPI controllers), and a hook before each real delete.
class IdleManagementApi : public testing::ForwardingKubeApi {
 public:
  explicit IdleManagementApi(FakeKubeApi& inner)
      : ForwardingKubeApi(inner), inner_(inner) {}
  std::function<void(const std::string& kind, const std::string& name)>
      on_delete;

  static void Initialize(json* cluster) {
    (*cluster)["status"]["initialization"]["controlPlaneInitialized"] = true;
  }
  StatusOr<json> Get(const ResourceInfo& r, const std::string& ns,
                     const std::string& name) override {
    StatusOr<json> got = inner_.Get(r, ns, name);
    if (got.ok() && r.kind == "Cluster") Initialize(&*got);
    return got;
  }
  StatusOr<std::vector<json>> List(const ResourceInfo& r, const std::string& ns,
                                   const std::string& selector) override {
    if (r.kind == "HelmReleaseProxy") return releases;
    StatusOr<std::vector<json>> items = inner_.List(r, ns, selector);
    if (items.ok() && r.kind == "Cluster") {
      for (json& c : *items) Initialize(&c);
    }
    return items;
  }
  Status Delete(const ResourceInfo& r, const std::string& ns,
                const std::string& name, const WriteOptions& options) override {
    if (on_delete && !options.dry_run) on_delete(r.kind, name);
    return inner_.Delete(r, ns, name, options);
  }
  // CAAPH's HelmReleaseProxies (the fake has no CAAPH): what tests set.
  std::vector<json> releases;
  StatusOr<ResourceInfo> Resolve(const std::string& api_version,
                                 const std::string& kind) override {
    if (kind == "HelmReleaseProxy") {
      return ResourceInfo{"addons.cluster.x-k8s.io", "v1alpha1", kind,
                          "helmreleaseproxies", true};
    }
    return inner_.Resolve(api_version, kind);
  }

 private:
  FakeKubeApi& inner_;
};

json IdleReadyNode() {
  return {
      {"apiVersion", "v1"},
      {"kind", "Node"},
      {"metadata", {{"name", "node-1"}}},
      {"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

json IdleGpuPod(const std::string& ns, const std::string& phase) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", "train-0"}, {"namespace", ns}}},
          {"spec",
           {{"containers",
             {{{"name", "main"},
               {"image", "trainer"},
               {"resources", {{"limits", {{"nvidia.com/gpu", 1}}}}}}}}}},
          {"status", {{"phase", phase}}}};
}

class ReconcilerIdleTest : public ::testing::Test {
 protected:
  ReconcilerIdleTest() : management_(kube_) {}

  // Workload cluster `name` with a Ready node, reachable.
  FakeKubeApi& Workload(const std::string& name) {
    auto& api = workloads_[name];
    api = std::make_unique<FakeKubeApi>();
    api->ServeWorkloadKinds();
    api->Seed(IdleReadyNode());
    connector_.Add(kIdleNs, name, api.get());
    return *api;
  }

  void PushRepo(const std::map<std::string, std::string>& clusters,
                const std::string& config_extra = "") {
    FakeGitSource::Changes changes;
    changes["capi-gitops.yaml"] = kIdleConfig + config_extra;
    for (const auto& [name, text] : clusters) {
      changes["clusters/" + name + ".yaml"] = text;
    }
    git_.PushFiles(changes, "clusters");
  }

  PassResult Pass(const std::string& now) {
    ReconcileOptions o;
    o.now = *ParseRfc3339(now);
    o.sync.now = o.now;
    o.sync.wait_seconds = 1;
    PassDeps deps{&git_, &git_, &management_, &BuiltinPolicyFiles(),
                  &connector_};
    return RunPass(deps, o);
  }

  static std::string Notes(const PassResult& r) {
    std::string out;
    for (const PassNote& n : r.notes) out += n.text + "\n";
    return out;
  }

  json Cluster(const std::string& name) {
    return kube_.Stored("cluster.x-k8s.io/v1beta2", "Cluster", kIdleNs, name);
  }
  bool Live(const std::string& name) { return !Cluster(name).is_null(); }
  std::string Annotation(const std::string& name, const char* key) {
    return Cluster(name)["metadata"]
        .value("annotations", json::object())
        .value(key, "");
  }
  json Deployment(const std::string& cluster, const std::string& pool) {
    return kube_.Stored("cluster.x-k8s.io/v1beta2", "MachineDeployment",
                        kIdleNs, cluster + "-" + pool);
  }
  std::string Spec(const std::string& name) {
    return git_.Files().at("clusters/" + name + ".yaml");
  }
  // The status file's estimatedCostPerHour ("" when none).
  std::string CostPerHour(const std::string& name) {
    const std::string& status = git_.Files().at("status/" + name + ".yaml");
    size_t at = status.find("estimatedCostPerHour: ");
    if (at == std::string::npos) return "";
    at += 22;
    return status.substr(at, status.find('\n', at) - at);
  }

  FakeGitSource git_;
  FakeKubeApi kube_;
  IdleManagementApi management_;
  FakeWorkloadConnector connector_;
  std::map<std::string, std::unique_ptr<FakeKubeApi>> workloads_;
};

constexpr char kTeardownIdle[] = "  idle: {after: 30m}\n";

TEST_F(ReconcilerIdleTest, IdleClusterIsTornDownByACommitFirst) {
  PushRepo({{"gpu-a", SpecText("gpu-a", kTeardownIdle)},
            {"gpu-b", SpecText("gpu-b", kTeardownIdle)},
            {"gpu-c", SpecText("gpu-c", kTeardownIdle)}});
  Workload("gpu-a");
  Workload("gpu-b").Seed(IdleGpuPod("ml", "Running"));
  connector_.Fail(kIdleNs, "gpu-c", Status::Unavailable("connection refused"));
  ASSERT_EQ(Pass("2026-12-03T10:00:00Z").outcome(), PassOutcome::kSuccess);
  ASSERT_TRUE(Live("gpu-a"));

  PassResult r = Pass("2026-12-03T10:05:00Z");
  EXPECT_EQ(r.outcome(), PassOutcome::kSuccess) << Notes(r);
  EXPECT_EQ(Annotation("gpu-a", kIdleSinceAnnotation), "2026-12-03T10:05:00Z");
  EXPECT_EQ(Annotation("gpu-b", kIdleSinceAnnotation), "");
  EXPECT_EQ(Annotation("gpu-c", kIdleSinceAnnotation), "");
  EXPECT_EQ(r.idle_seconds.at("gpu-a"), 0);
  EXPECT_NE(Notes(r).find("gpu-c: idle: counted as busy"), std::string::npos)
      << Notes(r);
  const std::string& status_c = git_.Files().at("status/gpu-c.yaml");
  EXPECT_NE(status_c.find("state: unreadable"), std::string::npos) << status_c;
  EXPECT_NE(git_.Files()
                .at("status/gpu-a.yaml")
                .find("next: teardown at 2026-12-03T10:35:00Z"),
            std::string::npos);

  // A later pass with nothing new: the clock is kept, nothing committed.
  // The spec changes, so the Cluster is applied again: the clock (another
  // field manager's annotation) survives it.
  std::string relabeled = Spec("gpu-a");
  relabeled.replace(relabeled.find("{team: ml}"), 10, "{team: ml2}");
  git_.PushFiles({{"clusters/gpu-a.yaml", relabeled}}, "relabel");
  size_t commits = git_.History().size();
  r = Pass("2026-12-03T10:20:00Z");
  EXPECT_EQ(r.outcome(), PassOutcome::kSuccess) << Notes(r);
  EXPECT_EQ(Cluster("gpu-a")["metadata"]["labels"].value("team", ""), "ml2");
  EXPECT_EQ(Annotation("gpu-a", kIdleSinceAnnotation), "2026-12-03T10:05:00Z");
  EXPECT_EQ(r.idle_seconds.at("gpu-a"), 15 * 60);
  r = Pass("2026-12-03T10:25:00Z");
  EXPECT_TRUE(r.status_commit.empty()) << "nothing changed";
  EXPECT_LE(git_.History().size(), commits + 1);

  bool spec_gone_at_delete = false;
  management_.on_delete = [&](const std::string& kind,
                              const std::string& name) {
    if (kind == "Cluster" && name == "gpu-a") {
      spec_gone_at_delete = git_.Files().count("clusters/gpu-a.yaml") == 0;
    }
  };
  r = Pass("2026-12-03T10:36:00Z");
  ASSERT_EQ(r.teardown_commits.size(), 1u) << Notes(r);
  EXPECT_TRUE(spec_gone_at_delete);
  EXPECT_FALSE(Live("gpu-a"));
  EXPECT_TRUE(Live("gpu-b")) << "a running GPU pod keeps it";
  EXPECT_TRUE(Live("gpu-c")) << "unreadable is never idle";
  EXPECT_EQ(r.idle_decisions.at("teardown"), 1);
  bool found = false;
  for (const FakeGitSource::Commit& c : git_.History()) {
    if (c.sha != r.teardown_commits[0]) continue;
    found = true;
    EXPECT_EQ(c.message.substr(0, c.message.find('\n')),
              "idle: tear down gpu-a: no GPU pods or active Jobs since "
              "2026-12-03T10:05Z (idle 30m, owner ml-research)");
    EXPECT_EQ(c.files.count("clusters/gpu-a.yaml"), 0u);
  }
  EXPECT_TRUE(found);
  // The teardown is an Event on the Cluster, with the commit's subject.
  StatusOr<ResourceInfo> events = kube_.Resolve("v1", "Event");
  ASSERT_TRUE(events.ok());
  StatusOr<std::vector<nlohmann::json>> listed =
      kube_.List(*events, kIdleNs, "");
  ASSERT_TRUE(listed.ok());
  int torn_down = 0;
  for (const nlohmann::json& e : *listed) {
    if (e.value("reason", "") != "TornDown") continue;
    ++torn_down;
    EXPECT_EQ(e["involvedObject"]["name"], "gpu-a");
    EXPECT_EQ(e.value("message", "").rfind("idle: tear down gpu-a: ", 0), 0u)
        << e["message"];
  }
  EXPECT_EQ(torn_down, 1);

  // Days later: still no teardown of the unreadable one (the TTL of 7d has
  // not ended).
  r = Pass("2026-12-05T10:00:00Z");
  EXPECT_TRUE(Live("gpu-c")) << Notes(r);
  EXPECT_TRUE(Live("gpu-b"));
}

// The promise: a cluster whose GPU work is over is gone within
// idle.after plus one pass interval. Passes every 7 minutes as `run` makes
// them (the interval, or earlier when the pass says an idle action is due).
TEST_F(ReconcilerIdleTest, GoneWithinIdleAfterPlusOneInterval) {
  PushRepo({{"gpu-a", SpecText("gpu-a", kTeardownIdle)}});
  FakeKubeApi& workload = Workload("gpu-a");
  workload.Seed(IdleGpuPod("ml", "Running"));
  const int64_t interval = 7 * 60;
  const int64_t start = *ParseRfc3339("2026-12-03T10:00:00Z");
  const int64_t over = *ParseRfc3339("2026-12-03T10:10:00Z");  // work ends
  bool ended = false;
  int64_t gone_at = 0;
  for (int64_t t = start; t < over + 3 * 3600 && gone_at == 0;) {
    if (!ended && t >= over) {
      workload.Seed(IdleGpuPod("ml", "Succeeded"));
      ended = true;
    }
    PassResult r = Pass(FormatRfc3339(t));
    ASSERT_EQ(r.outcome(), PassOutcome::kSuccess) << Notes(r);
    if (!Live("gpu-a")) gone_at = t;
    int64_t next = t + interval;
    if (r.next_idle_action_in) {
      next = std::min(next, t + *r.next_idle_action_in + 1);
    }
    t = next;
  }
  ASSERT_NE(gone_at, 0) << "never torn down";
  EXPECT_GE(gone_at, over + 30 * 60) << "not before idle.after";
  EXPECT_LE(gone_at, over + 30 * 60 + interval) << FormatRfc3339(gone_at);
}

// A cluster that is usable (its nodes answer) but whose GPU work cannot be
// read is never idle, however long that lasts, and its status says why.
TEST_F(ReconcilerIdleTest, UnreadableSignalsNeverLeadToATeardown) {
  PushRepo({{"gpu-a", SpecText("gpu-a", kTeardownIdle)}});
  FakeKubeApi& workload = Workload("gpu-a");
  ASSERT_EQ(Pass("2026-12-03T10:00:00Z").outcome(), PassOutcome::kSuccess);
  Pass("2026-12-03T10:05:00Z");
  ASSERT_EQ(Annotation("gpu-a", kIdleSinceAnnotation), "2026-12-03T10:05:00Z");
  workload.FailOn("list", "Pod", Status::Unavailable("connection reset"));
  for (const char* now : {"2026-12-03T10:30:00Z", "2026-12-03T10:40:00Z",
                          "2026-12-04T10:00:00Z"}) {
    PassResult r = Pass(now);
    EXPECT_TRUE(Live("gpu-a")) << now << "\n" << Notes(r);
    EXPECT_EQ(r.idle_decisions.count("teardown"), 0u);
    EXPECT_EQ(Annotation("gpu-a", kIdleSinceAnnotation), "") << now;
  }
  const std::string& status = git_.Files().at("status/gpu-a.yaml");
  EXPECT_NE(status.find("usable: true"), std::string::npos) << status;
  EXPECT_NE(status.find("state: unreadable"), std::string::npos) << status;
  EXPECT_NE(status.find("listing Pods: workload API unreachable: cannot "
                        "connect"),
            std::string::npos)
      << status;
  EXPECT_EQ(status.find("connection reset"), std::string::npos)
      << "the error's text varies; the status file's does not";
}

TEST_F(ReconcilerIdleTest, PodsInIgnoredNamespacesDoNotKeepItAlive) {
  PushRepo({{"gpu-a", SpecText("gpu-a", kTeardownIdle)}});
  Workload("gpu-a").Seed(IdleGpuPod("ray-system", "Running"));
  ASSERT_EQ(Pass("2026-12-03T10:00:00Z").outcome(), PassOutcome::kSuccess);
  Pass("2026-12-03T10:05:00Z");
  EXPECT_EQ(Annotation("gpu-a", kIdleSinceAnnotation), "2026-12-03T10:05:00Z");
}

// The GPU operator's own pods (validators, exporters) run in its release
// namespace, which the catalog names: they are not user work. And the clock
// only starts once the cluster is usable as its status says: here, once the
// GPU operator is delivered.
TEST_F(ReconcilerIdleTest, ClockWaitsForUsableAndAddonPodsAreNotWork) {
  PushRepo({{"gpu-a", SpecText("gpu-a", kTeardownIdle)}});
  git_.PushFiles({{"addons/gpu-operator.yaml",
                   "apiVersion: capigitops.io/v1alpha1\n"
                   "kind: Addon\n"
                   "metadata: {name: gpu-operator}\n"
                   "spec:\n"
                   "  provides: gpu\n"
                   "  providers: [gcp]\n"
                   "  helm:\n"
                   "    repoURL: https://helm.ngc.nvidia.com/nvidia\n"
                   "    chart: gpu-operator\n"
                   "    version: v25.10.1\n"
                   "    namespace: gpu-operator\n"
                   "    reconcileStrategy: InstallOnce\n"}},
                 "the GPU operator");
  Workload("gpu-a").Seed(IdleGpuPod("gpu-operator", "Running"));
  PassResult r = Pass("2026-12-03T10:00:00Z");
  ASSERT_EQ(r.outcome(), PassOutcome::kSuccess) << Notes(r);
  // A Ready node and nothing busy, but the GPU operator is not delivered:
  // not usable, so no clock, however long it stays so.
  for (const char* now : {"2026-12-03T10:05:00Z", "2026-12-03T12:00:00Z"}) {
    r = Pass(now);
    EXPECT_EQ(Annotation("gpu-a", kIdleSinceAnnotation), "") << now;
    EXPECT_TRUE(Live("gpu-a"));
    EXPECT_EQ(r.idle_decisions.count("teardown"), 0u);
  }
  const std::string& status = git_.Files().at("status/gpu-a.yaml");
  EXPECT_NE(status.find("usableReason: add-on gpu-operator Pending"),
            std::string::npos)
      << status;
  EXPECT_NE(status.find("state: not-usable"), std::string::npos) << status;
  EXPECT_NE(status.find("the clock starts once the cluster is usable (add-on "
                        "gpu-operator Pending)"),
            std::string::npos)
      << status;

  // CAAPH delivers it: usable, and the clock starts at that pass.
  StatusOr<ResourceInfo> hcp_kind =
      kube_.Resolve("addons.cluster.x-k8s.io/v1alpha1", "HelmChartProxy");
  ASSERT_TRUE(hcp_kind.ok());
  StatusOr<std::vector<json>> hcps = kube_.List(*hcp_kind, kIdleNs, "");
  ASSERT_TRUE(hcps.ok() && hcps->size() == 1u);
  std::string hcp = (*hcps)[0]["metadata"]["name"];
  management_.releases.push_back(
      {{"apiVersion", "addons.cluster.x-k8s.io/v1alpha1"},
       {"kind", "HelmReleaseProxy"},
       {"metadata",
        {{"name", hcp + "-gpu-a"},
         {"namespace", kIdleNs},
         {"labels",
          {{"cluster.x-k8s.io/cluster-name", "gpu-a"},
           {"helmreleaseproxy.addons.cluster.x-k8s.io/helmchartproxy-name",
            hcp}}}}},
       {"spec", {{"clusterRef", {{"name", "gpu-a"}}}}},
       {"status",
        {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}});
  r = Pass("2026-12-03T12:05:00Z");
  EXPECT_EQ(Annotation("gpu-a", kIdleSinceAnnotation), "2026-12-03T12:05:00Z")
      << Notes(r);
  EXPECT_NE(git_.Files().at("status/gpu-a.yaml").find("usable: true"),
            std::string::npos);
  r = Pass("2026-12-03T12:36:00Z");
  EXPECT_EQ(r.idle_decisions.count("teardown"), 1u) << Notes(r);
  EXPECT_FALSE(Live("gpu-a"));
}

TEST_F(ReconcilerIdleTest, HibernateEditsOneLineAndScalesGpuPoolsToZero) {
  PushRepo({{"gpu-h",
             SpecText("gpu-h", "  idle: {after: 30m, action: hibernate}\n")}});
  Workload("gpu-h");
  ASSERT_EQ(Pass("2026-12-03T10:00:00Z").outcome(), PassOutcome::kSuccess);
  ASSERT_EQ(Deployment("gpu-h", "gpu")["spec"].value("replicas", -1), 2);
  Pass("2026-12-03T10:05:00Z");
  // policies/prices.yaml: 0.1942 + 0.3885 + 2 x (0.38 + a T4's 0.35).
  std::string awake_cost = CostPerHour("gpu-h");
  ASSERT_EQ(awake_cost, "$2.04");
  std::string before = Spec("gpu-h");
  PassResult r = Pass("2026-12-03T10:40:00Z");
  EXPECT_EQ(r.idle_decisions.count("hibernate"), 1u) << Notes(r);
  std::string after = Spec("gpu-h");
  std::string want = before;
  want.insert(want.find("  owner:"), "  hibernate: true\n");
  EXPECT_EQ(after, want) << "one line added, the rest as written";
  bool found = false;
  for (const FakeGitSource::Commit& c : git_.History()) {
    if (c.message.rfind("idle: hibernate gpu-h: no GPU pods", 0) == 0) {
      found = true;
    }
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(Live("gpu-h"));

  r = Pass("2026-12-03T10:45:00Z");
  EXPECT_EQ(r.outcome(), PassOutcome::kSuccess) << Notes(r);
  EXPECT_EQ(Deployment("gpu-h", "gpu")["spec"].value("replicas", -1), 0);
  EXPECT_EQ(Deployment("gpu-h", "cpu")["spec"].value("replicas", -1), 1);
  EXPECT_EQ(Annotation("gpu-h", kHibernatedSinceAnnotation),
            "2026-12-03T10:45:00Z");
  EXPECT_EQ(Annotation("gpu-h", kIdleSinceAnnotation), "");
  EXPECT_NE(git_.Files().at("status/gpu-h.yaml").find("state: hibernated"),
            std::string::npos);
  // Its GPU pool costs nothing while it sleeps: the control plane and the
  // CPU pool (n2-standard-4 and n2-standard-8 on demand) are left.
  EXPECT_EQ(CostPerHour("gpu-h"), "$0.58");
  PassResult plain = Pass("2026-12-03T10:50:00Z");
  EXPECT_TRUE(plain.status_commit.empty()) << "the cost is a fact, not a clock";

  // A pull request sets it back to false: the pools come back.
  std::string resumed = Spec("gpu-h");
  resumed.replace(resumed.find("hibernate: true"), 15, "hibernate: false");
  git_.PushFiles({{"clusters/gpu-h.yaml", resumed}}, "resume gpu-h");
  r = Pass("2026-12-03T11:00:00Z");
  EXPECT_EQ(r.outcome(), PassOutcome::kSuccess) << Notes(r);
  EXPECT_EQ(Deployment("gpu-h", "gpu")["spec"].value("replicas", -1), 2);
  EXPECT_EQ(Annotation("gpu-h", kHibernatedSinceAnnotation), "");
  EXPECT_EQ(CostPerHour("gpu-h"), awake_cost);
}

TEST_F(ReconcilerIdleTest, IdleAndTtlTeardownsShareTheDeletionBudget) {
  // One deletion per pass. gpu-t's TTL (1h) ends at the same time as the
  // others go idle: the TTL goes first, the idle ones wait.
  std::string ttl = SpecText("gpu-t", "");
  ttl.replace(ttl.find("ttl: 7d"), 7, "ttl: 1h");
  PushRepo({{"gpu-a", SpecText("gpu-a", kTeardownIdle)},
            {"gpu-b", SpecText("gpu-b", kTeardownIdle)},
            {"gpu-t", ttl}},
           "safety: {deletionBudget: {maxClusters: 1, maxPercent: 0}}\n");
  Workload("gpu-a");
  Workload("gpu-b");
  ASSERT_EQ(Pass("2026-12-03T10:00:00Z").outcome(), PassOutcome::kSuccess);
  Pass("2026-12-03T10:05:00Z");
  PassResult r = Pass("2026-12-03T11:00:00Z");
  ASSERT_EQ(r.teardown_commits.size(), 1u) << Notes(r);
  EXPECT_FALSE(Live("gpu-t"));
  EXPECT_TRUE(Live("gpu-a"));
  EXPECT_TRUE(Live("gpu-b"));
  EXPECT_NE(Notes(r).find("gpu-a: idle, its teardown waits for a later pass"),
            std::string::npos)
      << Notes(r);
  r = Pass("2026-12-03T11:05:00Z");
  ASSERT_EQ(r.teardown_commits.size(), 1u) << Notes(r);
  EXPECT_FALSE(Live("gpu-a")) << "longest idle (then by name) first";
  EXPECT_TRUE(Live("gpu-b"));
}

TEST_F(ReconcilerIdleTest, WithoutAConnectorNothingIsIdle) {
  PushRepo({{"gpu-a", SpecText("gpu-a", kTeardownIdle)}});
  ReconcileOptions o;
  PassDeps deps{&git_, &git_, &management_, &BuiltinPolicyFiles()};
  for (const char* now : {"2026-12-03T10:00:00Z", "2026-12-03T12:00:00Z"}) {
    o.now = *ParseRfc3339(now);
    o.sync.now = o.now;
    o.sync.wait_seconds = 1;
    RunPass(deps, o);
  }
  EXPECT_TRUE(Live("gpu-a"));
  EXPECT_EQ(Annotation("gpu-a", kIdleSinceAnnotation), "");
}

}  // namespace
}  // namespace capigitops
