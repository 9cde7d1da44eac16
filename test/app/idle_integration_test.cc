// Issue #12 end to end: `capi-gitops reconcile` (the real binary, with
// --now moving time) against capi-sandbox and a bare remote, and the real
// kubectl in the workload clusters. A GPU Job keeps inference-us-east1
// alive; once it has finished and `idle.after` has passed, the teardown is
// committed to Git and the Cluster deleted, while sovereign-onprem, whose
// GPU pod still runs, is untouched. A hibernate decision edits one line and
// scales the GPU pool to zero.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "sandbox/sandbox_process.h"
#include "schema/crd_testing.h"
#include "testing/subprocess.h"
#include "util/base64.h"

namespace capigitops {
namespace {

using nlohmann::json;
using testutil::RunGit;
using testutil::RunProcess;

constexpr char kT0[] = "2026-12-03T08:00:00Z";

// A GPU workload that tolerates the GPU nodes' taint; `run_for` empty means
// a Pod that runs until deleted, else a Job whose pod runs that long.
std::string GpuWorkload(const std::string& kind, const std::string& run_for) {
  std::string pod_spec =
      "  restartPolicy: Never\n"
      "  tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: "
      "NoSchedule}]\n"
      "  containers:\n"
      "  - name: main\n"
      "    image: nvidia/cuda:12.4.1-base-ubuntu22.04\n"
      "    resources: {limits: {nvidia.com/gpu: 1}}\n";
  if (kind == "Pod") {
    return "apiVersion: v1\nkind: Pod\nmetadata: {name: serve, namespace: "
           "default}\nspec:\n" +
           pod_spec;
  }
  std::string indented;
  for (size_t at = 0; at < pod_spec.size();) {
    size_t end = pod_spec.find('\n', at);
    indented += "      " + pod_spec.substr(at + 2, end - at - 1);
    at = end + 1;
  }
  return "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train\n"
         "  namespace: default\n  annotations: "
         "{sandbox.capigitops.io/run-for: " +
         run_for + "}\nspec:\n  template:\n    spec:\n" + indented;
}

class IdleIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_CRDS();
    std::string error;
    sandbox_ = sandbox_test::SandboxProcess::StartWithCrds(&error);
    ASSERT_NE(sandbox_, nullptr) << error;
    remote_ = dir_.Sub("remote.git");
    work_ = dir_.Sub("work");
    // Two GPU clusters; dev-sandbox's 90m TTL would end before T0+2h.
    testutil::CopySampleRepo(
        work_, {"dev-sandbox", "finetune-westeurope", "llm-train-us-central1"});
  }

  // Adds `line` under spec (the files end inside spec) and drops `drop`.
  void EditSpec(const std::string& cluster, const std::string& line,
                const std::string& drop = "") {
    std::string path = work_ + "/clusters/" + cluster + ".yaml";
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    if (!drop.empty()) {
      size_t at = text.find(drop);
      ASSERT_NE(at, std::string::npos) << text;
      text.erase(at, drop.size());
    }
    std::ofstream(path) << text << line;
  }

  void Publish() {
    ASSERT_TRUE(testutil::PublishAsRemote(work_, remote_, "the clusters"));
  }

  testutil::RunResult Reconcile(const std::string& now) {
    auto cmd = testutil::CapiRepoCommand(
        "reconcile", remote_, sandbox_->kubeconfig(), dir_.Sub("cache"));
    cmd.insert(cmd.end(), {"--now", now});
    auto r = RunProcess(cmd);
    EXPECT_NE(r.exit_code, 4) << r.out << r.err;
    return r;
  }

  std::string Status(const std::string& cluster) {
    return RunGit({"--git-dir", remote_, "show",
                   "main:status/" + cluster + ".yaml"})
        .out;
  }

  // Reconciles at `now` until the committed status of `cluster` holds
  // `wanted` (CAPI and add-on delivery are asynchronous in the sandbox).
  std::string ReconcileUntil(const std::string& cluster,
                             const std::string& wanted,
                             const std::string& now = kT0) {
    std::string status;
    for (int pass = 0; pass < 30; ++pass) {
      Reconcile(now);
      status = Status(cluster);
      if (status.find(wanted) != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    return status;
  }

  // The real kubectl on the workload cluster, through CAPI's Secret.
  sandbox_test::Kubectl Workload(const std::string& cluster) {
    auto secret = sandbox_test::Kubectl(*sandbox_).Run(
        {"get", "secret", cluster + "-kubeconfig", "-n", "capi-clusters", "-o",
         "jsonpath={.data.value}"});
    EXPECT_EQ(secret.exit_code, 0) << secret.err;
    std::string path = dir_.Sub(cluster + ".kubeconfig");
    std::ofstream(path) << Base64Decode(secret.out).value_or("");
    return sandbox_test::Kubectl(path);
  }

  // `kubectl get -o jsonpath=...` on the management cluster; "" if absent.
  std::string Management(const std::vector<std::string>& args) {
    auto r = sandbox_test::Kubectl(*sandbox_).Run(args);
    return r.exit_code == 0 ? r.out : "";
  }

  std::string Log() {
    return RunGit({"--git-dir", remote_, "log", "--format=%s", "main"}).out;
  }

  testing::TempDir dir_;
  std::string remote_, work_;
  std::unique_ptr<sandbox_test::SandboxProcess> sandbox_;
};

TEST_F(IdleIntegrationTest, FinishedGpuJobThenIdleTeardownCommittedFirst) {
  if (!sandbox_) return;
  EditSpec("inference-us-east1", "  idle: {after: 30m, action: teardown}\n");
  // Without deletionProtection only the running GPU pod keeps it alive.
  EditSpec("sovereign-onprem", "  idle: {after: 30m, action: teardown}\n",
           "  deletionProtection: true\n");
  // The platform's per-cluster vSphere CPI Secret, without which
  // sovereign-onprem is not usable and its idle clock would never start.
  sandbox_test::Kubectl kubectl(*sandbox_);
  ASSERT_EQ(kubectl.Run({"create", "namespace", "capi-clusters"}).exit_code, 0);
  auto secret = kubectl.Run(
      {"create", "secret", "generic",
       "vsphere-cpi-credentials-sovereign-onprem", "-n", "capi-clusters",
       "--type=addons.cluster.x-k8s.io/resource-set",
       "--from-literal=vsphere-cloud-secret.yaml=apiVersion: v1\nkind: "
       "Secret\nmetadata: {name: vsphere-cloud-secret, namespace: "
       "kube-system}\nstringData: {vc.example.com.username: u}\n"});
  ASSERT_EQ(secret.exit_code, 0) << secret.err;
  Publish();
  std::string gpu = ReconcileUntil("inference-us-east1", "usable: true");
  ASSERT_NE(gpu.find("usable: true"), std::string::npos) << gpu;
  // Usable as its status says (nodes Ready, add-ons delivered, GPUs
  // allocatable): only then does its idle clock run.
  std::string onprem = ReconcileUntil("sovereign-onprem", "state: idle");
  ASSERT_NE(onprem.find("usable: true"), std::string::npos) << onprem;
  ASSERT_NE(onprem.find("gpusAllocatable: 2"), std::string::npos) << onprem;

  // The Job runs long enough (15s of real time) to still be running at the
  // next pass on a loaded machine: seen busy once, its clock restarts.
  auto job = Workload("inference-us-east1")
                 .Run({"apply", "-f", "-"}, GpuWorkload("Job", "15s"));
  ASSERT_EQ(job.exit_code, 0) << job.err;
  auto pod = Workload("sovereign-onprem")
                 .Run({"apply", "-f", "-"}, GpuWorkload("Pod", ""));
  ASSERT_EQ(pod.exit_code, 0) << pod.err;
  auto running = Workload("sovereign-onprem")
                     .Run({"wait", "--for=jsonpath={.status.phase}=Running",
                           "pod/serve", "-n", "default", "--timeout=30s"});
  EXPECT_EQ(running.exit_code, 0) << running.out << running.err;

  // An hour later the Job still runs: busy, nothing torn down.
  Reconcile("2026-12-03T09:00:00Z");
  EXPECT_NE(Status("inference-us-east1").find("state: busy"), std::string::npos)
      << Status("inference-us-east1");
  EXPECT_EQ(Log().find("idle: tear down"), std::string::npos) << Log();

  auto done = Workload("inference-us-east1")
                  .Run({"wait", "--for=condition=Complete", "job/train", "-n",
                        "default", "--timeout=60s"});
  ASSERT_EQ(done.exit_code, 0) << done.out << done.err;

  // The idle clock starts at 09:01; at 10:00 it has run 59m > 30m.
  std::string idle = ReconcileUntil("inference-us-east1", "state: idle",
                                    "2026-12-03T09:01:00Z");
  EXPECT_NE(idle.find("idleSince: 2026-12-03T09:01:00Z"), std::string::npos)
      << idle;
  EXPECT_EQ(Log().find("idle: tear down"), std::string::npos) << Log();
  Reconcile("2026-12-03T10:00:00Z");

  std::string log = Log();
  EXPECT_NE(log.find("idle: tear down inference-us-east1: no GPU pods or "
                     "active Jobs since 2026-12-03T09:01"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("idle: tear down sovereign-onprem"), std::string::npos)
      << log;
  EXPECT_NE(RunGit({"--git-dir", remote_, "cat-file", "-e",
                    "main:clusters/inference-us-east1.yaml"})
                .exit_code,
            0)
      << "the spec file is removed by the teardown commit";
  std::string left;
  for (int pass = 0; pass < 30; ++pass) {
    left =
        Management({"get", "clusters.cluster.x-k8s.io", "-n", "capi-clusters",
                    "-o", "jsonpath={.items[*].metadata.name}"});
    if (left.find("inference-us-east1") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Reconcile("2026-12-03T10:00:00Z");
  }
  EXPECT_EQ(left.find("inference-us-east1"), std::string::npos) << left;
  EXPECT_NE(left.find("sovereign-onprem"), std::string::npos) << left;
  EXPECT_NE(Status("sovereign-onprem").find("state: busy"), std::string::npos)
      << Status("sovereign-onprem");
}

// The GPU pool's MachineDeployment on the management cluster.
json GpuPool(sandbox_test::Kubectl& kubectl, const std::string& cluster) {
  auto r = kubectl.Run({"get", "machinedeployments.cluster.x-k8s.io", "-n",
                        "capi-clusters", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  json list = json::parse(r.out, nullptr, false);
  if (!list.is_object()) return json();
  for (const json& md : list["items"]) {
    if (md["spec"].value("clusterName", "") == cluster &&
        md["metadata"].value("name", "").ends_with("-gpu")) {
      return md;
    }
  }
  return json();
}

// A workload API that cannot be reached counts as busy: the cluster is
// kept, however long after `idle.after`, and its status says why.
TEST_F(IdleIntegrationTest, UnreachableWorkloadApiNeverTearsDown) {
  if (!sandbox_) return;
  EditSpec("inference-us-east1", "  idle: {after: 30m, action: teardown}\n");
  Publish();
  std::string idle = ReconcileUntil("inference-us-east1", "state: idle");
  ASSERT_NE(idle.find("state: idle"), std::string::npos) << idle;

  // The idle clock runs; then the workload API goes away.
  ASSERT_EQ(sandbox_test::Kubectl(*sandbox_)
                .Run({"annotate", "clusters.cluster.x-k8s.io",
                      "inference-us-east1", "-n", "capi-clusters",
                      "sandbox.capigitops.io/workload-api=unreachable"})
                .exit_code,
            0);
  for (const char* now : {"2026-12-03T12:00:00Z", "2026-12-05T08:00:00Z"}) {
    Reconcile(now);
    EXPECT_EQ(Log().find("idle: tear down"), std::string::npos) << now << "\n"
                                                                << Log();
  }
  std::string status = Status("inference-us-east1");
  EXPECT_NE(status.find("state: unreadable"), std::string::npos) << status;
  EXPECT_NE(status.find("counted as busy: the workload cluster cannot be read "
                        "(workload API unreachable"),
            std::string::npos)
      << status;
  EXPECT_EQ(status.find("idleSince"), std::string::npos) << status;
  EXPECT_NE(
      Management({"get", "clusters.cluster.x-k8s.io", "-n", "capi-clusters",
                  "inference-us-east1", "-o", "jsonpath={.metadata.name}"}),
      "")
      << "the cluster is still there";
}

TEST_F(IdleIntegrationTest, HibernateEditsOneLineThenScalesGpuPoolToZero) {
  if (!sandbox_) return;
  EditSpec("inference-us-east1", "  idle: {after: 30m, action: hibernate}\n");
  Publish();
  std::string status = ReconcileUntil("inference-us-east1", "state: idle");
  ASSERT_NE(status.find("idleSince: 2026-12-03T08:00:00Z"), std::string::npos)
      << status;
  sandbox_test::Kubectl kubectl(*sandbox_);
  const char* kMin =
      "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size";
  const char* kMax =
      "cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size";
  json gpu = GpuPool(kubectl, "inference-us-east1");
  ASSERT_TRUE(gpu.is_object()) << "no GPU MachineDeployment";
  EXPECT_EQ(gpu["metadata"]["annotations"].value(kMin, ""), "2") << gpu;

  Reconcile("2026-12-03T08:31:00Z");
  std::string file = "clusters/inference-us-east1.yaml";
  std::string commit = RunGit({"--git-dir", remote_, "log", "-1", "--format=%H",
                               "main", "--", file})
                           .out.substr(0, 40);
  std::string subject =
      RunGit({"--git-dir", remote_, "log", "-1", "--format=%s", commit}).out;
  EXPECT_EQ(subject.rfind("idle: hibernate inference-us-east1: ", 0), 0u)
      << subject;
  // One line added under spec; nothing else in the file changed.
  auto diff = RunGit(
      {"--git-dir", remote_, "diff", "-U0", commit + "~1", commit, "--", file});
  EXPECT_NE(diff.out.find("\n+  hibernate: true\n"), std::string::npos)
      << diff.out;
  auto numstat = RunGit(
      {"--git-dir", remote_, "diff", "--numstat", commit + "~1", commit});
  EXPECT_EQ(numstat.out, "1\t0\t" + file + "\n") << numstat.out;
  EXPECT_EQ(Log().find("idle: tear down"), std::string::npos) << Log();

  // The next pass renders the GPU pool at zero.
  Reconcile("2026-12-03T08:32:00Z");
  gpu = GpuPool(kubectl, "inference-us-east1");
  EXPECT_EQ(gpu["spec"].value("replicas", -1), 0) << gpu["spec"];
  EXPECT_EQ(gpu["metadata"]["annotations"].value(kMax, ""), "0") << gpu;
  EXPECT_NE(Status("inference-us-east1").find("state: hibernated"),
            std::string::npos)
      << Status("inference-us-east1");

  // A pull request setting hibernate: false resumes the pool (the
  // autoscaler's bounds are back; it scales up from zero on demand).
  ASSERT_EQ(RunGit({"-C", work_, "pull", "-q", "--rebase", "origin", "main"})
                .exit_code,
            0);
  EditSpec("inference-us-east1", "  hibernate: false\n", "  hibernate: true\n");
  ASSERT_EQ(
      RunGit({"-C", work_, "commit", "-qam", "Resume inference"}).exit_code, 0);
  ASSERT_EQ(RunGit({"-C", work_, "push", "-q", "origin", "main"}).exit_code, 0);
  Reconcile("2026-12-03T09:00:00Z");
  gpu = GpuPool(kubectl, "inference-us-east1");
  EXPECT_EQ(gpu["metadata"]["annotations"].value(kMin, ""), "2") << gpu;
  EXPECT_EQ(gpu["metadata"]["annotations"].value(kMax, ""), "20") << gpu;
}

}  // namespace
}  // namespace capigitops
