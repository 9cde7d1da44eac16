// Lifecycle notifications from `capi-gitops run` as separate processes
// against capi-sandbox and a bare Git remote: each restart is a new process
// that knows what was sent only from the annotation on the live Cluster.
// The receiver is a cpp-httplib server on 127.0.0.1; --now moves time.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "sandbox/sandbox_process.h"
#include "schema/crd_testing.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace capigitops {
namespace {

using nlohmann::json;

constexpr char kHookPath[] = "/hooks/T0NOTIFY/B0NOTIFY/notifysecrettoken";

int PassesFinished(const std::string& log) {
  int n = 0;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, false);
    if (j.is_object() && j.value("msg", "") == "pass finished") ++n;
  }
  return n;
}

class NotifyIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_CRDS();
    std::string error;
    sandbox_ = sandbox_test::SandboxProcess::StartWithCrds(&error);
    ASSERT_NE(sandbox_, nullptr) << error;
    server_.Post(R"(/hooks/.*)",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   std::lock_guard<std::mutex> lock(mu_);
                   bodies_.push_back(json::parse(req.body, nullptr, false));
                   paths_.push_back(req.path);
                   res.set_content("ok", "text/plain");
                 });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });

    remote_ = dir_.Sub("remote.git");
    std::string work = dir_.Sub("work");
    std::filesystem::create_directories(work + "/clusters");
    std::filesystem::copy_file(
        testutil::SourcePath("sample-repo/clusters/dev-sandbox.yaml"),
        work + "/clusters/dev-sandbox.yaml");  // ttl: 90m
    std::filesystem::copy(testutil::SourcePath("sample-repo/addons"),
                          work + "/addons",
                          std::filesystem::copy_options::recursive);
    std::ifstream in(testutil::SourcePath("sample-repo/capi-gitops.yaml"));
    std::stringstream config;
    config << in.rdbuf()
           << "notifications:\n"
              "  webhooks:\n"
              "  - name: ops\n"
              "    type: generic\n"
              "    secretRef: {name: capi-gitops-notifications, key: url}\n";
    std::ofstream(work + "/capi-gitops.yaml") << config.str();
    ASSERT_TRUE(testutil::PublishAsRemote(work, remote_, "one cluster"));

    sandbox_test::Kubectl kubectl(*sandbox_);
    auto ns = kubectl.Run({"create", "namespace", "capi-gitops-system"});
    ASSERT_EQ(ns.exit_code, 0) << ns.err;
    auto secret = kubectl.Run(
        {"create", "secret", "generic", "capi-gitops-notifications", "-n",
         "capi-gitops-system", "--from-literal=url=" + Url()});
    ASSERT_EQ(secret.exit_code, 0) << secret.err;
  }
  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + kHookPath;
  }

  // One `run` process at `now` until its first pass finished, then SIGTERM;
  // its log.
  std::string RunOnce(const std::string& now) {
    std::vector<std::string> args = testutil::CapiRepoCommand(
        "run", remote_, sandbox_->kubeconfig(), dir_.Sub("cache"));
    args.insert(args.end(),
                {"--metrics-addr", "127.0.0.1:0", "--log-format", "json",
                 "--interval", "1h", "--wait", "5", "--now", now});
    auto p = testutil::BackgroundProcess::Start(
        args, {{"POD_NAMESPACE", "capi-gitops-system"}},
        dir_.Sub("run-" + std::to_string(++runs_) + ".log"));
    EXPECT_NE(p, nullptr);
    if (!p) return "";
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (PassesFinished(p->Log()) < 1 &&
           std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    p->Signal(SIGTERM);
    EXPECT_EQ(p->Wait(20), 0) << p->Log();
    std::string log = p->Log();
    all_logs_ += log;
    return log;
  }

  // "expiring 2h", "usable", ... of every delivery so far.
  std::vector<std::string> Events() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const json& b : bodies_) {
      if (!b.is_object()) {
        out.push_back("not JSON");
        continue;
      }
      out.push_back(b.value("event", "") +
                    (b["leadTime"].is_string()
                         ? " " + b["leadTime"].get<std::string>()
                         : ""));
    }
    return out;
  }

  testing::TempDir dir_;
  std::string remote_;
  std::unique_ptr<sandbox_test::SandboxProcess> sandbox_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  int runs_ = 0;
  std::mutex mu_;
  std::vector<json> bodies_;
  std::vector<std::string> paths_;
  std::string all_logs_;
};

TEST_F(NotifyIntegrationTest, OneReminderPerLeadTimeAcrossRestarts) {
  if (!sandbox_) return;
  // dev-sandbox is created at 08:00 with a TTL of 90m: it expires 09:30.
  std::string log = RunOnce("2026-11-27T08:00:00Z");
  EXPECT_NE(log.find("dev-sandbox"), std::string::npos) << log;
  RunOnce("2026-11-27T08:05:00Z");  // within 2h of the expiry
  std::vector<std::string> events = Events();
  EXPECT_EQ(std::count(events.begin(), events.end(), "expiring 2h"), 1)
      << all_logs_;
  RunOnce("2026-11-27T08:10:00Z");  // a restart: nothing again
  RunOnce("2026-11-27T08:15:00Z");
  events = Events();
  EXPECT_EQ(std::count(events.begin(), events.end(), "expiring 2h"), 1)
      << all_logs_;
  RunOnce("2026-11-27T09:05:00Z");  // within 30m
  RunOnce("2026-11-27T09:10:00Z");
  events = Events();
  EXPECT_EQ(std::count(events.begin(), events.end(), "expiring 2h"), 1);
  EXPECT_EQ(std::count(events.begin(), events.end(), "expiring 30m"), 1)
      << all_logs_;
  EXPECT_LE(std::count(events.begin(), events.end(), "usable"), 1);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& p : paths_) EXPECT_EQ(p, kHookPath);
  }
  EXPECT_EQ(all_logs_.find("notifysecrettoken"), std::string::npos)
      << "the webhook URL is in the log";
  EXPECT_NE(all_logs_.find("notification expiring (30m) to webhook ops sent"),
            std::string::npos)
      << all_logs_;
}

}  // namespace
}  // namespace capigitops
