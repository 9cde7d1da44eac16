// The controller's loop and endpoints with a fake pass: no Git, no API.
#include "capigitops/controller.h"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "capigitops/webhook.h"
#include "daemon/http_server.h"
#include "util/log.h"

namespace capigitops {
namespace {

class ControllerTest : public ::testing::Test {
 protected:
  ControllerTest() : log_(&log_text_, LogFormat::kText, LogLevel::kInfo) {
    DeclareControllerMetrics(&metrics_);
  }

  // `source_error`: the pass could not read Git. `held`: a deletion was
  // held.
  std::unique_ptr<Controller> Make(int64_t interval_ms,
                                   bool source_error = false,
                                   bool held = false) {
    ControllerOptions o;
    o.interval_ms = interval_ms;
    o.jitter = 0;
    o.webhook_secret = "s3cret";
    auto pass = [this, source_error, held] {
      passes_++;
      PassResult r;
      r.revision = "0123456789abcdef";
      if (source_error) {
        r.source = Status::Unavailable("cannot reach the remote");
        r.notes = {{true, "error: cannot reach the remote"}};
        return r;
      }
      r.objects_applied = 3;
      r.status_known = true;
      r.phases = {
          {"a", "Provisioned"}, {"b", "Provisioned"}, {"c", "Deleting"}};
      r.expiring_soon = 1;
      r.idle_seconds = {{"a", 600}, {"b", 0}};
      r.idle_decisions = {{"teardown", 1}};
      r.notes = {{false, "a: 3 created, 0 configured, 0 pruned"}};
      if (held) {
        ClusterPassResult c;
        c.name = "c";
        c.outcome = ClusterOutcome::kHeld;
        r.clusters.push_back(c);
      }
      return r;
    };
    return std::make_unique<Controller>(o, pass, nullptr, &metrics_, &log_);
  }

  static bool WaitFor(const std::function<bool()>& done) {
    for (int i = 0; i < 500 && !done(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  HttpExchange Webhook(const std::string& body, const std::string& secret) {
    HttpExchange ex;
    ex.method = "POST";
    ex.path = "/";
    ex.body = body;
    ex.headers["x-hub-signature-256"] =
        "sha256=" + HmacHex("sha256", secret, body);
    return ex;
  }

  std::ostringstream log_text_;
  Logger log_;
  MetricsRegistry metrics_;
  std::atomic<int> passes_{0};
};

TEST_F(ControllerTest, PassesAtStartThenEveryIntervalAndStopsCleanly) {
  auto c = Make(100);
  int code = -1;
  std::thread t([&] { code = c->Run(); });
  EXPECT_TRUE(WaitFor([&] { return passes_ >= 3; }));
  c->Stop();
  t.join();
  EXPECT_EQ(code, 0);
  EXPECT_GE(metrics_.Value("capigitops_reconcile_passes_total",
                           {{"result", "success"}}),
            3);
  EXPECT_EQ(metrics_.Value("capigitops_clusters", {{"phase", "Provisioned"}}),
            2);
  EXPECT_EQ(metrics_.Value("capigitops_clusters", {{"phase", "Deleting"}}), 1);
  EXPECT_EQ(metrics_.Value("capigitops_clusters_expiring_soon"), 1);
  EXPECT_EQ(
      metrics_.Value("capigitops_cluster_idle_seconds", {{"cluster", "a"}}),
      600);
  EXPECT_GE(metrics_.Value("capigitops_idle_decisions_total",
                           {{"action", "teardown"}}),
            3);
  EXPECT_GT(metrics_.Value("capigitops_last_success_timestamp_seconds"), 0);
  EXPECT_NE(log_text_.str().find("pass finished result=success"),
            std::string::npos)
      << log_text_.str();
}

// An idle action due before the next interval gets a pass of its own (a
// second after it is due), not one up to an interval later.
TEST_F(ControllerTest, PassesWhenAnIdleActionFallsDue) {
  ControllerOptions o;
  o.interval_ms = 3600 * 1000;
  o.jitter = 0;
  auto pass = [this] {
    PassResult r;
    r.revision = "0123456789abcdef";
    if (passes_++ == 0) r.next_idle_action_in = 0;  // due now
    return r;
  };
  Controller c(o, pass, nullptr, &metrics_, &log_);
  std::thread t([&] { c.Run(); });
  EXPECT_TRUE(WaitFor([&] { return passes_ >= 2; }));
  // Nothing more is due: the next pass waits for the hour.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(passes_, 2);
  c.Stop();
  t.join();
}

TEST_F(ControllerTest, SignedWebhookTriggersAPassAtOnce) {
  auto c = Make(3600 * 1000);
  std::thread t([&] { c->Run(); });
  ASSERT_TRUE(WaitFor([&] { return passes_ == 1; }));
  HttpReply bad = c->ServeWebhook(Webhook(R"({"ref":"refs/heads/main"})", "x"));
  EXPECT_EQ(bad.status, 401);
  HttpReply other =
      c->ServeWebhook(Webhook(R"({"ref":"refs/heads/dev"})", "s3cret"));
  EXPECT_EQ(other.status, 202);
  EXPECT_NE(other.body.find("ignored"), std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(passes_, 1);
  HttpReply good =
      c->ServeWebhook(Webhook(R"({"ref":"refs/heads/main"})", "s3cret"));
  EXPECT_EQ(good.status, 202);
  EXPECT_TRUE(WaitFor([&] { return passes_ == 2; }));
  HttpExchange get;
  get.method = "GET";
  EXPECT_EQ(c->ServeWebhook(get).status, 405);
  c->Stop();
  t.join();
  EXPECT_EQ(metrics_.Value("capigitops_webhook_requests_total",
                           {{"source", "github"}, {"result", "refused"}}),
            1);
}

TEST_F(ControllerTest, FailedPassesAreCountedByKindAndAreNotSuccesses) {
  auto c = Make(3600 * 1000, /*source_error=*/true);
  std::thread t([&] { c->Run(); });
  ASSERT_TRUE(WaitFor([&] { return passes_ == 1; }));
  c->Stop();
  t.join();
  EXPECT_EQ(metrics_.Value("capigitops_reconcile_passes_total",
                           {{"result", "source_error"}}),
            1);
  EXPECT_EQ(metrics_.Value("capigitops_git_errors_total"), 1);
  EXPECT_EQ(metrics_.Value("capigitops_last_success_timestamp_seconds"), 0);
}

TEST_F(ControllerTest, HeldDeletionsAreCountedAndLogged) {
  auto c = Make(3600 * 1000, false, /*held=*/true);
  std::thread t([&] { c->Run(); });
  ASSERT_TRUE(WaitFor([&] { return passes_ == 1; }));
  c->Stop();
  t.join();
  EXPECT_EQ(metrics_.Value("capigitops_reconcile_passes_total",
                           {{"result", "deletion_held"}}),
            1);
  EXPECT_EQ(metrics_.Value("capigitops_deletions_held"), 1);
  EXPECT_NE(log_text_.str().find("pass finished result=deletion_held"),
            std::string::npos)
      << log_text_.str();
}

TEST_F(ControllerTest, ProbesAnswerAndUnknownPathsAre404) {
  auto c = Make(3600 * 1000);
  HttpExchange probe;
  probe.method = "GET";
  probe.path = "/readyz";
  EXPECT_EQ(c->ServeProbe(probe).status, 503) << "not running yet";
  std::thread t([&] { c->Run(); });
  ASSERT_TRUE(WaitFor([&] { return passes_ == 1; }));
  EXPECT_EQ(c->ServeProbe(probe).status, 200);
  probe.path = "/healthz";
  EXPECT_EQ(c->ServeProbe(probe).status, 200);
  probe.path = "/metrics";
  HttpReply m = c->ServeProbe(probe);
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.content_type.find("version=0.0.4"), std::string::npos);
  EXPECT_NE(m.body.find("capigitops_reconcile_duration_seconds_count 1"),
            std::string::npos);
  probe.path = "/nope";
  EXPECT_EQ(c->ServeProbe(probe).status, 404);
  c->Stop();
  t.join();
  probe.path = "/healthz";
  EXPECT_EQ(c->ServeProbe(probe).status, 503);
}

TEST_F(ControllerTest, ReplayedDeliveryIsRefused) {
  auto c = Make(3600 * 1000);
  HttpExchange hook = Webhook(R"({"ref":"refs/heads/main"})", "s3cret");
  hook.headers["x-github-delivery"] = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
  EXPECT_EQ(c->ServeWebhook(hook).status, 202);
  HttpReply again = c->ServeWebhook(hook);
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.body.find("already received"), std::string::npos);
  hook.headers["x-github-delivery"] = "another";
  EXPECT_EQ(c->ServeWebhook(hook).status, 202);
  EXPECT_EQ(metrics_.Value("capigitops_webhook_requests_total",
                           {{"source", "github"}, {"result", "replayed"}}),
            1);
}

TEST(DeliveryLogTest, RemembersABoundedNumberOfIds) {
  DeliveryLog log(2);
  EXPECT_FALSE(log.SeenBefore("a"));
  EXPECT_TRUE(log.SeenBefore("a"));
  EXPECT_FALSE(log.SeenBefore(""));
  EXPECT_FALSE(log.SeenBefore(""));
  EXPECT_FALSE(log.SeenBefore("b"));
  EXPECT_FALSE(log.SeenBefore("c"));  // "a" is forgotten
  EXPECT_FALSE(log.SeenBefore("a"));
  EXPECT_TRUE(log.SeenBefore("c"));
}

TEST_F(ControllerTest, HealthzFailsWhileAPassHangs) {
  ControllerOptions o;
  o.interval_ms = 3600 * 1000;
  o.hung_pass_ms = 200;
  std::atomic<bool> release{false};
  Controller c(
      o,
      [&] {
        passes_++;
        while (!release)
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return PassResult{};
      },
      nullptr, &metrics_, &log_);
  std::thread t([&] { c.Run(); });
  ASSERT_TRUE(WaitFor([&] { return passes_ == 1; }));
  HttpExchange probe;
  probe.method = "GET";
  probe.path = "/healthz";
  EXPECT_EQ(c.ServeProbe(probe).status, 200) << "a pass that just started";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  HttpReply hung = c.ServeProbe(probe);
  EXPECT_EQ(hung.status, 500);
  EXPECT_NE(hung.body.find("hung"), std::string::npos) << hung.body;
  release = true;
  ASSERT_TRUE(WaitFor([&] { return c.ServeProbe(probe).status == 200; }));
  c.Stop();
  t.join();
}

// A settled pass: nothing applied, everything Provisioned, no clock running.
PassResult SettledResult() {
  PassResult r;
  r.revision = "0123456789abcdef";
  r.status_known = true;
  r.phases = {{"a", "Provisioned"}};
  return r;
}

class SkipTest : public ControllerTest {
 protected:
  std::unique_ptr<Controller> MakeSkipping(int64_t interval_ms,
                                           int64_t resync_ms) {
    ControllerOptions o;
    o.interval_ms = interval_ms;
    o.jitter = 0;
    o.resync_ms = resync_ms;
    o.fingerprint = [this]() -> StatusOr<std::string> {
      std::lock_guard<std::mutex> lock(mu_);
      return fingerprint_;
    };
    auto pass = [this] {
      passes_++;
      std::lock_guard<std::mutex> lock(mu_);
      return result_;
    };
    return std::make_unique<Controller>(o, pass, nullptr, &metrics_, &log_);
  }
  void SetFingerprint(const std::string& f) {
    std::lock_guard<std::mutex> lock(mu_);
    fingerprint_ = f;
  }
  double Skipped() {
    return metrics_.Value("capigitops_reconcile_skipped_total");
  }

  std::mutex mu_;
  std::string fingerprint_ = "rev-1 inventories-1";
  PassResult result_ = SettledResult();
};

TEST_F(SkipTest, UnchangedInputsSkipTheFullPassAndAChangeRunsIt) {
  auto c = MakeSkipping(20, 3600 * 1000);
  std::thread t([&] { c->Run(); });
  EXPECT_TRUE(WaitFor([&] { return Skipped() >= 5; }));
  EXPECT_EQ(passes_, 1);                  // only the first
  SetFingerprint("rev-2 inventories-1");  // a new commit
  EXPECT_TRUE(WaitFor([&] { return passes_ == 2; }));
  double skipped = Skipped();
  EXPECT_TRUE(WaitFor([&] { return Skipped() >= skipped + 3; }));
  EXPECT_EQ(passes_, 2);
  SetFingerprint("rev-2 inventories-2");  // an inventory changed
  EXPECT_TRUE(WaitFor([&] { return passes_ == 3; }));
  c->Stop();
  t.join();
  EXPECT_GT(metrics_.Value("capigitops_last_success_timestamp_seconds"), 0);
}

TEST_F(SkipTest, ResyncForcesAFullPass) {
  auto c = MakeSkipping(10, 200);
  std::thread t([&] { c->Run(); });
  EXPECT_TRUE(WaitFor([&] { return passes_ >= 3; }));
  c->Stop();
  t.join();
  EXPECT_GT(Skipped(), 0);  // in between, the unchanged passes were skipped
}

TEST_F(SkipTest, AnUnsettledPassIsNeverFollowedByASkip) {
  result_.objects_applied = 1;  // something changed: look again
  auto c = MakeSkipping(10, 3600 * 1000);
  std::thread t([&] { c->Run(); });
  EXPECT_TRUE(WaitFor([&] { return passes_ >= 4; }));
  c->Stop();
  t.join();
  EXPECT_EQ(Skipped(), 0);
}

TEST_F(SkipTest, AFailingFingerprintRunsTheFullPass) {
  ControllerOptions o;
  o.interval_ms = 10;
  o.jitter = 0;
  o.fingerprint = []() -> StatusOr<std::string> {
    return Status::Unavailable("cannot reach the remote");
  };
  Controller c(
      o,
      [this] {
        passes_++;
        return SettledResult();
      },
      nullptr, &metrics_, &log_);
  std::thread t([&] { c.Run(); });
  EXPECT_TRUE(WaitFor([&] { return passes_ >= 3; }));
  c.Stop();
  t.join();
  EXPECT_EQ(Skipped(), 0);
}

TEST(PassSettledTest, ClocksDeletionsAndProvisioningKeepPassesFull) {
  EXPECT_TRUE(PassSettled(SettledResult()));
  PassResult r = SettledResult();
  r.expiring_soon = 1;
  EXPECT_FALSE(PassSettled(r));
  r = SettledResult();
  r.idle_seconds = {{"a", 0}};
  EXPECT_FALSE(PassSettled(r));
  r = SettledResult();
  r.phases["b"] = "Provisioning";
  EXPECT_FALSE(PassSettled(r));
  r = SettledResult();
  r.clusters.push_back({});
  r.clusters.back().outcome = ClusterOutcome::kDeleting;
  EXPECT_FALSE(PassSettled(r));
  r = SettledResult();
  r.live = Status::Unavailable("no API");
  EXPECT_FALSE(PassSettled(r));
}

}  // namespace
}  // namespace capigitops
