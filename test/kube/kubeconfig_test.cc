#include "capigitops/kubeconfig.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "util/base64.h"

namespace capigitops {
namespace {

const char kFirst[] = R"(apiVersion: v1
kind: Config
current-context: mgmt
clusters:
- name: mgmt
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority-data: )";

std::string FirstFile() {
  return std::string(kFirst) +
         Base64Encode("-----BEGIN CERTIFICATE-----\nCA\n") + R"(
users:
- name: gitops
  user:
    token: first-token
contexts:
- name: mgmt
  context: {cluster: mgmt, user: gitops, namespace: fleet}
)";
}

const char kSecond[] = R"(apiVersion: v1
kind: Config
current-context: other
clusters:
- name: mgmt
  cluster: {server: https://shadowed:6443}
- name: other
  cluster:
    server: https://10.0.0.2:6443
    certificate-authority: certs/ca.crt
users:
- name: gitops
  user: {token: shadowed}
- name: certuser
  user:
    client-certificate: certs/client.crt
    client-key: /abs/client.key
    tokenFile: token
- name: gke
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: gke-gcloud-auth-plugin
      args: [--verbose]
      env: [{name: FOO, value: bar}]
      interactiveMode: Never
contexts:
- name: other
  context: {cluster: other, user: certuser}
- name: gke
  context: {cluster: other, user: gke}
)";

TEST(KubeconfigTest, FirstFileWinsForNamesAndCurrentContext) {
  auto rc = ResolveKubeconfig(
      {{"/a/config", FirstFile()}, {"/b/config", kSecond}}, {});
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  EXPECT_EQ(rc->context, "mgmt");
  EXPECT_EQ(rc->server, "https://10.0.0.1:6443");
  EXPECT_EQ(rc->token, "first-token");
  EXPECT_EQ(rc->ca_data, "-----BEGIN CERTIFICATE-----\nCA\n");
  EXPECT_EQ(rc->namespace_name, "fleet");
}

TEST(KubeconfigTest, ContextOverrideAndRelativePaths) {
  auto rc =
      ResolveKubeconfig({{"/a/config", FirstFile()}, {"/b/config", kSecond}},
                        {"other", "override-ns"});
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  EXPECT_EQ(rc->server, "https://10.0.0.2:6443");
  EXPECT_EQ(rc->ca_file, "/b/certs/ca.crt");
  EXPECT_EQ(rc->client_cert_file, "/b/certs/client.crt");
  EXPECT_EQ(rc->client_key_file, "/abs/client.key");
  EXPECT_EQ(rc->token_file, "/b/token");
  EXPECT_EQ(rc->namespace_name, "override-ns");
}

TEST(KubeconfigTest, ExecPlugin) {
  auto rc = ResolveKubeconfig({{"/b/config", kSecond}}, {"gke", ""});
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  ASSERT_TRUE(rc->exec.has_value());
  EXPECT_EQ(rc->exec->command, "gke-gcloud-auth-plugin");
  EXPECT_EQ(rc->exec->args, std::vector<std::string>{"--verbose"});
  EXPECT_EQ(rc->exec->env.at(0).second, "bar");
  EXPECT_EQ(rc->namespace_name, "default");
}

TEST(KubeconfigTest, ErrorsNameTheProblemButNoSecrets) {
  auto rc = ResolveKubeconfig({{"/a/config", FirstFile()}}, {"nope", ""});
  EXPECT_TRUE(rc.status().IsNotFound());
  EXPECT_NE(rc.status().message().find("context \"nope\""), std::string::npos);

  std::string bad = FirstFile() + "  garbage: [\n";
  rc = ResolveKubeconfig({{"/a/config", bad}}, {});
  EXPECT_FALSE(rc.ok());
  EXPECT_EQ(rc.status().message().find("first-token"), std::string::npos);

  std::string insecure = FirstFile();
  insecure.replace(insecure.find("    certificate-authority-data"), 0,
                   "    insecure-skip-tls-verify: true\n");
  rc = ResolveKubeconfig({{"/a/config", insecure}}, {});
  EXPECT_NE(rc.status().message().find("insecure flag is not allowed"),
            std::string::npos);
}

class KubeconfigLoadingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kubeconfig-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "sa");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& content) {
    std::ofstream((dir_ / name).string()) << content;
    return (dir_ / name).string();
  }
  std::filesystem::path dir_;
};

TEST_F(KubeconfigLoadingTest, KubeconfigListSkipsMissingFiles) {
  std::string a = Write("a", FirstFile());
  KubeconfigEnvironment env;
  env.env["KUBECONFIG"] = (dir_ / "missing").string() + "::" + a;
  auto rc = LoadRestConfig("", {}, env);
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  EXPECT_EQ(rc->server, "https://10.0.0.1:6443");
  // An explicit --kubeconfig that is missing is an error.
  EXPECT_TRUE(LoadRestConfig((dir_ / "missing").string(), {}, env)
                  .status()
                  .IsNotFound());
}

TEST_F(KubeconfigLoadingTest, InClusterConfig) {
  Write("sa/token", "sa-token");
  Write("sa/ca.crt", "CA");
  Write("sa/namespace", "capi-gitops-system\n");
  KubeconfigEnvironment env;
  env.service_account_dir = (dir_ / "sa").string();
  env.env["KUBERNETES_SERVICE_HOST"] = "fd00::1";
  env.env["KUBERNETES_SERVICE_PORT"] = "443";
  auto rc = LoadRestConfig("", {}, env);
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  EXPECT_EQ(rc->server, "https://[fd00::1]:443");
  EXPECT_EQ(rc->token_file, (dir_ / "sa/token").string());
  EXPECT_EQ(rc->ca_file, (dir_ / "sa/ca.crt").string());
  EXPECT_EQ(rc->namespace_name, "capi-gitops-system");

  env.env.erase("KUBERNETES_SERVICE_HOST");
  EXPECT_TRUE(LoadRestConfig("", {}, env).status().IsNotFound());
}

TEST(Base64Test, RoundTrip) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "\xff\x00\x10"}) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)), s);
  }
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
  EXPECT_FALSE(Base64Decode("a$b").has_value());
}

}  // namespace
}  // namespace capigitops
