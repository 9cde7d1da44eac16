// The workload phase of a pass: live clusters whose control plane is up are
// read through deps.workload (a fake connector handing out in-memory
// workload APIs), add-on delivery is matched from the management cluster,
// and status/<name>.yaml says whether each cluster is usable; an
// unreachable workload API is never reported healthy, and a pass in which
// nothing changed commits nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>

#include "app/builtin_policies.h"
#include "capigitops/duration.h"
#include "capigitops/reconcile.h"
#include "capigitops/workload.h"
#include "git/fake_git_source.h"
#include "testing/fake_kube_api.h"
#include "testing/subprocess.h"

namespace capigitops {
namespace {

using nlohmann::json;
using testing::FakeGitSource;

constexpr char kNs[] = "capi-clusters";
constexpr char kAddonsGroup[] = "addons.cluster.x-k8s.io";

// A KubeApi that forwards to `inner`, for the views below.
class ForwardingApi : public KubeApi {
 public:
  explicit ForwardingApi(KubeApi* inner) : inner_(inner) {}
  StatusOr<ResourceInfo> Resolve(const std::string& v,
                                 const std::string& k) override {
    return inner_->Resolve(v, k);
  }
  void ForgetDiscovery() override { inner_->ForgetDiscovery(); }
  StatusOr<json> Get(const ResourceInfo& r, const std::string& ns,
                     const std::string& name) override {
    return inner_->Get(r, ns, name);
  }
  StatusOr<std::vector<json>> List(const ResourceInfo& r, const std::string& ns,
                                   const std::string& sel) override {
    return inner_->List(r, ns, sel);
  }
  StatusOr<json> Apply(const json& o, const ApplyOptions& a) override {
    return inner_->Apply(o, a);
  }
  Status Delete(const ResourceInfo& r, const std::string& ns,
                const std::string& name, const WriteOptions& o) override {
    return inner_->Delete(r, ns, name, o);
  }
  StatusOr<json> Create(const ResourceInfo& r, const json& o,
                        const WriteOptions& w) override {
    return inner_->Create(r, o, w);
  }
  StatusOr<json> Replace(const ResourceInfo& r, const json& o,
                         const WriteOptions& w) override {
    return inner_->Replace(r, o, w);
  }
  int Concurrency() const override { return inner_->Concurrency(); }

 protected:
  KubeApi* inner_;
};

// The management cluster as CAPI and CAAPH would show it: Clusters named in
// `initialized` report their control plane initialized (FakeKubeApi runs no
// CAPI controllers), and the add-on kinds serve `addons` (by kind).
class ManagementView : public ForwardingApi {
 public:
  using ForwardingApi::ForwardingApi;
  std::set<std::string> initialized;
  std::map<std::string, std::vector<json>> addons;  // kind -> objects

  StatusOr<ResourceInfo> Resolve(const std::string& v,
                                 const std::string& k) override {
    if (v.rfind(kAddonsGroup, 0) == 0) {
      // Not used for a request: List below serves these kinds itself.
      std::string plural = k;
      std::transform(plural.begin(), plural.end(), plural.begin(), ::tolower);
      return ResourceInfo{kAddonsGroup, v.substr(v.find('/') + 1), k, plural,
                          true};
    }
    return inner_->Resolve(v, k);
  }
  StatusOr<std::vector<json>> List(const ResourceInfo& r, const std::string& ns,
                                   const std::string& sel) override {
    if (r.group == kAddonsGroup) {
      std::vector<json> out;
      for (const json& o : addons[r.kind]) {
        // The only selector used: the catalog label exists.
        if (!sel.empty() && !o["metadata"]["labels"].contains(sel)) continue;
        out.push_back(o);
      }
      return out;
    }
    StatusOr<std::vector<json>> items = inner_->List(r, ns, sel);
    if (!items.ok() || r.kind != "Cluster") return items;
    for (json& c : *items) {
      if (initialized.count(c["metadata"]["name"])) {
        c["status"]["initialization"]["controlPlaneInitialized"] = true;
      }
    }
    return items;
  }
};

// One workload cluster's API: its Nodes, or a failure.
class FakeWorkload : public KubeApi {
 public:
  FakeWorkload(std::vector<json> nodes, Status failure)
      : nodes_(std::move(nodes)), failure_(std::move(failure)) {}
  StatusOr<ResourceInfo> Resolve(const std::string& v,
                                 const std::string& k) override {
    if (!failure_.ok()) return failure_;
    if (v != "v1" || k != "Node") return Status::NotFound(k);
    return ResourceInfo{"", "v1", "Node", "nodes", false};
  }
  void ForgetDiscovery() override {}
  StatusOr<json> Get(const ResourceInfo&, const std::string&,
                     const std::string&) override {
    return Status::Internal("not used");
  }
  // Nodes are listed without discovery (a built-in kind).
  StatusOr<std::vector<json>> List(const ResourceInfo& r, const std::string& ns,
                                   const std::string&) override {
    if (!failure_.ok()) return failure_;
    if (r.kind != "Node") return Status::NotFound(r.kind);
    EXPECT_EQ(ns, "");  // Nodes are cluster-scoped
    return nodes_;
  }
  StatusOr<json> Apply(const json&, const ApplyOptions&) override {
    ADD_FAILURE() << "the status phase wrote to a workload cluster";
    return Status::Internal("read only");
  }
  Status Delete(const ResourceInfo&, const std::string&, const std::string&,
                const WriteOptions&) override {
    ADD_FAILURE() << "the status phase deleted in a workload cluster";
    return Status::Internal("read only");
  }
  StatusOr<json> Create(const ResourceInfo&, const json&,
                        const WriteOptions&) override {
    return Status::Internal("read only");
  }
  StatusOr<json> Replace(const ResourceInfo&, const json&,
                         const WriteOptions&) override {
    return Status::Internal("read only");
  }
  int Concurrency() const override { return 1; }

 private:
  std::vector<json> nodes_;
  Status failure_;
};

// Hands out FakeWorkloads by cluster name; no entry: the Secret is missing.
class FakeConnector : public WorkloadConnector {
 public:
  struct Cluster {
    std::vector<json> nodes;
    Status failure;  // of every request
  };
  std::map<std::string, Cluster> clusters;
  std::atomic<int> connects{0};

  StatusOr<std::unique_ptr<KubeApi>> Connect(const std::string& ns,
                                             const std::string& name) override {
    EXPECT_EQ(ns, kNs);
    connects++;
    auto it = clusters.find(name);
    if (it == clusters.end()) return Status::NotFound("no Secret " + name);
    return std::unique_ptr<KubeApi>(
        std::make_unique<FakeWorkload>(it->second.nodes, it->second.failure));
  }
};

json Node(const std::string& name, bool ready, int gpus = 0) {
  json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata", {{"name", name}, {"labels", json::object()}}},
               {"status",
                {{"conditions",
                  {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}},
                 {"allocatable", {{"cpu", "4"}}}}}};
  if (gpus >= 0 && name.find("gpu") != std::string::npos) {
    node["metadata"]["labels"]["cluster-api/accelerator"] = "nvidia-tesla-t4";
    if (gpus > 0)
      node["status"]["allocatable"]["nvidia.com/gpu"] = std::to_string(gpus);
  }
  return node;
}

json Catalog(const std::string& kind, const std::string& name,
             const std::string& addon, const std::string& provides,
             const json& match) {
  return {{"apiVersion", std::string(kAddonsGroup) + "/v1alpha1"},
          {"kind", kind},
          {"metadata",
           {{"name", name},
            {"namespace", kNs},
            {"labels",
             {{"addons.capigitops.io/addon", addon},
              {"addons.capigitops.io/provides", provides}}}}},
          {"spec", {{"clusterSelector", {{"matchLabels", match}}}}}};
}

json Release(const std::string& hcp, const std::string& cluster, bool ready) {
  return {{"apiVersion", std::string(kAddonsGroup) + "/v1alpha1"},
          {"kind", "HelmReleaseProxy"},
          {"metadata",
           {{"name", hcp + "-" + cluster},
            {"namespace", kNs},
            {"labels",
             {{"cluster.x-k8s.io/cluster-name", cluster},
              {"helmreleaseproxy.addons.cluster.x-k8s.io/helmchartproxy-name",
               hcp}}}}},
          {"spec", {{"clusterRef", {{"name", cluster}}}}},
          {"status",
           {{"conditions",
             {{{"type", "Ready"},
               {"status", ready ? "True" : "False"},
               {"reason", ready ? "" : "HelmInstallOrUpgradeFailed"},
               {"lastTransitionTime", "2026-11-27T08:00:00Z"}}}}}}};
}

class WorkloadStatusTest : public ::testing::Test {
 protected:
  WorkloadStatusTest() : view_(&kube_) {
    StatusOr<FileSet> files =
        ReadRepoDirectory(testutil::SourcePath("sample-repo"));
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    FakeGitSource::Changes changes;
    for (const auto& [path, text] : *files) changes[path] = text;
    git_.PushFiles(changes, "the sample repository");
  }

  PassResult Pass(const std::string& now, WorkloadConnector* connector) {
    ReconcileOptions o;
    o.now = *ParseRfc3339(now);
    o.sync.now = o.now;
    o.sync.wait_seconds = 1;
    PassDeps deps{&git_, &git_, &view_, &BuiltinPolicyFiles(), connector};
    return RunPass(deps, o);
  }

  std::string StatusFile(const std::string& name) {
    auto f = git_.Files().find("status/" + name + ".yaml");
    return f == git_.Files().end() ? "" : f->second;
  }

  static std::string NotesOf(const PassResult& r) {
    std::string out;
    for (const PassNote& n : r.notes) out += n.text + "\n";
    return out;
  }

  FakeGitSource git_;
  FakeKubeApi kube_;
  ManagementView view_;
};

#define EXPECT_HAS(text, part) \
  EXPECT_NE((text).find(part), std::string::npos) << (text)

TEST_F(WorkloadStatusTest, EachClusterSaysWhetherItIsUsableAndWhy) {
  FakeConnector connector;
  ASSERT_EQ(Pass("2026-11-27T08:00:00Z", &connector).outcome(),
            PassOutcome::kSuccess);
  // Nothing is live before the first pass: nothing was read.
  EXPECT_EQ(connector.connects, 0);
  EXPECT_EQ(StatusFile("inference-us-east1").find("usable"), std::string::npos);

  view_.initialized = {"inference-us-east1", "llm-train-us-central1",
                       "finetune-westeurope", "sovereign-onprem"};
  // inference: all Ready, GPUs allocatable, its add-ons delivered.
  connector.clusters["inference-us-east1"] = {
      {Node("cp-1", true), Node("gpu-1", true, 1), Node("gpu-2", true, 1)},
      Status::Ok()};
  // llm-train: the CNI's release failed, nodes NotReady.
  connector.clusters["llm-train-us-central1"] = {
      {Node("cp-1", false), Node("cp-2", false)}, Status::Ok()};
  // finetune: its API does not answer.
  connector.clusters["finetune-westeurope"] = {
      {}, Status::Unavailable("cannot reach 10.0.0.7:6443: refused")};
  // sovereign-onprem: no kubeconfig Secret (no entry); dev-sandbox: not
  // initialized.
  view_.addons["HelmChartProxy"] = {
      Catalog("HelmChartProxy", "calico-1a2b", "calico", "cni",
              {{"addons.capigitops.io/calico", "true"}}),
      Catalog("HelmChartProxy", "gpu-operator-3c4d", "gpu-operator", "gpu",
              {{"addons.capigitops.io/gpu-operator", "true"}})};
  view_.addons["HelmReleaseProxy"] = {
      Release("calico-1a2b", "inference-us-east1", true),
      Release("gpu-operator-3c4d", "inference-us-east1", true),
      Release("calico-1a2b", "llm-train-us-central1", false)};
  // The Clusters carry the labels the catalog selects by (the add-on
  // expansion sets them; here they are added to the live objects).
  for (const char* name : {"inference-us-east1", "llm-train-us-central1"}) {
    kube_.Seed({{"apiVersion", "cluster.x-k8s.io/v1beta2"},
                {"kind", "Cluster"},
                {"metadata",
                 {{"name", name},
                  {"namespace", kNs},
                  {"labels",
                   {{"addons.capigitops.io/calico", "true"},
                    {"addons.capigitops.io/gpu-operator", "true"}}}}}},
               "addons-test");
  }
  PassResult r = Pass("2026-11-27T08:01:00Z", &connector);
  ASSERT_EQ(r.outcome(), PassOutcome::kSuccess) << NotesOf(r);

  std::string inference = StatusFile("inference-us-east1");
  EXPECT_HAS(inference,
             "  nodes: 3\n  readyNodes: 3\n  gpusAllocatable: 2\n"
             "  addons:\n    calico: Ready\n    gpu-operator: "
             "Ready\n  usable: true\n");
  EXPECT_EQ(inference.find("usableReason"), std::string::npos);

  std::string llm = StatusFile("llm-train-us-central1");
  EXPECT_HAS(llm, "readyNodes: 0\n");
  EXPECT_HAS(llm, "calico: \"NotReady: HelmInstallOrUpgradeFailed\"");
  EXPECT_HAS(llm, "gpu-operator: Pending");
  EXPECT_HAS(llm,
             "usable: false\n  usableReason: \"no CNI delivered (calico: "
             "NotReady: HelmInstallOrUpgradeFailed): nodes NotReady\"");

  std::string finetune = StatusFile("finetune-westeurope");
  EXPECT_HAS(finetune,
             "usable: false\n  usableReason: \"workload API "
             "unreachable: cannot connect\"");
  EXPECT_EQ(finetune.find("nodes:"), std::string::npos) << finetune;
  EXPECT_EQ(finetune.find("10.0.0.7"), std::string::npos) << finetune;
  EXPECT_HAS(NotesOf(r),
             "finetune-westeurope: workload cluster: cannot reach "
             "10.0.0.7:6443");

  EXPECT_HAS(StatusFile("sovereign-onprem"),
             "usable: false\n  usableReason: kubeconfig Secret not found yet");
  EXPECT_HAS(StatusFile("dev-sandbox"),
             "usable: false\n  usableReason: control plane not initialized "
             "yet");

  // Nothing changed: the same readings make the same files, no commit.
  size_t commits = git_.History().size();
  for (const char* now : {"2026-11-27T08:02:00Z", "2026-11-27T08:30:00Z"}) {
    PassResult again = Pass(now, &connector);
    EXPECT_TRUE(again.status_commit.empty()) << now << "\n" << NotesOf(again);
  }
  EXPECT_EQ(git_.History().size(), commits);

  // The CNI lands: nodes go Ready, and that is one commit.
  view_.addons["HelmReleaseProxy"][2] =
      Release("calico-1a2b", "llm-train-us-central1", true);
  connector.clusters["llm-train-us-central1"].nodes = {Node("cp-1", true),
                                                       Node("cp-2", true)};
  PassResult landed = Pass("2026-11-27T08:40:00Z", &connector);
  EXPECT_FALSE(landed.status_commit.empty()) << NotesOf(landed);
  llm = StatusFile("llm-train-us-central1");
  EXPECT_HAS(llm, "readyNodes: 2\n");
  // The GPU operator is still pending: not yet usable, and it says so.
  EXPECT_HAS(llm, "usableReason: add-on gpu-operator Pending");
}

TEST_F(WorkloadStatusTest, GpuNodesWithoutTheOperatorAreNotUsable) {
  FakeConnector connector;
  Pass("2026-11-27T08:00:00Z", &connector);
  view_.initialized = {"inference-us-east1"};
  connector.clusters["inference-us-east1"] = {
      {Node("cp-1", true), Node("gpu-1", true, 0)}, Status::Ok()};
  Pass("2026-11-27T08:01:00Z", &connector);
  std::string status = StatusFile("inference-us-east1");
  EXPECT_HAS(status, "gpusAllocatable: 0\n");
  EXPECT_HAS(status,
             "usableReason: \"no GPUs allocatable: GPU operator not "
             "delivered\"");
}

TEST_F(WorkloadStatusTest, WithoutAConnectorNothingIsReadOrWritten) {
  Pass("2026-11-27T08:00:00Z", nullptr);
  view_.initialized = {"inference-us-east1"};
  Pass("2026-11-27T08:01:00Z", nullptr);
  EXPECT_EQ(StatusFile("inference-us-east1").find("usable"), std::string::npos);
}

}  // namespace
}  // namespace capigitops
