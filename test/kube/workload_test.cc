// NewSecretWorkloadConnector: the workload API from CAPI's kubeconfig Secret
// on the management cluster (a FakeKubeApi here), reaching a real
// capi-sandbox on 127.0.0.1 over HTTPS; and what it says when the Secret is
// missing or unusable, never with a credential in the text.
#include "capigitops/workload.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sandbox/sandbox_process.h"
#include "testing/fake_kube_api.h"
#include "util/base64.h"

namespace capigitops {
namespace {

using nlohmann::json;

constexpr char kNs[] = "fleet";

void SeedSecret(FakeKubeApi* mgmt, const std::string& cluster,
                const std::string& kubeconfig) {
  mgmt->Seed(
      {{"apiVersion", "v1"},
       {"kind", "Secret"},
       {"metadata", {{"name", cluster + "-kubeconfig"}, {"namespace", kNs}}},
       {"type", "cluster.x-k8s.io/secret"},
       {"data", {{"value", Base64Encode(kubeconfig)}}}},
      "capi");
}

std::string ReadKubeconfigFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(WorkloadConnectorTest, ConnectsThroughTheKubeconfigSecret) {
  std::string error;
  auto sandbox = sandbox_test::SandboxProcess::Start({}, &error);
  ASSERT_NE(sandbox, nullptr) << error;
  FakeKubeApi mgmt;
  SeedSecret(&mgmt, "ml-train", ReadKubeconfigFile(sandbox->kubeconfig()));
  auto connector = NewSecretWorkloadConnector(&mgmt, {});
  StatusOr<std::unique_ptr<KubeApi>> workload =
      connector->Connect(kNs, "ml-train");
  ASSERT_TRUE(workload.ok()) << workload.status().message();
  // A write and a list go to the sandbox, not to the management fake.
  StatusOr<ResourceInfo> cms = (*workload)->Resolve("v1", "ConfigMap");
  ASSERT_TRUE(cms.ok()) << cms.status().message();
  ApplyOptions ao;
  ao.field_manager = "test";
  ASSERT_TRUE(
      (*workload)
          ->Apply({{"apiVersion", "v1"},
                   {"kind", "ConfigMap"},
                   {"metadata", {{"name", "probe"}, {"namespace", "default"}}}},
                  ao)
          .ok());
  StatusOr<std::vector<json>> listed = (*workload)->List(*cms, "default", "");
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0]["metadata"]["name"], "probe");
  EXPECT_TRUE(mgmt.Stored("v1", "ConfigMap", "default", "probe").is_null());
}

TEST(WorkloadConnectorTest, MissingSecretIsNotFound) {
  FakeKubeApi mgmt;
  auto connector = NewSecretWorkloadConnector(&mgmt, {});
  auto workload = connector->Connect(kNs, "not-yet");
  ASSERT_FALSE(workload.ok());
  EXPECT_TRUE(workload.status().IsNotFound());
  EXPECT_NE(workload.status().message().find("fleet/not-yet-kubeconfig"),
            std::string::npos)
      << workload.status().message();
}

// Each a kubeconfig with a secret token in it that cannot be used; the error
// says why, and the token appears nowhere.
TEST(WorkloadConnectorTest, MalformedKubeconfigIsAClearErrorWithoutTheToken) {
  const std::string token = "s3cr3t-t0ken-value";
  struct Case {
    std::string name, kubeconfig, expect;
  };
  const std::string user =
      "users:\n- name: u\n  user:\n    token: " + token + "\n";
  std::vector<Case> cases = {
      {"not-yaml", "token: " + token + "\n  - : [\n", "not valid YAML"},
      {"no-context",
       "apiVersion: v1\nclusters:\n- name: c\n  cluster:\n    server: "
       "https://127.0.0.1:1\n" +
           user,
       "current-context"},
      {"no-server",
       "apiVersion: v1\ncurrent-context: x\ncontexts:\n- name: x\n  "
       "context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: "
       "{}\n" +
           user,
       "has no server"},
      // A file reference would make capi-gitops read its own files.
      {"token-file",
       "apiVersion: v1\ncurrent-context: x\ncontexts:\n- name: x\n  "
       "context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster:\n"
       "    server: https://127.0.0.1:1\n    certificate-authority: "
       "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt\n" +
           user,
       "certificate-authority"},
  };
  for (const Case& c : cases) {
    FakeKubeApi mgmt;
    SeedSecret(&mgmt, c.name, c.kubeconfig);
    auto workload = NewSecretWorkloadConnector(&mgmt, {})->Connect(kNs, c.name);
    ASSERT_FALSE(workload.ok()) << c.name;
    const std::string& msg = workload.status().message();
    EXPECT_NE(msg.find(c.expect), std::string::npos) << c.name << ": " << msg;
    EXPECT_EQ(msg.find(token), std::string::npos) << c.name << ": " << msg;
  }
}

TEST(WorkloadConnectorTest, SecretWithoutValueIsInvalid) {
  FakeKubeApi mgmt;
  mgmt.Seed({{"apiVersion", "v1"},
             {"kind", "Secret"},
             {"metadata", {{"name", "a-kubeconfig"}, {"namespace", kNs}}},
             {"data", {{"other", Base64Encode("x")}}}});
  auto workload = NewSecretWorkloadConnector(&mgmt, {})->Connect(kNs, "a");
  ASSERT_FALSE(workload.ok());
  EXPECT_EQ(workload.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(workload.status().message().find("data.value"), std::string::npos);
}

TEST(WorkloadConnectorTest, UnreachableServerFailsFastAtTheFirstRequest) {
  FakeKubeApi mgmt;
  // Port 1 on loopback: refused at once.
  SeedSecret(&mgmt, "gone",
             "apiVersion: v1\ncurrent-context: x\ncontexts:\n- name: x\n  "
             "context: {cluster: c, user: u}\nclusters:\n- name: c\n  "
             "cluster:\n    server: https://127.0.0.1:1\nusers:\n- name: u\n  "
             "user:\n    token: abc\n");
  WorkloadConnectOptions options;
  options.request_timeout_ms = 2000;
  auto workload =
      NewSecretWorkloadConnector(&mgmt, options)->Connect(kNs, "gone");
  ASSERT_TRUE(workload.ok()) << workload.status().message();
  auto start = std::chrono::steady_clock::now();
  StatusOr<ResourceInfo> nodes = (*workload)->Resolve("v1", "Node");
  EXPECT_FALSE(nodes.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace capigitops
