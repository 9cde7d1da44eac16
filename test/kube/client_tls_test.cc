// The client's TLS against a real capi-sandbox: kubeconfig tls-server-name.
// The sandbox's certificate covers 127.0.0.1, localhost and
// capi-sandbox.local (a name no resolver knows); see sandbox/tls.cc.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

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

}  // namespace
}  // namespace capigitops
