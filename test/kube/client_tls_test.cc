// The client's TLS against a real capi-sandbox: kubeconfig tls-server-name,
// and client certificates from the kubeconfig and from exec plugins. The
// sandbox's certificate covers 127.0.0.1, localhost and capi-sandbox.local
// (a name no resolver knows), and it accepts client certificates its CA
// signed; see sandbox/tls.cc.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "capigitops/kube_client.h"
#include "capigitops/kubeconfig.h"
#include "sandbox/sandbox_process.h"

namespace capigitops {
namespace {

using sandbox_test::SandboxProcess;
using sandbox_test::TempDir;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class KubeClientTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    sandbox_ = SandboxProcess::Start({"--no-simulate"}, &error).release();
    ASSERT_NE(sandbox_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    delete sandbox_;
    sandbox_ = nullptr;
  }

  // The sandbox's kubeconfig, with `tls_server_name` added to its cluster.
  RestConfig Load(const std::string& context,
                  const std::string& tls_server_name = "") {
    std::string text = ReadAll(sandbox_->kubeconfig());
    if (!tls_server_name.empty()) {
      size_t server = text.find("    server: ");
      text.insert(text.find('\n', server) + 1,
                  "    tls-server-name: " + tls_server_name + "\n");
    }
    std::string path = dir_.Write("kubeconfig", text);
    chmod(path.c_str(), 0600);
    KubeconfigOverrides o;
    o.context = context;
    auto rc = LoadRestConfig(path, o, {});
    EXPECT_TRUE(rc.ok()) << rc.status().message();
    return rc.ok() ? *rc : RestConfig{};
  }

  // Discovery and a list: two authenticated requests.
  static Status ListConfigMaps(const RestConfig& rc) {
    ClientOptions opts;
    opts.max_retries = 0;
    ASSIGN_OR_RETURN(std::unique_ptr<KubeClient> client,
                     KubeClient::Create(rc, opts));
    ASSIGN_OR_RETURN(ResourceInfo cm, client->Resolve("v1", "ConfigMap"));
    return client->List(cm, "default", "").status();
  }

  // An exec plugin printing `credential` and counting its runs in runs().
  ExecConfig Plugin(const nlohmann::json& credential) {
    std::string file = dir_.Write("credential.json", credential.dump());
    std::string script =
        dir_.Write("plugin.sh", "#!/bin/sh\necho run >> '" + dir_.Sub("runs") +
                                    "'\ncat '" + file + "'\n");
    chmod(file.c_str(), 0600);
    chmod(script.c_str(), 0700);
    ExecConfig e;
    e.api_version = "client.authentication.k8s.io/v1";
    e.command = script;
    return e;
  }
  int runs() {
    std::string all = ReadAll(dir_.Sub("runs"));
    return static_cast<int>(std::count(all.begin(), all.end(), '\n'));
  }

  // An ExecCredential with the sandbox's client certificate and key.
  nlohmann::json CertCredential(const std::string& expiry) {
    RestConfig with_cert = Load("capi-sandbox-cert");
    EXPECT_FALSE(with_cert.client_cert_data.empty());
    return {{"apiVersion", "client.authentication.k8s.io/v1"},
            {"kind", "ExecCredential"},
            {"status",
             {{"clientCertificateData", with_cert.client_cert_data},
              {"clientKeyData", with_cert.client_key_data},
              {"expirationTimestamp", expiry}}}};
  }

  static SandboxProcess* sandbox_;
  TempDir dir_;
};

SandboxProcess* KubeClientTlsTest::sandbox_ = nullptr;

TEST_F(KubeClientTlsTest, TlsServerNameIsSentAndVerified) {
  // The server URL stays https://127.0.0.1:PORT; the certificate is checked
  // against capi-sandbox.local, which only the connection override reaches.
  RestConfig rc = Load("capi-sandbox", "capi-sandbox.local");
  ASSERT_EQ(rc.tls_server_name, "capi-sandbox.local");
  ASSERT_EQ(rc.server.rfind("https://127.0.0.1:", 0), 0u) << rc.server;
  Status s = ListConfigMaps(rc);
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST_F(KubeClientTlsTest, TlsServerNameTheCertificateLacksIsRefused) {
  RestConfig rc = Load("capi-sandbox", "other.capi-sandbox.local");
  Status s = ListConfigMaps(rc);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
  EXPECT_NE(s.message().find("TLS with " + sandbox_->server_url()),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("tls-server-name other.capi-sandbox.local"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find(sandbox_->token()), std::string::npos);
}

TEST_F(KubeClientTlsTest, TlsServerNameStillNeedsTheCertificateAuthority) {
  // Without the sandbox's CA only the system's roots are trusted.
  RestConfig rc = Load("capi-sandbox", "capi-sandbox.local");
  rc.ca_data.clear();
  Status s = ListConfigMaps(rc);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
}

TEST_F(KubeClientTlsTest, KubeconfigClientCertificateAuthenticates) {
  RestConfig rc = Load("capi-sandbox-cert");
  ASSERT_TRUE(rc.token.empty());
  Status s = ListConfigMaps(rc);
  EXPECT_TRUE(s.ok()) << s.message();
  rc.client_cert_data.clear();
  rc.client_key_data.clear();
  EXPECT_EQ(ListConfigMaps(rc).code(), StatusCode::kUnauthenticated);
}

TEST_F(KubeClientTlsTest, ExecPluginClientCertificateAuthenticates) {
  RestConfig rc = Load("capi-sandbox");
  rc.token.clear();
  rc.exec = Plugin(CertCredential("2999-01-01T00:00:00Z"));
  Status s = ListConfigMaps(rc);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(runs(), 1);  // cached until it expires
}

TEST_F(KubeClientTlsTest, ExpiredExecCertificateIsFetchedPerRequest) {
  RestConfig rc = Load("capi-sandbox", "capi-sandbox.local");
  rc.token.clear();
  rc.exec = Plugin(CertCredential("2001-01-01T00:00:00Z"));
  Status s = ListConfigMaps(rc);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(runs(), 2);
}

TEST_F(KubeClientTlsTest, BadExecKeyIsATlsErrorThatHidesTheKey) {
  RestConfig rc = Load("capi-sandbox");
  rc.token.clear();
  nlohmann::json cred = CertCredential("2999-01-01T00:00:00Z");
  cred["status"]["clientKeyData"] =
      "-----BEGIN PRIVATE KEY-----\nU0VDUkVUS0VZTUFSSw==\n"
      "-----END PRIVATE KEY-----\n";
  rc.exec = Plugin(cred);
  Status s = ListConfigMaps(rc);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
  EXPECT_NE(s.message().find("client certificate"), std::string::npos);
  EXPECT_EQ(s.message().find("U0VDUkVUS0VZTUFSSw"), std::string::npos);
  EXPECT_EQ(s.message().find("BEGIN"), std::string::npos);
}

}  // namespace
}  // namespace capigitops
