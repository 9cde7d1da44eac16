// capi-sandbox driven by the real kubectl 1.32 (built-in kinds, no CRDs).
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <thread>

#include "sandbox/sandbox_process.h"

namespace capigitops::sandbox_test {
namespace {

constexpr char kConfigMap[] = R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: demo
  namespace: default
data:
  a: "1"
)";

std::string WithValue(const std::string& value) {
  std::string yaml = kConfigMap;
  return yaml.replace(yaml.find("\"1\""), 3, "\"" + value + "\"");
}

class SandboxKubectlTest : public ::testing::Test {
 protected:
  void StartSandbox(const std::vector<std::string>& args) {
    if (!Kubectl::Available()) GTEST_SKIP() << "kubectl 1.32 not installed";
    std::string error;
    sandbox_ = SandboxProcess::Start(args, &error);
    ASSERT_NE(sandbox_, nullptr) << error;
    kubectl_ = std::make_unique<Kubectl>(*sandbox_);
  }
  void SetUp() override { StartSandbox({"--no-simulate"}); }

  CommandResult Kube(const std::vector<std::string>& args,
                     const std::string& in = "") {
    return kubectl_->Run(args, in);
  }
  std::string Jsonpath(const std::string& what, const std::string& path) {
    return Kube({"get", what, "-o", "jsonpath={" + path + "}"}).out;
  }

  std::unique_ptr<SandboxProcess> sandbox_;
  std::unique_ptr<Kubectl> kubectl_;
};

TEST_F(SandboxKubectlTest, GetNamespacesListsDefault) {
  CommandResult r = Kube({"get", "namespaces"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("default"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("NAME"), std::string::npos) << r.out;
}

TEST_F(SandboxKubectlTest, GetYamlShowsServerMetadata) {
  CommandResult r = Kube({"get", "namespace", "default", "-o", "yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("kind: Namespace"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("name: default"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("uid: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("resourceVersion: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("creationTimestamp: "), std::string::npos) << r.out;
}

TEST_F(SandboxKubectlTest, ApplyServerSideCreatesUpdatesAndKeepsUnchanged) {
  CommandResult r = Kube({"apply", "--server-side", "-f", "-"}, kConfigMap);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("configmap/demo serverside-applied"), std::string::npos);
  std::string rv1 = Jsonpath("configmap/demo", ".metadata.resourceVersion");
  ASSERT_FALSE(rv1.empty());

  r = Kube({"apply", "--server-side", "-f", "-"}, kConfigMap);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Jsonpath("configmap/demo", ".metadata.resourceVersion"), rv1)
      << "an unchanged apply must not write";

  r = Kube({"apply", "--server-side", "-f", "-"}, WithValue("2"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Jsonpath("configmap/demo", ".data.a"), "2");
  EXPECT_GT(
      std::stoull(Jsonpath("configmap/demo", ".metadata.resourceVersion")),
      std::stoull(rv1));
  EXPECT_EQ(Jsonpath("configmap/demo", ".metadata.managedFields[0].manager"),
            "kubectl");
}

TEST_F(SandboxKubectlTest, ApplyConflictNeedsForceConflicts) {
  ASSERT_EQ(Kube({"apply", "--server-side", "-f", "-"}, kConfigMap).exit_code,
            0);
  CommandResult r =
      Kube({"apply", "--server-side", "--field-manager=other", "-f", "-"},
           WithValue("2"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Apply failed with 1 conflict: conflict with "
                       "\"kubectl\": .data.a"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Jsonpath("configmap/demo", ".data.a"), "1");

  r = Kube({"apply", "--server-side", "--field-manager=other",
            "--force-conflicts", "-f", "-"},
           WithValue("2"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Jsonpath("configmap/demo", ".data.a"), "2");
  EXPECT_EQ(Jsonpath("configmap/demo", ".metadata.managedFields[*].manager"),
            "other");
}

TEST_F(SandboxKubectlTest, ApplyDryRunStoresNothing) {
  CommandResult r = Kube(
      {"apply", "--server-side", "--dry-run=server", "-f", "-"}, kConfigMap);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(server dry run)"), std::string::npos) << r.out;
  r = Kube({"get", "configmap", "demo"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("NotFound"), std::string::npos) << r.err;
}

TEST_F(SandboxKubectlTest, DeleteWithoutFinalizersRemovesObject) {
  ASSERT_EQ(Kube({"apply", "--server-side", "-f", "-"}, kConfigMap).exit_code,
            0);
  CommandResult r = Kube({"delete", "configmap", "demo"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("configmap \"demo\" deleted"), std::string::npos);
  EXPECT_NE(Kube({"get", "configmap", "demo"}).exit_code, 0);
}

TEST_F(SandboxKubectlTest, DeleteWithFinalizerWaitsUntilFinalizerIsRemoved) {
  std::string yaml = kConfigMap;
  yaml.replace(yaml.find("  namespace"), 0,
               "  finalizers: [example.com/hold]\n");
  ASSERT_EQ(Kube({"apply", "--server-side", "-f", "-"}, yaml).exit_code, 0);
  CommandResult r = Kube({"delete", "configmap", "demo", "--wait=false"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(
      Jsonpath("configmap/demo", ".metadata.deletionTimestamp").empty())
      << "the object stays while a finalizer is present";

  // A waiting delete finishes once another client clears the finalizer.
  auto waiting = std::async(std::launch::async, [&] {
    return Kube({"delete", "configmap", "demo", "--timeout=20s"});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  r = Kube({"patch", "configmap", "demo", "--type=merge", "-p",
            R"({"metadata":{"finalizers":null}})"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  CommandResult deleted = waiting.get();
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_NE(Kube({"get", "configmap", "demo"}).exit_code, 0);
}

TEST_F(SandboxKubectlTest, GetWatchReceivesEvents) {
  auto watching = std::async(std::launch::async, [&] {
    return kubectl_->Run(
        {"get", "configmaps", "-w", "-o",
         "custom-columns=NAME:.metadata.name,A:.data.a", "--no-headers"},
        "", 4.0);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_EQ(Kube({"apply", "--server-side", "-f", "-"}, WithValue("watched"))
                .exit_code,
            0);
  CommandResult r = watching.get();
  EXPECT_TRUE(r.timed_out);
  EXPECT_NE(r.out.find("demo"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("watched"), std::string::npos) << r.out << r.err;
}

TEST_F(SandboxKubectlTest, CreateGeneratorsSendingProtobufWork) {
  CommandResult r = Kube({"create", "namespace", "team-a"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Kube(
      {"create", "configmap", "cfg", "-n", "team-a", "--from-literal=k=v"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Kube({"create", "secret", "generic", "sec", "-n", "team-a",
            "--from-literal=password=hunter2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Kube({"get", "-n", "team-a", "configmap", "cfg", "-o",
                  "jsonpath={.data.k}"})
                .out,
            "v");
  EXPECT_EQ(Kube({"get", "-n", "team-a", "secret", "sec", "-o",
                  "jsonpath={.data.password}"})
                .out,
            "aHVudGVyMg==");
}

TEST_F(SandboxKubectlTest, WrongTokenIsUnauthorized) {
  CommandResult r = Kube({"--token=wrong", "get", "namespaces"});
  EXPECT_NE(r.exit_code, 0);
  // kubectl's wording for a 401 answer.
  EXPECT_NE(r.err.find("You must be logged in to the server"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(sandbox_->token().empty());
  EXPECT_EQ(sandbox_->server_url().rfind("https://127.0.0.1:", 0), 0u);
}

TEST_F(SandboxKubectlTest, StatePersistsAcrossRestart) {
  sandbox_.reset();
  TempDir state_dir;
  std::string state = state_dir.path() + "/state.json";
  StartSandbox({"--no-simulate", "--state-file", state});
  ASSERT_EQ(Kube({"apply", "--server-side", "-f", "-"}, kConfigMap).exit_code,
            0);
  std::string uid = Jsonpath("configmap/demo", ".metadata.uid");
  EXPECT_EQ(sandbox_->Stop(), 0);
  StartSandbox({"--no-simulate", "--state-file", state});
  EXPECT_EQ(Jsonpath("configmap/demo", ".metadata.uid"), uid);
}

TEST_F(SandboxKubectlTest, LogsRequestsAndInjectsFaults) {
  sandbox_.reset();
  TempDir log_dir;
  std::string log = log_dir.path() + "/requests.log";
  StartSandbox({"--no-simulate", "--fault-rate", "1", "--log-requests", log});
  CommandResult r = Kube({"get", "configmaps"});
  EXPECT_NE(r.exit_code, 0) << "every resource request fails";
  std::ifstream in(log);
  std::string line;
  int list_requests = 0;
  while (std::getline(in, line)) {
    if (line.rfind("GET /api/v1/namespaces/default/configmaps ", 0) == 0) {
      ++list_requests;
      EXPECT_NE(line.find(" limit=500 "), std::string::npos) << line;
    }
  }
  EXPECT_GE(list_requests, 1);
}

TEST_F(SandboxKubectlTest, LatencyDelaysEachRequestWithoutSerializing) {
  sandbox_.reset();
  StartSandbox({"--no-simulate", "--latency-ms", "600"});
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  ASSERT_EQ(Kube({"get", "--raw", "/api/v1/namespaces/default"}).exit_code, 0);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(600));

  constexpr int kClients = 8;
  start = Clock::now();
  std::vector<std::future<CommandResult>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::async(std::launch::async, [&] {
      return Kube({"get", "--raw", "/api/v1/namespaces/default"});
    }));
  }
  for (auto& c : clients) EXPECT_EQ(c.get().exit_code, 0);
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(kClients * 600))
      << "concurrent requests wait in parallel, not one after another";
}

}  // namespace
}  // namespace capigitops::sandbox_test
