// capi-sandbox's workload clusters through the real kubectl 1.32: the
// kubeconfig Secret opens a cluster whose Nodes follow the add-ons
// delivered by ClusterResourceSets and HelmChartProxies, where GPU Pods and
// Jobs are scheduled and run.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "capigitops/schema.h"
#include "sandbox/sandbox_process.h"
#include "util/base64.h"

namespace capigitops::sandbox_test {
namespace {

using nlohmann::json;

// An AWS cluster as capi-gitops renders it (trimmed): one control-plane
// machine and two g4dn.xlarge GPU workers tainted nvidia.com/gpu.
constexpr char kCluster[] =
    R"(apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
kind: AWSCluster
metadata: {name: gpu1, namespace: default}
spec: {region: us-east-1}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
kind: AWSMachineTemplate
metadata: {name: gpu1-cp, namespace: default}
spec: {template: {spec: {instanceType: m5.xlarge, iamInstanceProfile: cp}}}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
kind: AWSMachineTemplate
metadata: {name: gpu1-gpu, namespace: default}
spec: {template: {spec: {instanceType: g4dn.xlarge, iamInstanceProfile: nodes}}}
---
apiVersion: bootstrap.cluster.x-k8s.io/v1beta2
kind: KubeadmConfigTemplate
metadata: {name: gpu1-gpu, namespace: default}
spec:
  template:
    spec:
      joinConfiguration:
        nodeRegistration:
          kubeletExtraArgs:
          - {name: cloud-provider, value: external}
          - {name: node-labels, value: "cluster-api/accelerator=nvidia-tesla-t4"}
          taints:
          - {key: nvidia.com/gpu, value: present, effect: NoSchedule}
---
apiVersion: controlplane.cluster.x-k8s.io/v1beta2
kind: KubeadmControlPlane
metadata: {name: gpu1-control-plane, namespace: default}
spec:
  replicas: 1
  version: v1.32.4
  machineTemplate:
    spec:
      infrastructureRef:
        apiGroup: infrastructure.cluster.x-k8s.io
        kind: AWSMachineTemplate
        name: gpu1-cp
---
apiVersion: cluster.x-k8s.io/v1beta2
kind: MachineDeployment
metadata: {name: gpu1-gpu, namespace: default}
spec:
  clusterName: gpu1
  replicas: 2
  selector: {matchLabels: {cluster.x-k8s.io/deployment-name: gpu1-gpu}}
  template:
    metadata: {labels: {cluster.x-k8s.io/deployment-name: gpu1-gpu}}
    spec:
      clusterName: gpu1
      version: v1.32.4
      bootstrap:
        configRef:
          apiGroup: bootstrap.cluster.x-k8s.io
          kind: KubeadmConfigTemplate
          name: gpu1-gpu
      infrastructureRef:
        apiGroup: infrastructure.cluster.x-k8s.io
        kind: AWSMachineTemplate
        name: gpu1-gpu
---
apiVersion: cluster.x-k8s.io/v1beta2
kind: Cluster
metadata: {name: gpu1, namespace: default}
spec:
  controlPlaneRef:
    apiGroup: controlplane.cluster.x-k8s.io
    kind: KubeadmControlPlane
    name: gpu1-control-plane
  infrastructureRef:
    apiGroup: infrastructure.cluster.x-k8s.io
    kind: AWSCluster
    name: gpu1
)";

// The add-ons as the catalog expands them: the CNI by ClusterResourceSet,
// the cloud-controller-manager and the GPU operator by HelmChartProxy.
constexpr char kAddons[] = R"(apiVersion: v1
kind: ConfigMap
metadata: {name: calico-manifests, namespace: default}
data:
  calico.yaml: |
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: calico-node, namespace: calico-system}
    spec:
      selector: {matchLabels: {k8s-app: calico-node}}
      template:
        metadata: {labels: {k8s-app: calico-node}}
        spec: {containers: [{name: calico-node, image: "calico/node:v3.29.0"}]}
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: calico-system}
---
apiVersion: addons.cluster.x-k8s.io/v1beta2
kind: ClusterResourceSet
metadata:
  name: calico-1a2b3c4d
  namespace: default
  labels: {addons.capigitops.io/addon: calico, addons.capigitops.io/provides: cni}
spec:
  strategy: ApplyOnce
  clusterSelector: {matchLabels: {addons.capigitops.io/calico: "true"}}
  resources: [{name: calico-manifests, kind: ConfigMap}]
---
apiVersion: addons.cluster.x-k8s.io/v1alpha1
kind: HelmChartProxy
metadata:
  name: aws-ccm
  namespace: default
  labels: {addons.capigitops.io/addon: aws-ccm, addons.capigitops.io/provides: ccm}
spec:
  clusterSelector: {matchLabels: {addons.capigitops.io/aws-ccm: "true"}}
  repoURL: https://kubernetes.github.io/cloud-provider-aws
  chartName: aws-cloud-controller-manager
  version: 0.0.8
  namespace: kube-system
  reconcileStrategy: Continuous
  valuesTemplate: "args: [--cluster-name={{ .Cluster.metadata.name }}]"
---
apiVersion: addons.cluster.x-k8s.io/v1alpha1
kind: HelmChartProxy
metadata:
  name: gpu-operator
  namespace: default
  labels: {addons.capigitops.io/addon: gpu-operator, addons.capigitops.io/provides: gpu}
spec:
  clusterSelector: {matchLabels: {addons.capigitops.io/gpu-operator: "true"}}
  repoURL: https://helm.ngc.nvidia.com/nvidia
  chartName: gpu-operator
  version: v25.3.0
  namespace: gpu-operator
  reconcileStrategy: InstallOnce
  options: {install: {createNamespace: true}}
)";

constexpr char kGpuPod[] = R"(apiVersion: v1
kind: Pod
metadata: {name: cuda, namespace: default}
spec:
  restartPolicy: Never
  tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
  containers:
  - name: cuda
    image: nvcr.io/nvidia/cuda:12.4.0-base-ubuntu22.04
    resources: {limits: {nvidia.com/gpu: 1}}
)";

constexpr char kGpuJob[] = R"(apiVersion: batch/v1
kind: Job
metadata: {name: train, namespace: default}
spec:
  template:
    metadata:
      annotations: {sandbox.capigitops.io/run-for: 2s}
    spec:
      restartPolicy: Never
      tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
      containers:
      - name: train
        image: nvcr.io/nvidia/pytorch:24.05-py3
        resources: {limits: {nvidia.com/gpu: 1}}
)";

bool WaitFor(const std::function<bool()>& ok, double seconds = 30) {
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<int>(seconds * 1000));
  while (std::chrono::steady_clock::now() < deadline) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  return ok();
}

class SandboxWorkloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Kubectl::Available()) GTEST_SKIP() << "kubectl 1.32 not installed";
    crds_ = CapiCrdsDir();
    if (crds_.empty()) GTEST_SKIP() << "upstream CRDs not found";
    std::string error;
    sandbox_ = SandboxProcess::Start({"--crds", crds_, "--time-scale", "0.05"},
                                     &error);
    ASSERT_NE(sandbox_, nullptr) << error;
    mgmt_ = std::make_unique<Kubectl>(*sandbox_);
    CommandResult r = Mgmt({"apply", "--server-side", "-f", "-"}, kCluster);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string value;
    ASSERT_TRUE(WaitFor([&] {
      value = Mgmt({"get", "secret", "gpu1-kubeconfig", "-o",
                    "jsonpath={.data.value}"})
                  .out;
      return !value.empty();
    })) << sandbox_->log();
    std::optional<std::string> kubeconfig = Base64Decode(value);
    ASSERT_TRUE(kubeconfig.has_value());
    kubeconfig_text_ = *kubeconfig;
    workload_ = std::make_unique<Kubectl>(
        dir_.Write("gpu1.kubeconfig", kubeconfig_text_));
  }

  CommandResult Mgmt(const std::vector<std::string>& args,
                     const std::string& in = "") {
    return mgmt_->Run(args, in);
  }
  CommandResult Wl(const std::vector<std::string>& args,
                   const std::string& in = "") {
    return workload_->Run(args, in);
  }
  std::string WlPath(const std::string& what, const std::string& path) {
    return Wl({"get", what, "-o", "jsonpath={" + path + "}"}).out;
  }
  json MgmtJson(const std::vector<std::string>& args) {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"-o", "json"});
    CommandResult r = Mgmt(a);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json();
  }
  void Label(const std::string& label) {
    CommandResult r = Mgmt({"label", "cluster", "gpu1", label});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // The `kubectl get nodes` table: one line per node.
  std::string NodesTable() { return Wl({"get", "nodes"}).out; }
  static int Count(const std::string& text, const std::string& word) {
    int n = 0;
    for (size_t at = text.find(word); at != std::string::npos;
         at = text.find(word, at + word.size())) {
      ++n;
    }
    return n;
  }
  void ExpectValid(const json& obj) {
    schema::CrdRegistry crds;
    ASSERT_TRUE(crds.AddDirectory(crds_).ok());
    std::vector<schema::SchemaError> errors = crds.ValidateObject(obj);
    std::string text;
    for (const auto& e : errors) text += e.ToString() + "\n";
    EXPECT_TRUE(errors.empty()) << obj.dump(2) << "\n" << text;
  }

  std::string crds_;
  TempDir dir_;
  std::unique_ptr<SandboxProcess> sandbox_;
  std::unique_ptr<Kubectl> mgmt_;
  std::unique_ptr<Kubectl> workload_;
  std::string kubeconfig_text_;
};

TEST_F(SandboxWorkloadTest, KubeconfigOpensOnlyItsOwnCluster) {
  EXPECT_NE(kubeconfig_text_.find("server: " + sandbox_->server_url() +
                                  "/workload/default/gpu1\n"),
            std::string::npos)
      << kubeconfig_text_;
  EXPECT_NE(kubeconfig_text_.find("certificate-authority-data: "),
            std::string::npos);
  CommandResult r = Wl({"get", "namespaces"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("kube-system"), std::string::npos);
  // Its own store: the management cluster's Cluster kind is not here.
  EXPECT_NE(Wl({"get", "clusters.cluster.x-k8s.io"}).exit_code, 0);
  // The management token does not open the workload cluster.
  std::string forged = kubeconfig_text_;
  size_t at = forged.find("token: ");
  forged.replace(at + 7, forged.find('\n', at) - at - 7, sandbox_->token());
  Kubectl wrong(dir_.Write("forged.kubeconfig", forged));
  r = wrong.Run({"get", "nodes"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("provide credentials"), std::string::npos) << r.err;
  // Same verbs as the management API: apply, patch, delete, watch.
  r = Wl({"apply", "--server-side", "-f", "-"},
         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: "
         "default}\ndata: {a: \"1\"}\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Wl({"patch", "configmap", "c", "--type=merge", "-p",
          R"({"data":{"a":"2"}})"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(WlPath("configmap/c", ".data.a"), "2");
  EXPECT_EQ(Wl({"delete", "configmap", "c"}).exit_code, 0);
  EXPECT_EQ(Mgmt({"get", "configmap", "c"}).exit_code, 1)
      << "written to the workload store, not the management one";
}

TEST_F(SandboxWorkloadTest, NodesFollowDeliveredAddonsAndGpuWorkRuns) {
  // Nodes appear NotReady, tainted uninitialized, without providerID.
  ASSERT_TRUE(WaitFor([&] { return Count(NodesTable(), "NotReady") == 3; }))
      << NodesTable();
  EXPECT_EQ(Count(NodesTable(), "control-plane "), 1) << NodesTable();
  EXPECT_EQ(WlPath("node/gpu1-gpu-0", ".status.capacity.cpu"), "4");
  EXPECT_EQ(WlPath("node/gpu1-gpu-0", ".status.capacity.memory"), "16384Mi");
  EXPECT_EQ(WlPath("node/gpu1-gpu-0", ".spec.providerID"), "");
  EXPECT_NE(WlPath("node/gpu1-gpu-0", ".spec.taints[*].key")
                .find("node.cloudprovider.kubernetes.io/uninitialized"),
            std::string::npos);
  EXPECT_EQ(
      WlPath("node/gpu1-gpu-0", ".metadata.labels.cluster-api/accelerator"),
      "nvidia-tesla-t4");

  CommandResult r = Mgmt({"apply", "--server-side", "-f", "-"}, kAddons);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // A GPU pod before any add-on: no Ready node, no GPUs.
  ASSERT_EQ(Wl({"apply", "-f", "-"}, kGpuPod).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] {
    return WlPath("pod/cuda", ".status.conditions[0].reason") ==
           "Unschedulable";
  })) << Wl({"get", "pod", "cuda", "-o", "yaml"}).out;
  EXPECT_EQ(WlPath("pod/cuda", ".status.phase"), "Pending");

  // The CNI by ClusterResourceSet: nodes Ready, the manifests applied.
  Label("addons.capigitops.io/calico=true");
  ASSERT_TRUE(WaitFor([&] { return Count(NodesTable(), " Ready ") == 3; }))
      << NodesTable();
  EXPECT_EQ(
      Wl({"get", "daemonset", "-n", "calico-system", "calico-node"}).exit_code,
      0);
  json binding = MgmtJson({"get", "clusterresourcesetbinding", "gpu1"});
  EXPECT_EQ(binding["spec"]["bindings"][0]["clusterResourceSetName"],
            "calico-1a2b3c4d");
  EXPECT_EQ(binding["spec"]["bindings"][0]["resources"][0]["applied"], true);
  ExpectValid(binding);
  json crs = MgmtJson({"get", "clusterresourceset", "calico-1a2b3c4d"});
  EXPECT_EQ(crs["status"]["conditions"][0]["type"], "ResourcesApplied");
  EXPECT_EQ(crs["status"]["conditions"][0]["status"], "True");
  ExpectValid(crs);
  // Ready but no nvidia.com/gpu yet, so the pod still waits.
  EXPECT_EQ(WlPath("node/gpu1-gpu-0", ".status.allocatable.nvidia\\.com/gpu"),
            "");
  EXPECT_EQ(WlPath("pod/cuda", ".status.phase"), "Pending");

  // The cloud-controller-manager by HelmChartProxy: providerID, no taint.
  Label("addons.capigitops.io/aws-ccm=true");
  ASSERT_TRUE(WaitFor([&] {
    return WlPath("node/gpu1-gpu-0", ".spec.providerID").rfind("aws:///", 0) ==
           0;
  })) << Wl({"get", "node", "gpu1-gpu-0", "-o", "yaml"}).out;
  EXPECT_EQ(
      WlPath("node/gpu1-gpu-0", ".spec.taints[*].key").find("uninitialized"),
      std::string::npos);
  json hrps = MgmtJson({"get", "helmreleaseproxies", "-l",
                        "helmreleaseproxy.addons.cluster.x-k8s.io/"
                        "helmchartproxy-name=aws-ccm"});
  ASSERT_EQ(hrps["items"].size(), 1u);
  json hrp = hrps["items"][0];
  EXPECT_EQ(hrp["metadata"]["labels"]["cluster.x-k8s.io/cluster-name"], "gpu1");
  EXPECT_EQ(hrp["spec"]["values"], "args: [--cluster-name=gpu1]");
  EXPECT_EQ(hrp["status"]["status"], "deployed");
  ExpectValid(hrp);

  // The GPU operator: allocatable GPUs, and the pod runs on a GPU node.
  Label("addons.capigitops.io/gpu-operator=true");
  ASSERT_TRUE(WaitFor([&] {
    return WlPath("node/gpu1-gpu-0", ".status.allocatable.nvidia\\.com/gpu") ==
           "1";
  }));
  EXPECT_EQ(WlPath("node/gpu1-control-plane-0",
                   ".status.allocatable.nvidia\\.com/gpu"),
            "");
  ASSERT_TRUE(WaitFor(
      [&] { return WlPath("pod/cuda", ".status.phase") == "Running"; }));
  EXPECT_EQ(WlPath("pod/cuda", ".spec.nodeName").rfind("gpu1-gpu-", 0), 0u);
  json hcp = MgmtJson({"get", "helmchartproxy", "gpu-operator"});
  EXPECT_EQ(hcp["status"]["matchingClusters"][0]["name"], "gpu1");
  ExpectValid(hcp);

  // A Job takes the second GPU, runs for its 2s and completes.
  ASSERT_EQ(Wl({"apply", "-f", "-"}, kGpuJob).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] {
    return WlPath("job/train", ".status.active") == "1" &&
           Wl({"get", "pods", "-l", "job-name=train"}).out.find("Running") !=
               std::string::npos;
  })) << Wl({"get", "pods", "-o", "wide"}).out;
  ASSERT_TRUE(WaitFor([&] {
    return WlPath("job/train", ".status.succeeded") == "1";
  })) << Wl({"get", "job", "train", "-o", "yaml"}).out;
  EXPECT_NE(Wl({"get", "job", "train"}).out.find("Complete"),
            std::string::npos);
  // The Job is done, so its GPU is free again; a fourth pod finds none.
  std::string third = kGpuPod;
  third.replace(third.find("name: cuda"), 10, "name: cuda2");
  ASSERT_EQ(Wl({"apply", "-f", "-"}, third).exit_code, 0);
  ASSERT_TRUE(WaitFor(
      [&] { return WlPath("pod/cuda2", ".status.phase") == "Running"; }));
  std::string fourth = kGpuPod;
  fourth.replace(fourth.find("name: cuda"), 10, "name: cuda3");
  ASSERT_EQ(Wl({"apply", "-f", "-"}, fourth).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] {
    return WlPath("pod/cuda3", ".status.conditions[0].message")
               .find("Insufficient nvidia.com/gpu") != std::string::npos;
  })) << Wl({"get", "pod", "cuda3", "-o", "yaml"}).out;

  // Unselecting uninstalls: the proxy and the release go, GPUs with them.
  Label("addons.capigitops.io/gpu-operator-");
  ASSERT_TRUE(WaitFor([&] {
    return Mgmt({"get", "helmreleaseproxies", "-l",
                 "helmreleaseproxy.addons.cluster.x-k8s.io/"
                 "helmchartproxy-name=gpu-operator",
                 "-o", "name"})
        .out.empty();
  }));
  ASSERT_TRUE(WaitFor([&] {
    return WlPath("node/gpu1-gpu-0", ".status.allocatable.nvidia\\.com/gpu")
        .empty();
  }));
  EXPECT_EQ(Wl({"get", "secrets", "-n", "gpu-operator", "-o", "name"}).out, "");
  EXPECT_EQ(Wl({"get", "deployments", "-n", "gpu-operator", "-o", "name"}).out,
            "");
}

// A min-0 GPU pool as capi-gitops renders it for the cluster-autoscaler.
constexpr char kAutoscaledPool[] = R"(apiVersion: cluster.x-k8s.io/v1beta2
kind: MachineDeployment
metadata:
  name: gpu1-pool
  namespace: default
  annotations:
    cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size: "0"
    cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size: "3"
    capacity.cluster-autoscaler.kubernetes.io/gpu-count: "1"
spec:
  clusterName: gpu1
  selector: {matchLabels: {cluster.x-k8s.io/deployment-name: gpu1-pool}}
  template:
    metadata: {labels: {cluster.x-k8s.io/deployment-name: gpu1-pool}}
    spec:
      clusterName: gpu1
      version: v1.32.4
      bootstrap:
        configRef:
          apiGroup: bootstrap.cluster.x-k8s.io
          kind: KubeadmConfigTemplate
          name: gpu1-gpu
      infrastructureRef:
        apiGroup: infrastructure.cluster.x-k8s.io
        kind: AWSMachineTemplate
        name: gpu1-gpu
)";

constexpr char kAutoscaler[] = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: gpu1-cluster-autoscaler, namespace: default}
spec:
  selector: {matchLabels: {app: gpu1-cluster-autoscaler}}
  template:
    metadata: {labels: {app: gpu1-cluster-autoscaler}}
    spec:
      containers:
      - name: cluster-autoscaler
        image: registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.1
        command: [/cluster-autoscaler]
        args:
        - --cloud-provider=clusterapi
        - --node-group-auto-discovery=clusterapi:namespace=default,clusterName=gpu1
)";

TEST_F(SandboxWorkloadTest, AutoscalerGrowsAMinZeroGpuPoolForPendingPods) {
  CommandResult r = Mgmt({"apply", "--server-side", "-f", "-"}, kAddons);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(
      Mgmt({"apply", "--server-side", "-f", "-"}, kAutoscaledPool).exit_code,
      0);
  for (const char* addon : {"calico", "aws-ccm", "gpu-operator"}) {
    Label(std::string("addons.capigitops.io/") + addon + "=true");
  }
  ASSERT_TRUE(WaitFor([&] {
    return WlPath("node/gpu1-gpu-1", ".status.allocatable.nvidia\\.com/gpu") ==
           "1";
  }));
  // Two GPUs on the fixed pool; the third pod finds none.
  for (const char* name : {"p1", "p2", "p3"}) {
    std::string pod = kGpuPod;
    pod.replace(pod.find("name: cuda"), 10, std::string("name: ") + name);
    ASSERT_EQ(Wl({"apply", "-f", "-"}, pod).exit_code, 0);
  }
  auto scheduled = [&] {
    int n = 0;
    for (const char* name : {"p1", "p2", "p3"}) {
      if (WlPath(std::string("pod/") + name, ".status.phase") == "Running") ++n;
    }
    return n;
  };
  ASSERT_TRUE(WaitFor([&] { return scheduled() == 2; }));
  // Without an autoscaler the min-0 pool stays at 0.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(scheduled(), 2);
  EXPECT_EQ(Mgmt({"get", "machinedeployment", "gpu1-pool", "-o",
                  "jsonpath={.spec.replicas}"})
                .out,
            "");
  // With one, the pool grows by a node and the pod runs there.
  ASSERT_EQ(Mgmt({"apply", "--server-side", "-f", "-"}, kAutoscaler).exit_code,
            0);
  ASSERT_TRUE(WaitFor([&] { return scheduled() == 3; }))
      << Wl({"get", "pods", "-o", "wide"}).out << NodesTable();
  EXPECT_EQ(Mgmt({"get", "machinedeployment", "gpu1-pool", "-o",
                  "jsonpath={.spec.replicas}"})
                .out,
            "1");
  EXPECT_EQ(Count(NodesTable(), "gpu1-pool-"), 1) << NodesTable();
}

}  // namespace
}  // namespace capigitops::sandbox_test
