#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>

#include "capigitops/json.h"
#include "capigitops/kube_client.h"
#include "kube/exec_credential.h"
#include "kube/http.h"

namespace capigitops {
namespace {

// Answers requests from a script and records what it was sent.
class FakeTransport : public HttpTransport {
 public:
  std::deque<StatusOr<HttpResponse>> script;
  std::vector<HttpRequest> sent;

  StatusOr<HttpResponse> Send(const HttpRequest& req) override {
    sent.push_back(req);
    if (script.empty()) return HttpResponse{200, "{}", {}};
    StatusOr<HttpResponse> r = script.front();
    script.pop_front();
    return r;
  }
  static HttpResponse Reply(long status, std::string body,
                            std::map<std::string, std::string> headers = {}) {
    return HttpResponse{status, std::move(body), std::move(headers)};
  }
  std::string Auth(size_t i) const {
    for (const auto& [k, v] : sent.at(i).headers) {
      if (k == "Authorization") return v;
    }
    return "";
  }
};

const char kDiscovery[] =
    R"({"kind":"APIResourceList","groupVersion":"cluster.x-k8s.io/v1beta2",
  "resources":[{"name":"clusters","namespaced":true,"kind":"Cluster"},
               {"name":"clusters/status","namespaced":true,"kind":"Cluster"}]})";

struct Fixture {
  FakeTransport* fake = nullptr;
  std::unique_ptr<KubeClient> client;
  explicit Fixture(RestConfig rc = {}) {
    if (rc.server.empty()) rc.server = "https://127.0.0.1:1";
    if (rc.token.empty() && rc.token_file.empty() && !rc.exec)
      rc.token = "s3cret-token";
    auto t = std::make_unique<FakeTransport>();
    fake = t.get();
    ClientOptions opts;
    opts.max_backoff_ms = 10;
    opts.max_retries = 3;
    client = std::make_unique<KubeClient>(rc, std::move(t), opts);
  }
};

TEST(KubeClientTest, DiscoveryIsCachedPerGroupVersion) {
  Fixture f;
  f.fake->script.push_back(FakeTransport::Reply(200, kDiscovery));
  auto r = f.client->Resolve("cluster.x-k8s.io/v1beta2", "Cluster");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->plural, "clusters");
  EXPECT_EQ(KubeClient::Path(*r, "ns", "a"),
            "/apis/cluster.x-k8s.io/v1beta2/namespaces/ns/clusters/a");
  EXPECT_TRUE(f.client->Resolve("cluster.x-k8s.io/v1beta2", "Cluster").ok());
  auto missing = f.client->Resolve("cluster.x-k8s.io/v1beta2", "Machine");
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find("CRDs installed"),
            std::string::npos);
  EXPECT_EQ(f.fake->sent.size(), 1u);
  EXPECT_EQ(f.fake->sent[0].url,
            "https://127.0.0.1:1/apis/cluster.x-k8s.io/v1beta2");
  EXPECT_EQ(f.fake->Auth(0), "Bearer s3cret-token");
}

TEST(KubeClientTest, ForgottenDiscoverySeesKindsInstalledLater) {
  Fixture f;
  f.fake->script.push_back(FakeTransport::Reply(404, "{}"));
  EXPECT_TRUE(f.client->Resolve("cluster.x-k8s.io/v1beta2", "Cluster")
                  .status()
                  .IsNotFound());
  f.fake->script.push_back(FakeTransport::Reply(200, kDiscovery));
  // Without forgetting, the absence stays cached.
  EXPECT_FALSE(f.client->Resolve("cluster.x-k8s.io/v1beta2", "Cluster").ok());
  EXPECT_EQ(f.fake->sent.size(), 1u);
  f.client->ForgetDiscovery();
  EXPECT_TRUE(f.client->Resolve("cluster.x-k8s.io/v1beta2", "Cluster").ok());
  EXPECT_EQ(f.fake->sent.size(), 2u);
}

TEST(KubeClientTest, RetriesHonourRetryAfterAndAreBounded) {
  Fixture f;
  ResourceInfo cm{"", "v1", "ConfigMap", "configmaps", true};
  f.fake->script.push_back(
      FakeTransport::Reply(429, "{}", {{"retry-after", "0"}}));
  f.fake->script.push_back(Status::Unavailable("connection reset"));
  f.fake->script.push_back(FakeTransport::Reply(503, "{}"));
  f.fake->script.push_back(
      FakeTransport::Reply(200, R"({"metadata":{"name":"x"}})"));
  auto got = f.client->Get(cm, "ns", "x");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(f.fake->sent.size(), 4u);
  EXPECT_EQ(f.client->stats().retries.load(), 3);

  for (int i = 0; i < 10; ++i)
    f.fake->script.push_back(FakeTransport::Reply(500, "{}"));
  got = f.client->Get(cm, "ns", "x");
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(f.fake->sent.size(), 4u + 4u);  // first try + 3 retries
}

TEST(KubeClientTest, ErrorsSayWhatToDoAndNeverShowTheToken) {
  Fixture f;
  ResourceInfo cm{"", "v1", "ConfigMap", "configmaps", true};
  f.fake->script.push_back(FakeTransport::Reply(
      401,
      R"({"kind":"Status","reason":"Unauthorized","message":"Unauthorized"})"));
  auto got = f.client->Get(cm, "ns", "x");
  EXPECT_EQ(got.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(got.status().message().find("wrong or expired"), std::string::npos);
  EXPECT_EQ(got.status().message().find("s3cret"), std::string::npos);

  f.fake->script.push_back(FakeTransport::Reply(
      403,
      R"({"reason":"Forbidden","message":"configmaps \"x\" is forbidden: User cannot get"})"));
  got = f.client->Get(cm, "ns", "x");
  EXPECT_EQ(got.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(got.status().message().find("get configmaps ns/x: 403 Forbidden"),
            std::string::npos)
      << got.status().message();

  f.fake->script.push_back(FakeTransport::Reply(
      422, R"({"reason":"Invalid","message":"Cluster is invalid",
              "details":{"causes":[{"field":"spec.x","message":"Unsupported value"}]}})"));
  got = f.client->Get(cm, "ns", "x");
  EXPECT_NE(got.status().message().find("spec.x: Unsupported value"),
            std::string::npos);
}

TEST(KubeClientTest, ListFollowsContinueAndRestoresKinds) {
  Fixture f;
  ResourceInfo cm{"", "v1", "ConfigMap", "configmaps", true};
  f.fake->script.push_back(FakeTransport::Reply(
      200,
      R"({"items":[{"metadata":{"name":"a"}}],"metadata":{"continue":"t1"}})"));
  f.fake->script.push_back(FakeTransport::Reply(
      200, R"({"items":[{"metadata":{"name":"b"}}],"metadata":{}})"));
  auto items =
      f.client->List(cm, "ns", "app.kubernetes.io/managed-by=capi-gitops");
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[1]["kind"], "ConfigMap");
  EXPECT_EQ(f.fake->sent[0].url,
            "https://127.0.0.1:1/api/v1/namespaces/ns/configmaps?limit=500&"
            "labelSelector=app.kubernetes.io%2Fmanaged-by%3Dcapi-gitops");
  EXPECT_NE(f.fake->sent[1].url.find("&continue=t1"), std::string::npos);
}

// A server that answers `[[[[…` (or `{{{{…`) 100,000 levels deep: every
// entry point returns a clear error instead of crashing on the stack.
TEST(KubeClientTest, TooDeepResponsesAreClearErrors) {
  const std::string deep(100000, '[');
  const std::string deep_object = "{\"items\":" + std::string(100000, '{');
  Fixture f;
  ResourceInfo cm{"", "v1", "ConfigMap", "configmaps", true};
  auto expect_deep = [](const Status& s, const std::string& what) {
    EXPECT_FALSE(s.ok()) << what;
    EXPECT_NE(s.message().find(what + ": nesting deeper than 256 levels"),
              std::string::npos)
        << s.message();
  };
  f.fake->script.push_back(FakeTransport::Reply(200, deep));
  expect_deep(f.client->Resolve("cluster.x-k8s.io/v1beta2", "Cluster").status(),
              "discovery of cluster.x-k8s.io/v1beta2");
  f.fake->script.push_back(FakeTransport::Reply(200, deep));
  expect_deep(f.client->Get(cm, "ns", "x").status(), "get configmaps");
  f.fake->script.push_back(FakeTransport::Reply(200, deep_object));
  expect_deep(f.client->List(cm, "ns", "").status(), "list configmaps");
  f.fake->script.push_back(FakeTransport::Reply(201, deep));
  expect_deep(
      f.client->Create(cm, {{"metadata", {{"name", "x"}}}}, {}).status(),
      "create configmaps");
  f.fake->script.push_back(FakeTransport::Reply(200, deep));
  expect_deep(
      f.client->Replace(cm, {{"metadata", {{"name", "x"}}}}, {}).status(),
      "update configmaps");
  // A deep error body: the status code still says what happened.
  f.fake->script.push_back(FakeTransport::Reply(404, deep));
  Status s = f.client->Get(cm, "ns", "y").status();
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  // A list whose items are not objects is an error, not an exception.
  f.fake->script.push_back(FakeTransport::Reply(200, R"({"items":[1,"a"]})"));
  EXPECT_FALSE(f.client->List(cm, "ns", "").ok());
  f.fake->script.push_back(FakeTransport::Reply(200, R"({"items":"a"})"));
  EXPECT_FALSE(f.client->List(cm, "ns", "").ok());
}

// Counts the items it is handed as events and keeps their names.
class ItemNames : public yaml::JsonItemSax {
 public:
  std::vector<std::string> names;
  void null() override {}
  void boolean(bool) override {}
  void number_integer(int64_t) override {}
  void number_unsigned(uint64_t) override {}
  void number_float(double) override {}
  void string(std::string& v) override {
    if (name_next_) names.push_back(v);
    name_next_ = false;
  }
  void start_object() override { ++depth_; }
  void key(std::string& k) override { name_next_ = depth_ == 2 && k == "name"; }
  void end_object() override { --depth_; }
  void start_array() override { ++depth_; }
  void end_array() override { --depth_; }

 private:
  int depth_ = 0;
  bool name_next_ = false;
};

TEST(KubeClientTest, ListEachEventsFollowsContinueAndFailsAsListEach) {
  ResourceInfo cm{"", "v1", "ConfigMap", "configmaps", true};
  {
    Fixture f;
    f.fake->script.push_back(
        FakeTransport::Reply(200, R"({"items":[{"metadata":{"name":"a"}}],
                 "metadata":{"continue":"t1"}})"));
    f.fake->script.push_back(FakeTransport::Reply(
        200, R"({"items":[{"metadata":{"name":"b"}}],"metadata":{}})"));
    ItemNames names;
    ASSERT_TRUE(f.client->ListEachEvents(cm, "ns", "a=b", names).ok());
    EXPECT_EQ(names.names, (std::vector<std::string>{"a", "b"}));
    ASSERT_EQ(f.fake->sent.size(), 2u);
    EXPECT_NE(f.fake->sent[1].url.find("&continue=t1"), std::string::npos);
    // Through a read-only view, and through the default (a tree replayed).
    f.fake->script.push_back(FakeTransport::Reply(
        200, R"({"items":[{"metadata":{"name":"c"}}],"metadata":{}})"));
    ReadOnlyKubeApi read_only(*f.client);
    ItemNames more;
    ASSERT_TRUE(read_only.ListEachEvents(cm, "ns", "", more).ok());
    EXPECT_EQ(more.names, std::vector<std::string>{"c"});
  }
  for (const char* body :
       {R"({"items":[{"metadata":{}}, 1]})", R"({"items":"a"})", R"([1])",
        R"({"items":[{"a":)", R"({"items":[[1]], "x": })"}) {
    Fixture f;
    f.fake->script.push_back(FakeTransport::Reply(200, body));
    f.fake->script.push_back(FakeTransport::Reply(200, body));
    Status each = f.client->ListEach(cm, "ns", "", [](nlohmann::json&) {});
    ItemNames names;
    Status events = f.client->ListEachEvents(cm, "ns", "", names);
    EXPECT_FALSE(events.ok()) << body;
    EXPECT_EQ(events.code(), each.code()) << body;
    EXPECT_EQ(events.message(), each.message()) << body;
  }
}

// A page whose metadata or continue token is of another type ends the list
// there: it used to throw from a worker thread of the live read.
TEST(KubeClientTest, ListPageWithOddMetadataEndsTheList) {
  ResourceInfo cm{"", "v1", "ConfigMap", "configmaps", true};
  for (const char* body :
       {R"({"items":[{"metadata":{"name":"a"}}],"metadata":"x"})",
        R"({"items":[{"metadata":{"name":"a"}}],"metadata":{"continue":7}})",
        R"({"items":[{"metadata":{"name":"a"}}],"metadata":null})"}) {
    Fixture f;
    f.fake->script.push_back(FakeTransport::Reply(200, body));
    ItemNames names;
    Status s = f.client->ListEachEvents(cm, "ns", "", names);
    EXPECT_TRUE(s.ok()) << body << ": " << s.ToString();
    EXPECT_EQ(names.names, std::vector<std::string>{"a"}) << body;
    EXPECT_EQ(f.fake->sent.size(), 1u) << body;
  }
}

TEST(KubeClientTest, TooDeepApplyResponseIsAClearError) {
  Fixture f;
  f.fake->script.push_back(FakeTransport::Reply(200, kDiscovery));
  f.fake->script.push_back(FakeTransport::Reply(200, std::string(100000, '{')));
  nlohmann::json obj = {{"apiVersion", "cluster.x-k8s.io/v1beta2"},
                        {"kind", "Cluster"},
                        {"metadata", {{"name", "a"}, {"namespace", "ns"}}}};
  Status s = f.client->Apply(obj, {}).status();
  EXPECT_NE(s.message().find("apply clusters.cluster.x-k8s.io: nesting deeper"),
            std::string::npos)
      << s.ToString();
}

TEST(KubeClientTest, DryRunKubeApiSendsEveryWriteAsDryRunAndReadsThrough) {
  Fixture f;
  DryRunKubeApi dry(*f.client);
  ResourceInfo cm{"", "v1", "ConfigMap", "configmaps", true};
  nlohmann::json obj = {{"apiVersion", "v1"},
                        {"kind", "ConfigMap"},
                        {"metadata", {{"name", "a"}, {"namespace", "ns"}}}};
  f.fake->script.push_back(FakeTransport::Reply(
      200, R"({"resources":[{"name":"configmaps","namespaced":true,
               "kind":"ConfigMap"}]})"));
  ASSERT_TRUE(dry.Apply(obj, ApplyOptions{}).ok());
  ASSERT_TRUE(dry.Delete(cm, "ns", "a", {}).ok());
  ASSERT_TRUE(dry.Create(cm, obj, {}).ok());
  ASSERT_TRUE(dry.Replace(cm, obj, {}).ok());
  ASSERT_TRUE(dry.Get(cm, "ns", "a").ok());
  ASSERT_EQ(f.fake->sent.size(), 6u);  // discovery, 4 writes, the get
  for (size_t i = 1; i <= 4; ++i) {
    EXPECT_NE(f.fake->sent[i].url.find("dryRun=All"), std::string::npos)
        << f.fake->sent[i].method << " " << f.fake->sent[i].url;
  }
  EXPECT_EQ(f.fake->sent[1].method, "PATCH");
  EXPECT_EQ(f.fake->sent[5].url,
            "https://127.0.0.1:1/api/v1/namespaces/ns/configmaps/a");
  // The client itself writes for real.
  ASSERT_TRUE(f.client->Delete(cm, "ns", "a", {}).ok());
  EXPECT_EQ(f.fake->sent.back().url.find("dryRun"), std::string::npos);
}

ExecConfig Exec(const std::string& command) {
  ExecConfig e;
  e.api_version = "client.authentication.k8s.io/v1";
  e.command = command;
  return e;
}

class KubeClientFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kube-client-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& content) {
    std::ofstream((dir_ / name).string()) << content;
    return (dir_ / name).string();
  }
  std::filesystem::path dir_;
};

TEST_F(KubeClientFileTest, RotatedTokenFileIsReadAgainAfter401) {
  RestConfig rc;
  rc.token_file = Write("token", "old-token\n");
  Fixture f(rc);
  ResourceInfo cm{"", "v1", "ConfigMap", "configmaps", true};
  ASSERT_TRUE(f.client->Get(cm, "ns", "x").ok());
  EXPECT_EQ(f.fake->Auth(0), "Bearer old-token");
  Write("token", "new-token\n");
  f.fake->script.push_back(FakeTransport::Reply(401, "{}"));
  ASSERT_TRUE(f.client->Get(cm, "ns", "x").ok());
  EXPECT_EQ(f.fake->Auth(2), "Bearer new-token");
}

TEST_F(KubeClientFileTest, ExecPluginTokenIsUsedAndCached) {
  std::string script = Write("plugin.sh", R"(#!/bin/sh
echo run >> ")" + (dir_ / "runs").string() + R"("
case "$KUBERNETES_EXEC_INFO" in *ExecCredential*) ;; *) exit 3;; esac
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"plugin-'"$FOO"'","expirationTimestamp":"2999-01-01T00:00:00Z"}}'
)");
  chmod(script.c_str(), 0755);
  RestConfig rc;
  rc.exec = Exec(script);
  rc.exec->env = {{"FOO", "abc"}};
  Fixture f(rc);
  ResourceInfo cm{"", "v1", "ConfigMap", "configmaps", true};
  ASSERT_TRUE(f.client->Get(cm, "ns", "x").ok());
  ASSERT_TRUE(f.client->Get(cm, "ns", "y").ok());
  EXPECT_EQ(f.fake->Auth(1), "Bearer plugin-abc");
  std::ifstream runs((dir_ / "runs").string());
  std::string all((std::istreambuf_iterator<char>(runs)), {});
  EXPECT_EQ(all, "run\n");  // cached until expiry
}

TEST_F(KubeClientFileTest, FailingExecPluginIsAClearError) {
  std::string script =
      Write("bad.sh", "#!/bin/sh\necho secret-output; exit 4\n");
  chmod(script.c_str(), 0755);
  auto cred = RunExecPlugin(Exec(script), {});
  EXPECT_EQ(cred.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(cred.status().message().find("exit status 4"), std::string::npos);
  EXPECT_EQ(cred.status().message().find("secret-output"), std::string::npos);
  auto missing = RunExecPlugin(Exec("/nonexistent/plugin"), {});
  EXPECT_NE(missing.status().message().find("command not found"),
            std::string::npos);
}

TEST_F(KubeClientFileTest, FailingExecPluginRunsOnceForManyRequests) {
  std::string runs = (dir_ / "runs").string();
  std::string script =
      Write("failing.sh", "#!/bin/sh\necho run >> \"" + runs + "\"\nexit 1\n");
  chmod(script.c_str(), 0755);
  RestConfig rc;
  rc.exec = Exec(script);
  Fixture f(rc);
  ResourceInfo cm{"", "v1", "ConfigMap", "configmaps", true};
  for (int i = 0; i < 10; ++i) {
    Status s = f.client->Get(cm, "ns", "x").status();
    EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << s.ToString();
  }
  std::ifstream in(runs);
  std::string all((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(all, "run\n");
  EXPECT_TRUE(f.fake->sent.empty());
}

// Exec plugins that return client certificates: Plugin() prints certificate
// "CERT-<n>" and key "KEY-<n>" on its n-th run, valid until `expiry`.
class KubeClientExecCertTest : public KubeClientFileTest {
 protected:
  std::string Plugin(const std::string& expiry) {
    std::string runs = (dir_ / "runs").string();
    std::string script = Write("cert-plugin.sh", R"(#!/bin/sh
echo run >> ")" + runs + R"("
n=$(wc -l < ")" + runs + R"(" | tr -d ' ')
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"CERT-%s","clientKeyData":"KEY-%s","expirationTimestamp":"%s"}}\n' "$n" "$n" ")" +
                                                     expiry + R"("
)");
    chmod(script.c_str(), 0755);
    return script;
  }
  int Runs() {
    std::ifstream in((dir_ / "runs").string());
    std::string all((std::istreambuf_iterator<char>(in)), {});
    return static_cast<int>(std::count(all.begin(), all.end(), '\n'));
  }
  static std::string CertOf(const HttpRequest& r) {
    return r.client_certificate ? r.client_certificate->cert_pem : "";
  }
  ResourceInfo cm_{"", "v1", "ConfigMap", "configmaps", true};
};

TEST_F(KubeClientExecCertTest, CertificateGoesToTheTransportAndIsCached) {
  RestConfig rc;
  rc.exec = Exec(Plugin("2999-01-01T00:00:00Z"));
  Fixture f(rc);
  ASSERT_TRUE(f.client->Get(cm_, "ns", "x").ok());
  ASSERT_TRUE(f.client->Get(cm_, "ns", "y").ok());
  ASSERT_EQ(f.fake->sent.size(), 2u);
  ASSERT_NE(f.fake->sent[0].client_certificate, nullptr);
  EXPECT_EQ(f.fake->sent[0].client_certificate->cert_pem, "CERT-1");
  EXPECT_EQ(f.fake->sent[0].client_certificate->key_pem, "KEY-1");
  // The same object, so the transport keeps its connections.
  EXPECT_EQ(f.fake->sent[1].client_certificate,
            f.fake->sent[0].client_certificate);
  EXPECT_EQ(f.fake->Auth(0), "");  // no token: the certificate authenticates
  EXPECT_EQ(Runs(), 1);
}

TEST_F(KubeClientExecCertTest, ExpiredCertificateRunsThePluginAgain) {
  RestConfig rc;
  rc.exec = Exec(Plugin("2001-01-01T00:00:00Z"));
  Fixture f(rc);
  ASSERT_TRUE(f.client->Get(cm_, "ns", "x").ok());
  ASSERT_TRUE(f.client->Get(cm_, "ns", "y").ok());
  EXPECT_EQ(CertOf(f.fake->sent[0]), "CERT-1");
  EXPECT_EQ(CertOf(f.fake->sent[1]), "CERT-2");
  EXPECT_EQ(Runs(), 2);
}

TEST_F(KubeClientExecCertTest, UnauthorizedRunsThePluginAgainOnce) {
  RestConfig rc;
  rc.exec = Exec(Plugin("2999-01-01T00:00:00Z"));
  Fixture f(rc);
  f.fake->script.push_back(FakeTransport::Reply(401, "{}"));
  ASSERT_TRUE(f.client->Get(cm_, "ns", "x").ok());
  ASSERT_EQ(f.fake->sent.size(), 2u);
  EXPECT_EQ(CertOf(f.fake->sent[0]), "CERT-1");
  EXPECT_EQ(CertOf(f.fake->sent[1]), "CERT-2");
  // Still refused after the new credential: an error, no third run.
  f.fake->script.push_back(FakeTransport::Reply(401, "{}"));
  f.fake->script.push_back(FakeTransport::Reply(401, "{}"));
  auto got = f.client->Get(cm_, "ns", "x");
  EXPECT_EQ(got.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(got.status().message().find("KEY-"), std::string::npos);
  EXPECT_EQ(Runs(), 3);
  EXPECT_EQ(CertOf(f.fake->sent.back()), "CERT-3");
}

TEST(ExecCredentialTest, ParsesTokenCertificateAndExpiry) {
  auto c = ParseExecCredential(
      R"({"kind":"ExecCredential","status":{"clientCertificateData":"C","clientKeyData":"K","expirationTimestamp":"2026-01-01T00:00:00Z"}})",
      "x");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->client_cert_pem, "C");
  EXPECT_EQ(c->expires_at, 1767225600);
  EXPECT_FALSE(ParseExecCredential("not json", "x").ok());
  StatusOr<ExecCredential> deep =
      ParseExecCredential(std::string(100000, '['), "plugin");
  EXPECT_EQ(deep.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(deep.status().message().find("exec plugin plugin: nesting deeper"),
            std::string::npos)
      << deep.status().message();
  EXPECT_FALSE(ParseExecCredential(std::string(2 << 20, ' '), "x").ok());
  EXPECT_FALSE(
      ParseExecCredential(
          R"({"kind":"ExecCredential","status":{"clientKeyData":"K"}})", "x")
          .ok());
}

}  // namespace
}  // namespace capigitops
