// capi-sandbox loaded with the upstream CAPI CRDs, driven by kubectl 1.32:
// schema enforcement and the simulated CAPI controllers.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "sandbox/sandbox_process.h"

namespace capigitops::sandbox_test {
namespace {

constexpr char kCluster[] = R"(apiVersion: cluster.x-k8s.io/v1beta2
kind: Cluster
metadata:
  name: c1
  namespace: default
spec:
  clusterNetwork:
    pods:
      cidrBlocks: ["10.0.0.0/16"]
  controlPlaneRef:
    apiGroup: controlplane.cluster.x-k8s.io
    kind: KubeadmControlPlane
    name: c1-cp
  infrastructureRef:
    apiGroup: infrastructure.cluster.x-k8s.io
    kind: DevCluster
    name: c1
---
apiVersion: controlplane.cluster.x-k8s.io/v1beta2
kind: KubeadmControlPlane
metadata:
  name: c1-cp
  namespace: default
spec:
  replicas: 3
  version: v1.32.4
  machineTemplate:
    spec:
      infrastructureRef:
        apiGroup: infrastructure.cluster.x-k8s.io
        kind: DevMachineTemplate
        name: c1-cp
---
apiVersion: cluster.x-k8s.io/v1beta2
kind: MachineDeployment
metadata:
  name: c1-md
  namespace: default
  annotations:
    cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size: "2"
    cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size: "5"
spec:
  clusterName: c1
  selector:
    matchLabels: {}
  template:
    spec:
      clusterName: c1
      version: v1.32.4
      bootstrap:
        configRef:
          apiGroup: bootstrap.cluster.x-k8s.io
          kind: KubeadmConfigTemplate
          name: c1-md
      infrastructureRef:
        apiGroup: infrastructure.cluster.x-k8s.io
        kind: DevMachineTemplate
        name: c1-md
)";

class SandboxCrdKubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Kubectl::Available()) GTEST_SKIP() << "kubectl 1.32 not installed";
    std::string crds = CapiCrdsDir();
    if (crds.empty()) {
      GTEST_SKIP() << ::capigitops::testing::MissingCrdsMessage();
    }
    std::string error;
    sandbox_ =
        SandboxProcess::Start({"--crds", crds, "--time-scale", "0"}, &error);
    ASSERT_NE(sandbox_, nullptr) << error;
    kubectl_ = std::make_unique<Kubectl>(*sandbox_);
  }

  CommandResult Kube(const std::vector<std::string>& args,
                     const std::string& in = "") {
    return kubectl_->Run(args, in);
  }
  std::string Jsonpath(const std::string& what, const std::string& path) {
    return Kube({"get", what, "-o", "jsonpath={" + path + "}"}).out;
  }
  // Polls until `path` of `what` equals `want` or 20 s pass.
  bool WaitFor(const std::string& what, const std::string& path,
               const std::string& want) {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < end) {
      if (Jsonpath(what, path) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

  std::unique_ptr<SandboxProcess> sandbox_;
  std::unique_ptr<Kubectl> kubectl_;
};

TEST_F(SandboxCrdKubectlTest, UnknownFieldRejectedUnderStrict) {
  std::string yaml = kCluster;
  yaml.replace(yaml.find("  clusterNetwork:"), 0, "  foo: bar\n");
  CommandResult r = Kube({"apply", "--server-side", "-f", "-"}, yaml);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("unknown field \"spec.foo\""), std::string::npos)
      << r.err;
  EXPECT_NE(Kube({"get", "clusters.cluster.x-k8s.io", "c1"}).exit_code, 0);

  r = Kube({"apply", "--server-side", "--validate=warn", "-f", "-"}, yaml);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("unknown field \"spec.foo\""), std::string::npos)
      << r.err;
  EXPECT_EQ(Jsonpath("clusters.cluster.x-k8s.io/c1", ".spec.foo"), "");
}

TEST_F(SandboxCrdKubectlTest, InvalidValueIsRejectedWithCause) {
  std::string yaml = kCluster;
  yaml.replace(yaml.find("replicas: 3"), 11, "replicas: three");
  CommandResult r = Kube({"apply", "--server-side", "-f", "-"}, yaml);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("spec.replicas"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("is invalid"), std::string::npos) << r.err;
}

TEST_F(SandboxCrdKubectlTest, SimulatedClusterReachesProvisionedAndAvailable) {
  CommandResult r = Kube({"apply", "--server-side", "-f", "-"}, kCluster);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string cluster = "clusters.cluster.x-k8s.io/c1";
  ASSERT_TRUE(WaitFor(cluster, ".status.phase", "Provisioned"));
  ASSERT_TRUE(WaitFor(
      cluster, ".status.conditions[?(@.type==\"Available\")].status", "True"));
  r = Kube({"get", "clusters.cluster.x-k8s.io", "-o", "yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("phase: Provisioned"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cluster.cluster.x-k8s.io"), std::string::npos)
      << "finalizer";
  EXPECT_EQ(Jsonpath(cluster, ".status.controlPlane.readyReplicas"), "3");
  EXPECT_EQ(Jsonpath(cluster, ".status.workers.readyReplicas"), "2")
      << "autoscaled MachineDeployment counts at its minimum";
  EXPECT_FALSE(Jsonpath(cluster, ".spec.controlPlaneEndpoint.host").empty());
  EXPECT_EQ(Jsonpath("secret/c1-kubeconfig", ".type"),
            "cluster.x-k8s.io/secret");
  EXPECT_TRUE(WaitFor("machinedeployments.cluster.x-k8s.io/c1-md",
                      ".status.phase", "Running"));

  // A second apply of the same manifests changes nothing.
  std::string rv =
      Jsonpath("kubeadmcontrolplanes/c1-cp", ".metadata.resourceVersion");
  r = Kube({"apply", "--server-side", "-f", "-"}, kCluster);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Jsonpath("kubeadmcontrolplanes/c1-cp", ".metadata.resourceVersion"),
            rv);

  // Deleting the Cluster takes its MachineDeployment and Secret with it.
  r = Kube({"delete", "clusters.cluster.x-k8s.io", "c1", "--timeout=30s"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(Kube({"get", cluster}).exit_code, 0);
  EXPECT_NE(
      Kube({"get", "machinedeployments.cluster.x-k8s.io/c1-md"}).exit_code, 0);
  EXPECT_NE(Kube({"get", "secret/c1-kubeconfig"}).exit_code, 0);
}

}  // namespace
}  // namespace capigitops::sandbox_test
