// plan and apply against a capi-sandbox that each test starts: create,
// no-op cost, template rollover, safe deletion, the deletion budget, fields
// owned by others, faults, and authentication errors.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "capigitops/duration.h"
#include "capigitops/plan_review.h"
#include "capigitops/policy.h"
#include "sandbox/sandbox_process.h"
#include "schema/crd_testing.h"
#include "testing/subprocess.h"

namespace capigitops {
namespace {

using nlohmann::json;
using testutil::BinaryPath;
using testutil::RunProcess;
using testutil::SourcePath;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SyncIntegrationTest : public ::testing::Test {
 protected:
  void StartSandbox(std::vector<std::string> extra = {}) {
    SKIP_WITHOUT_CRDS();
    std::vector<std::string> args = {
        "--crds", schema::testing::CrdDir(), "--time-scale",
        "0",      "--log-requests",          log_.Sub("requests.log")};
    args.insert(args.end(), extra.begin(), extra.end());
    std::string error;
    sandbox_ = sandbox_test::SandboxProcess::Start(args, &error);
    ASSERT_NE(sandbox_, nullptr) << error;
    std::filesystem::copy(SourcePath("sample-repo"), repo_.path(),
                          std::filesystem::copy_options::recursive);
  }

  testutil::RunResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), BinaryPath("capi-gitops"));
    args.push_back("--kubeconfig");
    args.push_back(sandbox_->kubeconfig());
    return RunProcess(args);
  }

  json PlanJson() {
    auto r = Cli({"plan", repo_.path(), "-o", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }

  json ClusterPlan(const json& plan, const std::string& name) {
    for (const json& c : plan["clusters"]) {
      if (c["name"] == name) return c;
    }
    return json();
  }

  size_t RequestCount() {
    return testutil::LoggedRequests(log_.Sub("requests.log"));
  }

  void Edit(const std::string& file, const std::string& from,
            const std::string& to) {
    std::string text = Read(repo_.path() + "/" + file);
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    repo_.Write(file, text.replace(at, from.size(), to));
  }

  // Objects of `kind` in the target namespace, as kubectl sees them.
  json Live(const std::string& resource, bool expect_items = true) {
    sandbox_test::Kubectl kubectl(*sandbox_);
    auto r =
        kubectl.Run({"get", resource, "-n", "capi-clusters", "-o", "json"});
    json list = json::parse(r.out, nullptr, false);
    EXPECT_TRUE(list.is_object() && (!expect_items || !list["items"].empty()))
        << "kubectl get " << resource << ": " << r.err;
    return list;
  }

  testing::TempDir log_;
  testing::TempDir repo_;
  std::unique_ptr<sandbox_test::SandboxProcess> sandbox_;
};

TEST_F(SyncIntegrationTest,
       ApplyCreatesEverythingAndANoOpPlanCostsAFewListsPerKind) {
  StartSandbox();
  if (!sandbox_) return;
  auto r = Cli({"apply", repo_.path()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // 1 pool: 2 templates, MD and its MHC; control plane of 3: template, KCP
  // and its MHC; GCPCluster, Cluster; the pool autoscales: the autoscaler's
  // ServiceAccount, Role, RoleBinding and Deployment.
  EXPECT_NE(r.out.find("llm-train-us-central1: 13 created"), std::string::npos)
      << r.out;

  json plan = PlanJson();
  EXPECT_FALSE(plan["changes"].get<bool>()) << plan.dump(1);
  EXPECT_EQ(plan["summary"]["unchanged"], 5);

  // Requests of a no-op plan do not grow with the number of clusters.
  size_t before = RequestCount();
  PlanJson();
  size_t five_clusters = RequestCount() - before;
  for (const char* name :
       {"dev-sandbox", "finetune-westeurope", "inference-us-east1"}) {
    std::filesystem::remove(repo_.path() + "/clusters/" + name + ".yaml");
  }
  // (without --prune nothing is deleted; plan shows the deletions)
  before = RequestCount();
  json smaller = PlanJson();
  size_t two_clusters = RequestCount() - before;
  EXPECT_EQ(smaller["summary"]["delete"], 3);
  EXPECT_LE(five_clusters, 40u);
  EXPECT_LE(five_clusters, two_clusters + 12)
      << "per-kind lists, not per-object gets";
}

// apply --dry-run is apply through DryRunKubeApi: every write the server
// can check is a dryRun=All request; into a namespace that does not exist
// yet nothing can be checked, so the objects are reported as created, with
// a note, and the exit code is 0.
TEST_F(SyncIntegrationTest, ApplyDryRunAsksTheServerAndStoresNothing) {
  StartSandbox();
  if (!sandbox_) return;
  auto r = Cli({"apply", repo_.path(), "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("server-side dry run"), std::string::npos) << r.out;
  size_t line = r.out.find("\nllm-train-us-central1: ");
  ASSERT_NE(line, std::string::npos) << r.out;
  std::string result =
      r.out.substr(line + 1, r.out.find('\n', line + 1) - line);
  EXPECT_EQ(result.find(": 0 created"), std::string::npos) << result;
  EXPECT_NE(
      result.find(" created, 0 configured, 0 unchanged, 0 deleted, 0 failed"),
      std::string::npos)
      << result;
  EXPECT_NE(r.out.find("namespace capi-clusters does not exist yet"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(Live("clusters.cluster.x-k8s.io", false)["items"].empty());

  ASSERT_EQ(Cli({"apply", repo_.path()}).exit_code, 0);
  Edit("clusters/dev-sandbox.yaml", "replicas: 2", "replicas: 3");
  size_t from = RequestCount();
  r = Cli({"apply", repo_.path(), "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("dev-sandbox: 0 created, 2 configured"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("does not exist yet"), std::string::npos) << r.out;
  std::ifstream in(log_.Sub("requests.log"));
  int writes = 0;
  size_t n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    if (n < from || line.rfind("GET ", 0) == 0) continue;
    ++writes;
    EXPECT_NE(line.find("dryRun=All"), std::string::npos) << line;
  }
  EXPECT_GT(writes, 0);
  json mds = Live("machinedeployments.cluster.x-k8s.io");
  int checked = 0;
  for (const json& md : mds["items"]) {
    if (md["metadata"]["name"] != "dev-sandbox-workers") continue;
    ++checked;
    EXPECT_EQ(md["spec"]["replicas"], 2) << "stored nothing";
  }
  EXPECT_EQ(checked, 1);
}

// The apply stage of an object, as the executor orders them: templates and
// identities, then control plane, machine deployments and the infrastructure
// cluster, then the Cluster.
int StageOfResource(const std::string& plural) {
  if (plural == "clusters") return 3;
  if (plural == "deployments") return 2;  // the cluster's autoscaler
  if (plural == "kubeadmcontrolplanes" || plural == "machinedeployments" ||
      plural == "machinehealthchecks" ||
      (plural.size() > 8 &&
       plural.compare(plural.size() - 8, 8, "clusters") == 0)) {
    return 1;
  }
  return 0;
}

// Clusters flow through their stages independently, so the request log
// interleaves them; within each cluster the order must still be inventory,
// stage 0, stage 1, the autoscaler, Cluster, each step after the previous
// one finished.
TEST_F(SyncIntegrationTest, EachClusterKeepsItsOrderWhileClustersOverlap) {
  StartSandbox();
  if (!sandbox_) return;
  auto r = Cli({"apply", repo_.path(), "--concurrency", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> clusters;
  for (const auto& e :
       std::filesystem::directory_iterator(repo_.path() + "/clusters")) {
    clusters.push_back(e.path().stem().string());
  }
  const std::string inventory = "capi-gitops-inventory-";
  // Per cluster: the log line of its inventory write and of each stage's
  // first and last object.
  struct Steps {
    int inventory = -1;
    int first[4] = {-1, -1, -1, -1};
    int last[4] = {-1, -1, -1, -1};
  };
  std::map<std::string, Steps> steps;
  std::ifstream in(log_.Sub("requests.log"));
  int line_no = 0;
  for (std::string line; std::getline(in, line); ++line_no) {
    std::istringstream fields(line);
    std::string method, path;
    fields >> method >> path;
    if (method != "PATCH") continue;
    std::string name = path.substr(path.rfind('/') + 1);
    std::string rest = path.substr(0, path.rfind('/'));
    std::string plural = rest.substr(rest.rfind('/') + 1);
    for (const std::string& c : clusters) {
      if (name == inventory + c) steps[c].inventory = line_no;
      if (name != c && name.rfind(c + "-", 0) != 0) continue;
      int stage = StageOfResource(plural);
      Steps& st = steps[c];
      if (st.first[stage] < 0) st.first[stage] = line_no;
      st.last[stage] = line_no;
    }
  }
  ASSERT_EQ(steps.size(), clusters.size());
  for (const auto& [name, st] : steps) {
    ASSERT_GE(st.inventory, 0) << name;
    ASSERT_GE(st.first[0], 0) << name;
    EXPECT_LT(st.inventory, st.first[0]) << name;
    EXPECT_LT(st.last[0], st.first[1]) << name;
    // The autoscaler (when a pool autoscales) between members and Cluster.
    int before_cluster = st.last[1];
    if (st.first[2] >= 0) {
      EXPECT_LT(st.last[1], st.first[2]) << name;
      before_cluster = st.last[2];
    }
    EXPECT_LT(before_cluster, st.first[3]) << name;
    EXPECT_EQ(st.first[3], st.last[3]) << name << ": one Cluster";
  }
}

TEST_F(SyncIntegrationTest,
       ChangedNodePoolGetsANewTemplateAndTheOldOneIsPruned) {
  StartSandbox();
  if (!sandbox_) return;
  ASSERT_EQ(Cli({"apply", repo_.path()}).exit_code, 0);
  std::string md_name = "inference-us-east1-gpu";
  auto template_of = [&]() {
    json list1 = Live("machinedeployments.cluster.x-k8s.io");
    for (const json& md : list1["items"]) {
      if (md["metadata"]["name"] == md_name) {
        return md["spec"]["template"]["spec"]["infrastructureRef"]["name"]
            .get<std::string>();
      }
    }
    return std::string();
  };
  std::string old_template = template_of();
  ASSERT_FALSE(old_template.empty());
  Edit("clusters/inference-us-east1.yaml", "machineType: g4dn.xlarge",
       "machineType: g4dn.2xlarge");

  json plan = ClusterPlan(PlanJson(), "inference-us-east1");
  EXPECT_EQ(plan["action"], "update");
  std::map<std::string, std::string> actions;
  for (const json& o : plan["objects"]) {
    actions[o["kind"].get<std::string>() + "/" + o["name"].get<std::string>()] =
        o["action"];
  }
  EXPECT_EQ(actions["AWSMachineTemplate/" + old_template], "delete");
  EXPECT_EQ(actions["MachineDeployment/" + md_name], "update");

  auto r = Cli({"apply", repo_.path(), "--prune"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string new_template = template_of();
  EXPECT_NE(new_template, old_template);
  bool old_exists = false, new_exists = false;
  json list2 = Live("awsmachinetemplates.infrastructure.cluster.x-k8s.io");
  for (const json& t : list2["items"]) {
    old_exists |= t["metadata"]["name"] == old_template;
    new_exists |= t["metadata"]["name"] == new_template;
  }
  EXPECT_TRUE(new_exists);
  EXPECT_FALSE(old_exists) << "pruned once nothing references it";
  EXPECT_FALSE(PlanJson()["changes"].get<bool>());
}

// A reviewer of a machine-type change sees the field change, both types, the
// machines it replaces and what it does to $/hour, in text and JSON.
TEST_F(SyncIntegrationTest, MachineTypeChangePlanNamesBothTypesAndTheRollout) {
  StartSandbox();
  if (!sandbox_) return;
  ASSERT_EQ(Cli({"apply", repo_.path()}).exit_code, 0);
  // The simulated CAPI reports the pool's machines (its autoscaling.min, 2)
  // on its own clock: wait for them, so the plan's count is the one read here.
  int live_replicas = -1;
  for (int i = 0; i < 100 && live_replicas < 0; ++i) {
    json mds = Live("machinedeployments.cluster.x-k8s.io");
    for (const json& md : mds["items"]) {
      if (md["metadata"]["name"] != "inference-us-east1-gpu") continue;
      json have = md.value("status", json::object()).value("replicas", json());
      if (have.is_number_integer()) live_replicas = have;
    }
    if (live_replicas < 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(live_replicas, 2) << "autoscaling.min of the gpu pool";
  Edit("clusters/inference-us-east1.yaml", "machineType: g4dn.xlarge",
       "machineType: g4dn.2xlarge");

  auto text = Cli({"plan", repo_.path()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("change: gpu.machineType g4dn.xlarge → g4dn.2xlarge"),
            std::string::npos)
      << text.out;
  std::string rollout = "REPLACES: rolling replacement of " +
                        std::to_string(live_replicas) + " machines in pool gpu";
  EXPECT_NE(text.out.find(rollout), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("cost change of this plan: +$0.45 to +$4.52/hour"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("= 4 unchanged: "), std::string::npos) << text.out;

  json plan = ClusterPlan(PlanJson(), "inference-us-east1");
  EXPECT_EQ(plan["beforeSpecKnown"], true);
  ASSERT_EQ(plan["specChanges"].size(), 1u) << plan.dump(1);
  EXPECT_EQ(plan["specChanges"][0]["before"], "g4dn.xlarge");
  EXPECT_EQ(plan["specChanges"][0]["after"], "g4dn.2xlarge");
  ASSERT_EQ(plan["replacements"].size(), 1u) << plan.dump(1);
  EXPECT_EQ(plan["replacements"][0]["machines"], live_replicas);
  double before = plan["hourlyBefore"]["min"],
         after = plan["hourlyAfter"]["min"];
  EXPECT_NEAR(after - before, 2 * (0.752 - 0.526), 1e-9);  // 2 nodes at min
  EXPECT_NE(text.out.find("cost: " + FormatMoney(before) + "-"),
            std::string::npos)
      << text.out;
}

// A TTL change shows the expiry moving, as absolute times; --detailed-exitcode
// tells "changes pending" (10) apart from a usage error (2).
TEST_F(SyncIntegrationTest, TtlChangeShowsTheExpiryMovingAndExitsTen) {
  StartSandbox();
  if (!sandbox_) return;
  ASSERT_EQ(Cli({"apply", repo_.path()}).exit_code, 0);
  EXPECT_EQ(Cli({"plan", repo_.path(), "--detailed-exitcode"}).exit_code, 0);
  Edit("clusters/inference-us-east1.yaml", "ttl: 7d", "ttl: 14d");
  auto r = Cli({"plan", repo_.path(), "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 10) << r.out << r.err;
  EXPECT_NE(r.out.find("change: ttl 7d → 14d"), std::string::npos) << r.out;
  json plan = ClusterPlan(PlanJson(), "inference-us-east1");
  EXPECT_EQ(plan["expiryMoves"], true);
  std::optional<int64_t> from =
      ParseRfc3339(plan["expiresAtBefore"].get<std::string>());
  std::optional<int64_t> to =
      ParseRfc3339(plan["expiresAt"].get<std::string>());
  ASSERT_TRUE(from && to) << plan.dump(1);
  EXPECT_EQ(*to - *from, 7 * 24 * 3600);
  EXPECT_NE(r.out.find("expiry moves from " + FormatExpiry(*from) + " to " +
                       FormatExpiry(*to)),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(plan["replacements"].empty()) << "a TTL replaces nothing";
  EXPECT_EQ(Cli({"plan", repo_.path(), "--no-such-flag"}).exit_code, 2);
}

// `apply --now` records that time as the Cluster's createdAt (its TTL then
// runs on the clock of the reconcile passes that follow, as in the demo); a
// --now that is not RFC 3339 is a usage error.
TEST_F(SyncIntegrationTest, ApplyRecordsCreatedAtFromNow) {
  StartSandbox();
  if (!sandbox_) return;
  EXPECT_EQ(Cli({"apply", repo_.path(), "--now", "yesterday"}).exit_code, 2);
  ASSERT_EQ(
      Cli({"apply", repo_.path(), "--now", "2026-11-27T08:00:00Z"}).exit_code,
      0);
  bool found = false;
  json clusters = Live("clusters.cluster.x-k8s.io");
  for (const json& c : clusters["items"]) {
    if (c["metadata"]["name"] != "dev-sandbox") continue;
    found = true;
    EXPECT_EQ(c["metadata"]["annotations"]["capigitops.io/created-at"],
              "2026-11-27T08:00:00Z")
        << c["metadata"].dump(1);
  }
  EXPECT_TRUE(found);
}

// Adding a node label to a GPU pool rolls every GPU node: the plan says so.
TEST_F(SyncIntegrationTest, NodeLabelChangeIsShownAsARolloutOfThePool) {
  StartSandbox();
  if (!sandbox_) return;
  ASSERT_EQ(Cli({"apply", repo_.path()}).exit_code, 0);
  Edit("clusters/inference-us-east1.yaml", "labels: {workload: inference}",
       "labels: {workload: inference, tier: premium}");
  auto r = Cli({"plan", repo_.path(), "-o", "markdown"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("- change: gpu.labels.tier (none) → premium"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("**Machines will be replaced:**\n> - "
                       "`inference-us-east1`: rolling replacement of "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("in pool gpu (new bootstrap template "),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("pool system"), std::string::npos)
      << "the system pool keeps its nodes";
}

TEST_F(SyncIntegrationTest,
       RemovedClusterIsDeletedClusterFirstThenItsTemplates) {
  StartSandbox();
  if (!sandbox_) return;
  ASSERT_EQ(Cli({"apply", repo_.path()}).exit_code, 0);
  std::filesystem::remove(repo_.path() + "/clusters/dev-sandbox.yaml");
  json plan = ClusterPlan(PlanJson(), "dev-sandbox");
  EXPECT_EQ(plan["action"], "delete");

  auto held = Cli({"apply", repo_.path()});  // no --prune: nothing deleted
  EXPECT_NE(held.out.find("run with --prune"), std::string::npos) << held.out;
  size_t before = RequestCount();
  auto r = Cli({"apply", repo_.path(), "--prune"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("dev-sandbox: deleted"), std::string::npos) << r.out;
  // In the request log, the Cluster's DELETE comes before any template's.
  std::ifstream in(log_.Sub("requests.log"));
  std::vector<std::string> deletes;
  size_t n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    if (n >= before && line.rfind("DELETE", 0) == 0) deletes.push_back(line);
  }
  ASSERT_FALSE(deletes.empty());
  EXPECT_NE(deletes.front().find("/clusters/dev-sandbox"), std::string::npos)
      << deletes.front();
  json list3 =
      Live("devmachinetemplates.infrastructure.cluster.x-k8s.io", false);
  for (const json& t : list3["items"]) {
    EXPECT_NE(t["metadata"]["labels"]["capigitops.io/cluster"], "dev-sandbox");
  }
  EXPECT_EQ(ClusterPlan(PlanJson(), "dev-sandbox"), json());
}

TEST_F(SyncIntegrationTest, DeletionBudgetAndProtectionStopDeletion) {
  StartSandbox();
  if (!sandbox_) return;
  ASSERT_EQ(Cli({"apply", repo_.path()}).exit_code, 0);
  for (const char* name : {"dev-sandbox", "finetune-westeurope",
                           "inference-us-east1", "llm-train-us-central1"}) {
    std::filesystem::remove(repo_.path() + "/clusters/" + std::string(name) +
                            ".yaml");
  }
  auto r = Cli({"apply", repo_.path(), "--prune"});
  EXPECT_NE(r.out.find("deletion budget exceeded"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--allow-mass-deletion"), std::string::npos);
  EXPECT_EQ(r.exit_code, 6) << "a held deletion is not a success";
  json held = PlanJson();
  EXPECT_EQ(held["summary"]["deletionHeld"], 4) << "nothing was deleted";
  EXPECT_EQ(held["summary"]["delete"], 0) << "held is not deleted";

  // sovereign-onprem has deletionProtection: removing it deletes nothing.
  std::filesystem::remove(repo_.path() + "/clusters/sovereign-onprem.yaml");
  r = Cli({"apply", repo_.path(), "--prune", "--allow-mass-deletion"});
  EXPECT_NE(r.out.find("sovereign-onprem: deletion held: deletionProtection"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.exit_code, 6);
  json plan = PlanJson();
  EXPECT_EQ(plan["summary"]["delete"], 0);
  EXPECT_EQ(plan["summary"]["deletionHeld"], 1);
  EXPECT_EQ(ClusterPlan(plan, "sovereign-onprem")["deletionHeld"], true);
}

TEST_F(SyncIntegrationTest, BrokenSpecLeavesItsLiveClusterAlone) {
  StartSandbox();
  if (!sandbox_) return;
  ASSERT_EQ(Cli({"apply", repo_.path()}).exit_code, 0);
  Edit("clusters/dev-sandbox.yaml", "replicas: 2", "replicas: two");
  auto r = Cli({"apply", repo_.path(), "--prune"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("clusters/dev-sandbox.yaml:13:15"), std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("dev-sandbox: blocked"), std::string::npos) << r.out;
  bool still_there = false;
  json list4 = Live("clusters.cluster.x-k8s.io");
  for (const json& c : list4["items"]) {
    still_there |= c["metadata"]["name"] == "dev-sandbox";
  }
  EXPECT_TRUE(still_there);
}

TEST_F(SyncIntegrationTest, ReplicasOwnedByTheAutoscalerAreNeverTakenBack) {
  StartSandbox();
  if (!sandbox_) return;
  ASSERT_EQ(Cli({"apply", repo_.path()}).exit_code, 0);
  sandbox_test::Kubectl kubectl(*sandbox_);
  auto r = kubectl.Run({"patch", "machinedeployment.cluster.x-k8s.io",
                        "llm-train-us-central1-gpu", "-n", "capi-clusters",
                        "--type=merge", "--field-manager=cluster-autoscaler",
                        "-p", R"({"spec":{"replicas":7}})"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(PlanJson()["changes"].get<bool>());
  ASSERT_EQ(Cli({"apply", repo_.path()}).exit_code, 0);
  json list5 = Live("machinedeployments.cluster.x-k8s.io");
  for (const json& md : list5["items"]) {
    if (md["metadata"]["name"] == "llm-train-us-central1-gpu") {
      EXPECT_EQ(md["spec"]["replicas"], 7);
    }
  }
}

TEST_F(SyncIntegrationTest, ConvergesDespiteFaults) {
  StartSandbox({"--fault-rate", "0.2"});
  if (!sandbox_) return;
  testutil::RunResult r;
  for (int attempt = 0; attempt < 5 && r.exit_code != 0; ++attempt) {
    r = Cli({"apply", repo_.path()});
  }
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json plan;
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto r = Cli({"plan", repo_.path(), "-o", "json"});
    if (r.exit_code == 0) {
      plan = json::parse(r.out);
      break;
    }
  }
  ASSERT_TRUE(plan.is_object());
  EXPECT_FALSE(plan["changes"].get<bool>());
  EXPECT_TRUE(plan["orphans"].empty()) << "nothing duplicated or lost";
}

TEST_F(SyncIntegrationTest, WrongTokenIsAClear401WithoutTheToken) {
  StartSandbox();
  if (!sandbox_) return;
  std::string kc = Read(sandbox_->kubeconfig());
  size_t at = kc.find(sandbox_->token());
  ASSERT_NE(at, std::string::npos);
  std::string wrong = "wrong-" + sandbox_->token().substr(6);
  kc.replace(at, sandbox_->token().size(), wrong);
  std::string path = log_.Write("bad-kubeconfig", kc);
  auto r = RunProcess(
      {BinaryPath("capi-gitops"), "plan", repo_.path(), "--kubeconfig", path});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("401 Unauthorized"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find(wrong), std::string::npos);
  EXPECT_EQ((r.out + r.err).find(sandbox_->token()), std::string::npos);
}

}  // namespace
}  // namespace capigitops
