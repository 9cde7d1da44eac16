// `capi-gitops run` as it runs in a management cluster: real processes
// against one capi-sandbox and a local bare Git remote. Two replicas with
// leader election (only one reconciles; the standby takes over when the
// leader is killed), signed webhooks, /metrics scraped and parsed, SIGTERM.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "capigitops/metrics.h"
#include "capigitops/webhook.h"
#include "daemon/prometheus_text.h"
#include "sandbox/sandbox_process.h"
#include "schema/crd_testing.h"
#include "testing/subprocess.h"

namespace capigitops {
namespace {

using nlohmann::json;
using testutil::BackgroundProcess;
using testutil::BinaryPath;
using testutil::RunProcess;
using testutil::SourcePath;

const char kSecret[] = "webhook-s3cret-value";

// Lines of a JSON log with this "msg".
std::vector<json> LogEvents(const std::string& log, const std::string& msg) {
  std::vector<json> out;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, false);
    if (j.is_object() && j.value("msg", "") == msg) out.push_back(j);
  }
  return out;
}

bool WaitUntil(const std::function<bool()>& done, double seconds) {
  auto end = std::chrono::steady_clock::now() +
             std::chrono::milliseconds(static_cast<int>(seconds * 1000));
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

struct Replica {
  std::unique_ptr<BackgroundProcess> process;
  std::string identity;
  int Count(const std::string& msg) const {
    return static_cast<int>(LogEvents(process->Log(), msg).size());
  }
  // host:port from the "controller started" line.
  std::string Address(const std::string& key) const {
    auto started = LogEvents(process->Log(), "controller started");
    return started.empty() ? "" : started[0].value(key, "");
  }
};

httplib::Client ClientFor(const std::string& address) {
  size_t colon = address.rfind(':');
  return httplib::Client(address.substr(0, colon),
                         std::stoi(address.substr(colon + 1)));
}

std::map<std::string, double> Scrape(const Replica& r) {
  auto client = ClientFor(r.Address("metrics"));
  auto res = client.Get("/metrics");
  std::map<std::string, double> samples;
  if (!res || res->status != 200) return samples;
  std::string error;
  EXPECT_TRUE(ParsePrometheusText(res->body, &samples, &error)) << error;
  return samples;
}

double SumOf(const std::map<std::string, double>& samples,
             const std::string& prefix) {
  double sum = 0;
  for (const auto& [k, v] : samples) {
    if (k.rfind(prefix, 0) == 0) sum += v;
  }
  return sum;
}

class RunIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_CRDS();
    std::string error;
    sandbox_ = sandbox_test::SandboxProcess::StartWithCrds(&error);
    ASSERT_NE(sandbox_, nullptr) << error;
    remote_ = dir_.Sub("remote.git");
    work_ = dir_.Sub("work");
    std::filesystem::create_directories(work_ + "/clusters");
    std::filesystem::copy_file(SourcePath("sample-repo/capi-gitops.yaml"),
                               work_ + "/capi-gitops.yaml");
    std::filesystem::copy_file(
        SourcePath("sample-repo/clusters/dev-sandbox.yaml"),
        work_ + "/clusters/dev-sandbox.yaml");
    // The add-on catalog capi-gitops.yaml's addons.defaults.cni names.
    std::filesystem::copy(SourcePath("sample-repo/addons"), work_ + "/addons",
                          std::filesystem::copy_options::recursive);
    ASSERT_TRUE(testutil::PublishAsRemote(work_, remote_, "one cluster"));
  }

  testutil::RunResult Git(const std::vector<std::string>& args) {
    return testutil::RunGit(args);
  }
  testutil::RunResult GitIn(std::vector<std::string> args) {
    args.insert(args.begin(), {"-C", work_});
    return Git(args);
  }

  Replica StartRun(const std::string& identity,
                   std::vector<std::string> extra) {
    std::vector<std::string> args = testutil::CapiRepoCommand(
        "run", remote_, sandbox_->kubeconfig(), dir_.Sub("cache-" + identity));
    std::vector<std::string> more = {"--metrics-addr", "127.0.0.1:0",
                                     "--webhook-addr", "127.0.0.1:0",
                                     "--log-format",   "json",
                                     "--interval",     "1h",
                                     "--wait",         "5"};
    args.insert(args.end(), more.begin(), more.end());
    args.insert(args.end(), extra.begin(), extra.end());
    Replica r;
    r.identity = identity;
    r.process = BackgroundProcess::Start(args, {{"WEBHOOK_SECRET", kSecret}},
                                         dir_.Sub("run-" + identity + ".log"));
    EXPECT_NE(r.process, nullptr);
    EXPECT_TRUE(WaitUntil([&] { return !r.Address("metrics").empty(); }, 30))
        << r.process->Log();
    return r;
  }

  std::vector<std::string> Elect(const std::string& identity) {
    return {"--leader-elect",
            "--leader-elect-namespace",
            "default",
            "--leader-elect-identity",
            identity,
            "--lease-duration",
            "3s",
            "--renew-deadline",
            "2s",
            "--retry-period",
            "1s"};
  }

  json Lease() {
    sandbox_test::Kubectl kubectl(*sandbox_);
    auto r = kubectl.Run(
        {"get", "lease", "capi-gitops", "-n", "default", "-o", "json"});
    return json::parse(r.out, nullptr, false);
  }

  bool ClusterLive(const std::string& name) {
    sandbox_test::Kubectl kubectl(*sandbox_);
    return kubectl
               .Run({"get", "clusters.cluster.x-k8s.io", name, "-n",
                     "capi-clusters"})
               .exit_code == 0;
  }

  httplib::Result PostWebhook(const Replica& r, const std::string& body,
                              const std::string& secret) {
    auto client = ClientFor(r.Address("webhook"));
    httplib::Headers h = {
        {"X-GitHub-Event", "push"},
        {"X-Hub-Signature-256", "sha256=" + HmacHex("sha256", secret, body)}};
    return client.Post("/", h, body, "application/json");
  }

  testing::TempDir dir_;
  std::string remote_, work_;
  std::unique_ptr<sandbox_test::SandboxProcess> sandbox_;
};

TEST_F(RunIntegrationTest, OnlyTheLeaderReconcilesAndAStandbyTakesOver) {
  if (!sandbox_) return;
  Replica a = StartRun("replica-a", Elect("replica-a"));
  ASSERT_TRUE(WaitUntil([&] { return a.Count("pass finished") >= 1; }, 60))
      << a.process->Log();
  Replica b = StartRun("replica-b", Elect("replica-b"));
  // b runs its election rounds but never leads while a renews.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  EXPECT_EQ(b.Count("became the leader"), 0) << b.process->Log();
  EXPECT_EQ(b.Count("pass started"), 0) << b.process->Log();
  EXPECT_EQ(Lease()["spec"]["holderIdentity"], "replica-a");
  EXPECT_TRUE(ClusterLive("dev-sandbox"));

  auto ma = Scrape(a), mb = Scrape(b);
  EXPECT_EQ(ma["capigitops_leader"], 1);
  EXPECT_EQ(mb["capigitops_leader"], 0);
  EXPECT_GE(ma["capigitops_reconcile_passes_total{result=\"success\"}"], 1);
  EXPECT_GT(SumOf(ma, "capigitops_api_requests_total{verb=\"PATCH\""), 0);
  EXPECT_EQ(SumOf(mb, "capigitops_api_requests_total{verb=\"PATCH\""), 0)
      << "the standby applied something";
  EXPECT_EQ(SumOf(mb, "capigitops_reconcile_passes_total"), 0);

  // A webhook that reaches the standby is handed to the leader.
  int passes = a.Count("pass started");
  auto res = PostWebhook(b, R"({"ref":"refs/heads/main"})", kSecret);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202) << res->body;
  EXPECT_TRUE(WaitUntil([&] { return a.Count("pass finished") > passes; }, 30))
      << a.process->Log();

  // The leader dies without releasing the Lease: b takes over once it has
  // expired, and reconciles.
  a.process->Signal(SIGKILL);
  a.process->Wait(10);
  ASSERT_TRUE(WaitUntil([&] { return b.Count("pass finished") >= 1; }, 60))
      << b.process->Log();
  EXPECT_EQ(b.Count("became the leader"), 1);
  EXPECT_EQ(Lease()["spec"]["holderIdentity"], "replica-b");
  EXPECT_EQ(Lease()["spec"]["leaseTransitions"], 1);

  // SIGTERM: the pass-free leader stops cleanly and hands the Lease back.
  b.process->Signal(SIGTERM);
  EXPECT_EQ(b.process->Wait(20), 0) << b.process->Log();
  EXPECT_EQ(Lease()["spec"]["holderIdentity"], "");
  EXPECT_EQ(b.Count("released the leader lease"), 1) << b.process->Log();
}

TEST_F(RunIntegrationTest, SignedWebhookStartsAPassAndMetricsTellTheStory) {
  if (!sandbox_) return;
  Replica r = StartRun("solo", {});
  ASSERT_TRUE(WaitUntil([&] { return r.Count("pass finished") >= 1; }, 60))
      << r.process->Log();
  EXPECT_TRUE(ClusterLive("dev-sandbox"));

  // A new cluster arrives by commit; the interval (1h) would be too late.
  std::filesystem::copy_file(
      SourcePath("sample-repo/clusters/llm-train-us-central1.yaml"),
      work_ + "/clusters/llm-train-us-central1.yaml");
  GitIn({"add", "-A"});
  GitIn({"commit", "-q", "-m", "add llm-train"});
  GitIn({"pull", "-q", "--rebase", "origin", "main"});
  ASSERT_EQ(GitIn({"push", "-q", "origin", "main"}).exit_code, 0);

  // A bad signature is refused, counted, and starts nothing.
  auto bad = PostWebhook(r, R"({"ref":"refs/heads/main"})", "wrong secret");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  // A push to another branch is accepted but ignored.
  auto other = PostWebhook(r, R"({"ref":"refs/heads/feature"})", kSecret);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 202);
  EXPECT_NE(other->body.find("ignored"), std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(r.Count("pass started"), 1) << r.process->Log();

  auto good = PostWebhook(r, R"({"ref":"refs/heads/main"})", kSecret);
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 202) << good->body;
  ASSERT_TRUE(WaitUntil([&] { return r.Count("pass finished") >= 2; }, 60))
      << r.process->Log();
  EXPECT_TRUE(ClusterLive("llm-train-us-central1"));

  auto health = ClientFor(r.Address("metrics")).Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto ready = ClientFor(r.Address("metrics")).Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);

  auto m = Scrape(r);
  EXPECT_EQ(m["capigitops_webhook_requests_total{source=\"github\",result="
              "\"refused\"}"],
            1);
  EXPECT_EQ(m["capigitops_webhook_requests_total{source=\"github\",result="
              "\"accepted\"}"],
            1);
  EXPECT_EQ(m["capigitops_webhook_requests_total{source=\"github\",result="
              "\"ignored\"}"],
            1);
  EXPECT_EQ(m["capigitops_reconcile_passes_total{result=\"success\"}"], 2);
  EXPECT_EQ(m["capigitops_reconcile_duration_seconds_count"], 2);
  EXPECT_GT(m["capigitops_objects_applied_total"], 0);
  EXPECT_EQ(SumOf(m, "capigitops_clusters{"), 2) << "clusters by phase";
  EXPECT_GT(m["capigitops_last_success_timestamp_seconds"], 1.7e9);
  EXPECT_GT(SumOf(m,
                  "capigitops_api_requests_total{verb=\"GET\",code="
                  "\"200\"}"),
            0);
  EXPECT_EQ(m["capigitops_git_errors_total"], 0);
  EXPECT_EQ(m.count("capigitops_clusters_expiring_soon"), 1u);
  // The build, the process and each cluster's expiry (metrics.cc,
  // cluster_gauges.cc), as the alert rules read them.
  EXPECT_EQ(SumOf(m, "capigitops_build_info{version=\""), 1);
  EXPECT_GT(m["process_resident_memory_bytes"], 0);
  EXPECT_GT(m["process_start_time_seconds"], 1.7e9);
  EXPECT_GT(m["process_open_fds"], 0);
  EXPECT_EQ(m.count("process_cpu_seconds_total"), 1u);
  EXPECT_GT(SumOf(m,
                  "capigitops_cluster_expiry_timestamp_seconds{cluster=\"llm-"
                  "train-us-central1\",owner=\""),
            1.7e9);

  r.process->Signal(SIGTERM);
  EXPECT_EQ(r.process->Wait(20), 0) << r.process->Log();
  std::string log = r.process->Log();
  EXPECT_EQ(log.find(kSecret), std::string::npos) << "secret in the logs";
  EXPECT_EQ(LogEvents(log, "webhook refused").size(), 1u);
}

TEST_F(RunIntegrationTest, TtlSweepRunsInTheLoop) {
  if (!sandbox_) return;
  // Created at 08:00 by a one-off pass; dev-sandbox's TTL is 90 minutes.
  std::vector<std::string> args = testutil::CapiRepoCommand(
      "reconcile", remote_, sandbox_->kubeconfig(), dir_.Sub("cache-once"));
  args.insert(args.end(), {"--now", "2026-11-27T08:00:00Z"});
  auto once = RunProcess(args);
  ASSERT_EQ(once.exit_code, 0) << once.out << once.err;
  ASSERT_TRUE(ClusterLive("dev-sandbox"));
  Replica r = StartRun("solo", {"--now", "2026-11-27T10:00:00Z"});
  ASSERT_TRUE(WaitUntil([&] { return r.Count("pass finished") >= 1; }, 60))
      << r.process->Log();
  std::string log =
      Git({"--git-dir", remote_, "log", "--format=%an|%s", "main"}).out;
  EXPECT_NE(log.find("capi-gitops|ttl: tear down dev-sandbox"),
            std::string::npos)
      << log;
  EXPECT_TRUE(WaitUntil([&] { return !ClusterLive("dev-sandbox"); }, 30));
  r.process->Signal(SIGTERM);
  EXPECT_EQ(r.process->Wait(20), 0) << r.process->Log();
  // --log-format json: nothing but JSON lines, counts as numbers, and the
  // teardown's lines name the cluster and the revision as fields.
  std::istringstream lines(r.process->Log());
  int about_dev_sandbox = 0;
  for (std::string line; std::getline(lines, line);) {
    json j = json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not JSON: " << line;
    EXPECT_TRUE(j["time"].is_string() && j["level"].is_string() &&
                j["msg"].is_string())
        << line;
    if (j["msg"] == "pass finished") {
      EXPECT_TRUE(j["applied"].is_number_integer()) << line;
      EXPECT_TRUE(j["seconds"].is_number()) << line;
    }
    if (j.value("cluster", "") == "dev-sandbox") {
      ++about_dev_sandbox;
      EXPECT_FALSE(j.value("revision", "").empty()) << line;
    }
  }
  EXPECT_GE(about_dev_sandbox, 1) << r.process->Log();
}

TEST_F(RunIntegrationTest, BadFlagsAreUsageErrors) {
  if (!sandbox_) return;
  auto r = RunProcess({BinaryPath("capi-gitops"), "run", "--repo", remote_,
                       "--interval", "soon"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--interval \"soon\""), std::string::npos) << r.err;
  r = RunProcess({BinaryPath("capi-gitops"), "run", "--repo", remote_,
                  "--leader-elect", "--lease-duration", "2s",
                  "--renew-deadline", "5s"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("lease duration > renew deadline"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace capigitops
