// Lifecycle notifications end to end in-process: FakeGitSource and
// FakeKubeApi as before, the real libcurl Notifier, and a receiver on
// 127.0.0.1 (cpp-httplib). Each pass is a fresh Reconciler, as after a
// restart or a change of leader: what was sent is known only from the
// annotation on the live Cluster.
#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <thread>

#include "app/builtin_policies.h"
#include "capigitops/duration.h"
#include "capigitops/json.h"
#include "capigitops/labels.h"
#include "capigitops/notifier.h"
#include "capigitops/reconcile.h"
#include "capigitops/writeback.h"
#include "git/fake_git_source.h"
#include "testing/fake_kube_api.h"
#include "testing/fake_workload.h"
#include "testing/forwarding_kube_api.h"
#include "util/base64.h"

namespace capigitops {
namespace {

using nlohmann::json;
using testing::FakeGitSource;

constexpr char kNs[] = "capi-clusters";
constexpr char kControllerNs[] = "capi-gitops-system";
// The credential part of the URLs: it must appear nowhere but on the wire.
constexpr char kSecretPath[] = "T0SECRET/B0SECRET/xoxSECRETTOKEN";

// Every Cluster Provisioned with its control plane initialized (the fake
// has no CAPI controllers).
class ProvisionedApi : public testing::ForwardingKubeApi {
 public:
  explicit ProvisionedApi(FakeKubeApi& inner)
      : ForwardingKubeApi(inner), inner_(inner) {}
  static void Provision(json* c) {
    (*c)["status"]["phase"] = "Provisioned";
    (*c)["status"]["initialization"]["controlPlaneInitialized"] = true;
  }
  StatusOr<json> Get(const ResourceInfo& r, const std::string& ns,
                     const std::string& name) override {
    StatusOr<json> got = inner_.Get(r, ns, name);
    if (got.ok() && r.kind == "Cluster") Provision(&*got);
    return got;
  }
  StatusOr<std::vector<json>> List(const ResourceInfo& r, const std::string& ns,
                                   const std::string& selector) override {
    StatusOr<std::vector<json>> items = inner_.List(r, ns, selector);
    if (items.ok() && r.kind == "Cluster") {
      for (json& c : *items) Provision(&c);
    }
    return items;
  }

 private:
  FakeKubeApi& inner_;
};

// The webhook receiver: every request with its path and body; answers 500
// while `refuse` is set.
class Receiver {
 public:
  struct Hit {
    std::string path;
    json body;
    bool accepted = false;
  };
  Receiver() {
    server_.Post(R"(/hooks/.*)",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   std::lock_guard<std::mutex> lock(mu_);
                   StatusOr<json> body = yaml::ParseJson(req.body, "body");
                   Hit hit{req.path, body.ok() ? *body : json(), !refuse_};
                   hits_.push_back(hit);
                   res.status = refuse_ ? 500 : 200;
                   res.set_content(refuse_ ? "no" : "ok", "text/plain");
                 });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& kind) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/hooks/" + kind +
           "/" + kSecretPath;
  }
  void Refuse(bool refuse) {
    std::lock_guard<std::mutex> lock(mu_);
    refuse_ = refuse;
  }
  std::vector<Hit> Accepted(const std::string& kind) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Hit> out;
    for (const Hit& h : hits_) {
      if (h.accepted && h.path.rfind("/hooks/" + kind + "/", 0) == 0) {
        out.push_back(h);
      }
    }
    return out;
  }
  size_t Total() {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_.size();
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  bool refuse_ = false;
  std::vector<Hit> hits_;
};

constexpr char kConfig[] =
    "apiVersion: capigitops.io/v1alpha1\n"
    "kind: RepoConfig\n"
    "namespace: capi-clusters\n"
    "kubernetesVersion: v1.33.4\n"
    "providers:\n"
    "  gcp:\n"
    "    project: acme\n"
    "    imageFamily: projects/acme/global/images/family/capi\n"
    "notifications:\n"
    "  webhooks:\n"
    "  - name: ml-slack\n"
    "    type: slack\n"
    "    secretRef: {name: capi-gitops-notifications, key: slack-url}\n"
    "  - name: ops\n"
    "    type: generic\n"
    "    secretRef: {name: capi-gitops-notifications, key: generic-url}\n";

constexpr char kSpec[] =
    "apiVersion: capigitops.io/v1alpha1\n"
    "kind: ClusterRequest\n"
    "metadata: {name: llm-train}\n"
    "spec:\n"
    "  owner: ml-research\n"
    "  provider: gcp\n"
    "  region: us-central1\n"
    "  zone: us-central1-c\n"
    "  controlPlane: {replicas: 1, machineType: n2-standard-4}\n"
    "  nodePools:\n"
    "  - name: cpu\n"
    "    machineType: n2-standard-8\n"
    "    replicas: 1\n"
    "  ttl: 4h\n";

class ReconcilerNotifyTest : public ::testing::Test {
 protected:
  ReconcilerNotifyTest()
      : management_(kube_), notifier_(NewCurlNotifier({2000, 1000})) {
    git_.PushFiles(
        {{"capi-gitops.yaml", kConfig}, {"clusters/llm-train.yaml", kSpec}},
        "a cluster");
    kube_.Seed({{"apiVersion", "v1"},
                {"kind", "Secret"},
                {"metadata",
                 {{"name", "capi-gitops-notifications"},
                  {"namespace", kControllerNs}}},
                {"data",
                 {{"slack-url", Base64Encode(receiver_.Url("slack") + "\n")},
                  {"generic-url", Base64Encode(receiver_.Url("generic"))}}}});
    workload_.ServeWorkloadKinds();
    workload_.Seed(
        {{"apiVersion", "v1"},
         {"kind", "Node"},
         {"metadata", {{"name", "node-1"}}},
         {"status",
          {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}});
    connector_.Add(kNs, "llm-train", &workload_);
  }

  // A pass at T0 + `minutes`, through a Reconciler of its own.
  PassResult Pass(int minutes) {
    ReconcileOptions o;
    o.now = t0_ + minutes * 60;
    o.sync.now = o.now;
    o.sync.wait_seconds = 1;
    PassDeps deps{&git_,        &git_,
                  &management_, &BuiltinPolicyFiles(),
                  &connector_,  notifier_.get()};
    PassResult r = RunPass(deps, o);
    for (const PassNote& n : r.notes) output_ += n.text + "\n";
    for (const auto& [path, text] : r.status_files) output_ += text;
    return r;
  }

  json Cluster() {
    return kube_.Stored("cluster.x-k8s.io/v1beta2", "Cluster", kNs,
                        "llm-train");
  }
  std::string Annotation(const char* key) {
    return Cluster()["metadata"]
        .value("annotations", json::object())
        .value(key, "");
  }
  // The event ("expiring 2h", "usable") of each accepted delivery to `kind`.
  std::vector<std::string> Events(const std::string& kind) {
    std::vector<std::string> out;
    for (const Receiver::Hit& h : receiver_.Accepted(kind)) {
      if (kind == "generic") {
        std::string lead = h.body["leadTime"].is_string()
                               ? " " + h.body.value("leadTime", "")
                               : "";
        out.push_back(h.body.value("event", "") + lead);
      } else {
        out.push_back(h.body.value("text", ""));
      }
    }
    return out;
  }

  const int64_t t0_ = *ParseRfc3339("2026-12-03T08:00:00Z");
  Receiver receiver_;
  FakeGitSource git_;
  FakeKubeApi kube_;
  ProvisionedApi management_;
  FakeKubeApi workload_;
  FakeWorkloadConnector connector_;
  std::unique_ptr<Notifier> notifier_;
  std::string output_;  // every note and status file of every pass
};

using V = std::vector<std::string>;

TEST_F(ReconcilerNotifyTest, OneReminderPerLeadTimeAcrossPassesAndRestarts) {
  PassResult r = Pass(0);  // creates it: nothing live to announce yet
  ASSERT_EQ(r.outcome(), PassOutcome::kSuccess) << output_;
  EXPECT_EQ(receiver_.Total(), 0u);
  // The expiry on the Cluster counts from createdAt, as the TTL does.
  EXPECT_EQ(Annotation(kExpiresAtAnnotation), "2026-12-03T12:00:00Z");

  Pass(5);  // usable
  EXPECT_EQ(Events("generic"), V{"usable"}) << output_;
  ASSERT_EQ(receiver_.Accepted("slack").size(), 1u);
  Pass(10);
  Pass(60);
  EXPECT_EQ(Events("generic"), V{"usable"}) << output_;

  r = Pass(120);  // 2h left
  EXPECT_EQ(Events("generic"), (V{"usable", "expiring 2h"})) << output_;
  EXPECT_EQ(r.notifications.at("sent"), 2);
  EXPECT_EQ(r.phases.at("llm-train"), "ExpiringSoon");
  EXPECT_NE(
      git_.Files().at("status/llm-train.yaml").find("phase: ExpiringSoon"),
      std::string::npos);
  EXPECT_EQ(Annotation(kExpiresAtAnnotation), "2026-12-03T12:00:00Z")
      << "the expiry does not move with the passes";
  Pass(130);
  Pass(200);
  EXPECT_EQ(Events("generic"), (V{"usable", "expiring 2h"})) << output_;
  EXPECT_EQ(Annotation(kNotifiedAnnotation),
            "ml-slack/expiring-2h@2026-12-03T12:00:00Z,ml-slack/usable,"
            "ops/expiring-2h@2026-12-03T12:00:00Z,ops/usable");

  // A refusing receiver: logged (without the URL), not recorded, and sent
  // by the next pass.
  receiver_.Refuse(true);
  r = Pass(210);  // 30m left
  EXPECT_EQ(r.notifications.at("failed"), 2);
  EXPECT_EQ(r.outcome(), PassOutcome::kSuccess) << "a webhook is not the pass";
  EXPECT_NE(output_.find("llm-train: notification expiring (30m) to webhook "
                         "ops: the webhook answered HTTP 500; the next pass "
                         "tries again"),
            std::string::npos)
      << output_;
  EXPECT_EQ(Annotation(kNotifiedAnnotation).find("30m"), std::string::npos);
  receiver_.Refuse(false);
  Pass(215);
  Pass(220);
  EXPECT_EQ(Events("generic"), (V{"usable", "expiring 2h", "expiring 30m"}))
      << output_;
  std::vector<Receiver::Hit> slack = receiver_.Accepted("slack");
  ASSERT_EQ(slack.size(), 3u);
  for (const Receiver::Hit& h : slack) {
    ASSERT_TRUE(h.body.is_object());
    EXPECT_EQ(h.body.size(), 1u) << h.body.dump();
    EXPECT_TRUE(h.body["text"].is_string());
  }
  EXPECT_NE(
      slack[2]
          .body.value("text", "")
          .find("cluster *llm-train* (owner ml-research) expires in 30m or "
                "less: its TTL ends at 2026-12-03T12:00:00Z (in 20m)"),
      std::string::npos)
      << slack[2].body.dump();
  json generic = receiver_.Accepted("generic")[2].body;
  EXPECT_EQ(generic["cluster"], "llm-train");
  EXPECT_EQ(generic["namespace"], "capi-clusters");
  EXPECT_EQ(generic["owner"], "ml-research");
  EXPECT_EQ(generic["expiresAt"], "2026-12-03T12:00:00Z");
  EXPECT_EQ(generic["time"], "2026-12-03T11:35:00Z");

  // The URLs were never written anywhere but on the wire.
  EXPECT_EQ(output_.find(kSecretPath), std::string::npos) << output_;
  EXPECT_EQ(output_.find("127.0.0.1"), std::string::npos) << output_;
  for (const auto& [path, text] : git_.Files()) {
    EXPECT_EQ(text.find(kSecretPath), std::string::npos) << path;
  }
  EXPECT_EQ(Cluster().dump().find(kSecretPath), std::string::npos);
}

TEST_F(ReconcilerNotifyTest, AMissingSecretWaitsAndSaysWhich) {
  ASSERT_TRUE(kube_
                  .Delete(*kube_.Resolve("v1", "Secret"), kControllerNs,
                          "capi-gitops-notifications", {})
                  .ok());
  Pass(0);
  Pass(5);
  EXPECT_EQ(receiver_.Total(), 0u);
  EXPECT_NE(output_.find("error: notifications: webhook ml-slack: Secret "
                         "capi-gitops-system/capi-gitops-notifications not "
                         "found; its notifications wait"),
            std::string::npos)
      << output_;
  EXPECT_EQ(Annotation(kNotifiedAnnotation), "");
}

TEST_F(ReconcilerNotifyTest, WithoutANotifierNothingIsSentOrRecorded) {
  notifier_.reset();
  Pass(0);
  Pass(125);
  EXPECT_EQ(receiver_.Total(), 0u);
  EXPECT_EQ(Annotation(kNotifiedAnnotation), "");
}

}  // namespace
}  // namespace capigitops
