// Provider-independent properties of Expand: determinism, content-hashed
// template names, autoscaling, labels, order and injection safety.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "capigitops/render.h"
#include "capigitops/yaml.h"
#include "render/render_test_util.h"

namespace capigitops {
namespace {

using testing::AllProviderRequests;
using testing::EmitStream;
using testing::FindObject;
using testing::GcpRequest;
using testing::MustExpand;
using testing::PoolBootstrapTemplate;
using testing::PoolDeployment;
using testing::PoolMachineTemplate;

TEST(ExpandTest, IsDeterministicForEveryProvider) {
  for (const ClusterRequest& req : AllProviderRequests()) {
    std::string first = EmitStream(MustExpand(req));
    std::string second = EmitStream(MustExpand(req));
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(first, second) << req.name;
  }
}

TEST(ExpandTest, MachineTypeChangeRenamesTemplateAndRepointsDeployment) {
  ClusterRequest req = GcpRequest();
  auto before = MustExpand(req);
  req.node_pools[0].machine_type = "n2-standard-16";
  auto after = MustExpand(req);

  std::string old_name =
      PoolMachineTemplate(before, "ml-train", "cpu")["metadata"]["name"];
  std::string new_name =
      PoolMachineTemplate(after, "ml-train", "cpu")["metadata"]["name"];
  EXPECT_NE(old_name, new_name);
  EXPECT_TRUE(new_name.starts_with("ml-train-cpu-")) << new_name;
  EXPECT_EQ(PoolDeployment(
                after, "ml-train",
                "cpu")["spec"]["template"]["spec"]["infrastructureRef"]["name"],
            new_name);
  EXPECT_EQ(
      PoolMachineTemplate(after, "ml-train",
                          "cpu")["spec"]["template"]["spec"]["instanceType"],
      "n2-standard-16");
  // Nothing else changed: the other pool and the control plane keep theirs.
  EXPECT_EQ(PoolMachineTemplate(before, "ml-train", "gpu")["metadata"]["name"],
            PoolMachineTemplate(after, "ml-train", "gpu")["metadata"]["name"]);
  EXPECT_EQ(
      FindObject(before, "KubeadmControlPlane")["spec"]["machineTemplate"],
      FindObject(after, "KubeadmControlPlane")["spec"]["machineTemplate"]);
  EXPECT_EQ(PoolBootstrapTemplate(before, "ml-train", "cpu")["metadata"],
            PoolBootstrapTemplate(after, "ml-train", "cpu")["metadata"]);
}

TEST(ExpandTest, ReplicaChangeKeepsTemplateNames) {
  ClusterRequest req = GcpRequest();
  auto before = MustExpand(req);
  req.node_pools[0].replicas = 7;
  req.control_plane.replicas = 5;
  auto after = MustExpand(req);
  EXPECT_EQ(PoolMachineTemplate(before, "ml-train", "cpu")["metadata"]["name"],
            PoolMachineTemplate(after, "ml-train", "cpu")["metadata"]["name"]);
  EXPECT_EQ(PoolDeployment(after, "ml-train", "cpu")["spec"]["replicas"], 7);
  EXPECT_EQ(FindObject(after, "KubeadmControlPlane")["spec"]["replicas"], 5);
}

TEST(ExpandTest, NodeLabelChangeRenamesOnlyTheBootstrapTemplate) {
  ClusterRequest req = GcpRequest();
  auto before = MustExpand(req);
  req.node_pools[1].labels["tier"] = "gold";
  auto after = MustExpand(req);
  auto old_kct = PoolBootstrapTemplate(before, "ml-train", "gpu");
  auto new_kct = PoolBootstrapTemplate(after, "ml-train", "gpu");
  EXPECT_NE(old_kct["metadata"]["name"], new_kct["metadata"]["name"]);
  EXPECT_EQ(PoolMachineTemplate(before, "ml-train", "gpu")["metadata"]["name"],
            PoolMachineTemplate(after, "ml-train", "gpu")["metadata"]["name"]);
}

TEST(ExpandTest, AutoscaledPoolHasNoReplicasButAutoscalerAnnotations) {
  auto objects = MustExpand(GcpRequest());
  nlohmann::json gpu = PoolDeployment(objects, "ml-train", "gpu");
  ASSERT_FALSE(gpu.is_null());
  EXPECT_FALSE(gpu["spec"].contains("replicas"));
  nlohmann::json ann = gpu["metadata"]["annotations"];
  EXPECT_EQ(ann["cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size"],
            "0");
  EXPECT_EQ(ann["cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size"],
            "8");
  // n1-standard-32: 32 vCPU, 120 GB; scale from zero needs them.
  EXPECT_EQ(ann["capacity.cluster-autoscaler.kubernetes.io/cpu"], "32");
  EXPECT_EQ(ann["capacity.cluster-autoscaler.kubernetes.io/memory"],
            "122880Mi");
  EXPECT_EQ(ann["capacity.cluster-autoscaler.kubernetes.io/gpu-type"],
            "nvidia.com/gpu");
  EXPECT_EQ(ann["capacity.cluster-autoscaler.kubernetes.io/gpu-count"], "4");
  EXPECT_EQ(ann["capacity.cluster-autoscaler.kubernetes.io/labels"],
            "cluster-api/accelerator=nvidia-tesla-v100,workload=training");
  EXPECT_EQ(ann["capacity.cluster-autoscaler.kubernetes.io/taints"],
            "nvidia.com/gpu=present:NoSchedule");

  nlohmann::json cpu = PoolDeployment(objects, "ml-train", "cpu");
  EXPECT_EQ(cpu["spec"]["replicas"], 3);
  EXPECT_FALSE(cpu["metadata"].contains("annotations"));
}

TEST(ExpandTest, AutoscaledCpuPoolAboveZeroHasOnlyMinMax) {
  ClusterRequest req = GcpRequest();
  req.node_pools[0].replicas.reset();
  req.node_pools[0].autoscaling = Autoscaling{2, 5};
  auto objects = MustExpand(req);
  nlohmann::json ann =
      PoolDeployment(objects, "ml-train", "cpu")["metadata"]["annotations"];
  EXPECT_EQ(ann.size(), 2u) << ann.dump();
}

TEST(ExpandTest, UnknownMachineTypeOmitsCpuAndMemoryCapacity) {
  ClusterRequest req = GcpRequest();
  req.node_pools[1].machine_type = "n9-imaginary-7";
  auto objects = MustExpand(req);
  nlohmann::json ann =
      PoolDeployment(objects, "ml-train", "gpu")["metadata"]["annotations"];
  EXPECT_FALSE(ann.contains("capacity.cluster-autoscaler.kubernetes.io/cpu"));
  EXPECT_FALSE(
      ann.contains("capacity.cluster-autoscaler.kubernetes.io/memory"));
  EXPECT_EQ(ann["capacity.cluster-autoscaler.kubernetes.io/gpu-count"], "4");
}

TEST(ExpandTest, EveryObjectCarriesTheManagedLabels) {
  for (const ClusterRequest& req : AllProviderRequests()) {
    for (const nlohmann::json& obj : MustExpand(req)) {
      nlohmann::json labels = obj["metadata"]["labels"];
      std::string what = req.name + " " + obj["kind"].get<std::string>();
      EXPECT_EQ(labels["app.kubernetes.io/managed-by"], "capi-gitops") << what;
      EXPECT_EQ(labels["capigitops.io/cluster"], req.name) << what;
      EXPECT_EQ(labels["capigitops.io/owner"], "team-ml") << what;
      std::string kind = obj["kind"];
      if (kind == "MachineDeployment" || kind.ends_with("MachineTemplate") ||
          kind == "KubeadmConfigTemplate") {
        EXPECT_EQ(labels["cluster.x-k8s.io/cluster-name"], req.name) << what;
      }
    }
  }
}

TEST(ExpandTest, ObjectsComeInApplyOrderWithTheClusterLast) {
  for (const ClusterRequest& req : AllProviderRequests()) {
    auto objects = MustExpand(req);
    ASSERT_GE(objects.size(), 5u);
    std::vector<std::string> kinds;
    for (const auto& obj : objects) kinds.push_back(obj["kind"]);
    EXPECT_EQ(kinds.back(), "Cluster") << req.name;
    auto pos = [&](const std::string& kind) {
      return std::find(kinds.begin(), kinds.end(), kind) - kinds.begin();
    };
    // Between the health checks and the Cluster: the autoscaler, when a
    // pool is autoscaled (every test request has one).
    EXPECT_EQ(kinds[kinds.size() - 2], "Deployment") << req.name;
    EXPECT_LT(pos("MachineHealthCheck"), pos("Deployment")) << req.name;
    EXPECT_LT(pos("KubeadmConfigTemplate"), pos("KubeadmControlPlane"));
    EXPECT_LT(pos("KubeadmControlPlane"), pos("MachineDeployment"));
    EXPECT_LT(pos("MachineDeployment"), pos("MachineHealthCheck"));
    std::string infra_cluster =
        objects.back()["spec"]["infrastructureRef"]["kind"];
    EXPECT_LT(pos(infra_cluster), pos("KubeadmControlPlane")) << req.name;
  }
}

TEST(ExpandTest, CoreObjectsUseV1beta2AndTheConfiguredNamespace) {
  for (const ClusterRequest& req : AllProviderRequests()) {
    for (const nlohmann::json& obj : MustExpand(req)) {
      std::string api = obj["apiVersion"];
      if (api.starts_with("cluster.x-k8s.io/") ||
          api.starts_with("bootstrap.") || api.starts_with("controlplane.")) {
        EXPECT_TRUE(api.ends_with("/v1beta2")) << api;
      }
      std::string kind = obj["kind"];
      if (!kind.starts_with("AWSCluster") || kind == "AWSCluster") {
        EXPECT_EQ(obj["metadata"]["namespace"], "fleet") << kind;
      }
    }
  }
}

TEST(ExpandTest, ClusterCarriesRequestLabelsAndAnnotations) {
  auto objects = MustExpand(GcpRequest());
  const nlohmann::json& cluster = objects.back();
  EXPECT_EQ(cluster["metadata"]["labels"]["team"], "ml");
  nlohmann::json ann = cluster["metadata"]["annotations"];
  EXPECT_EQ(ann["capigitops.io/revision"], "abc123");
  EXPECT_EQ(ann["capigitops.io/ttl"], "4h");
  EXPECT_EQ(ann["capigitops.io/source-file"], "clusters/ml-train.yaml");
  EXPECT_FALSE(ann.contains("capigitops.io/expires-at"));
  EXPECT_EQ(cluster["spec"]["controlPlaneRef"]["name"],
            "ml-train-control-plane");
}

TEST(ExpandTest, RequestLabelCannotOverrideManagedLabels) {
  ClusterRequest req = GcpRequest();
  req.labels["capigitops.io/owner"] = "someone-else";
  auto objects = MustExpand(req);
  EXPECT_EQ(objects.back()["metadata"]["labels"]["capigitops.io/owner"],
            "team-ml");
}

TEST(ExpandTest, ExpiresAtAndNeverTtls) {
  ClusterRequest req = GcpRequest();
  req.ttl = {TtlKind::kExpiresAt, 0, 1796148000, "2026-12-01T19:00:00+01:00"};
  auto ann = MustExpand(req).back()["metadata"]["annotations"];
  EXPECT_EQ(ann["capigitops.io/expires-at"], "2026-12-01T18:00:00Z");
  EXPECT_FALSE(ann.contains("capigitops.io/ttl"));

  req.ttl = {TtlKind::kNever, 0, 0, "never"};
  ann = MustExpand(req).back()["metadata"]["annotations"];
  EXPECT_EQ(ann["capigitops.io/ttl"], "never");
}

TEST(ExpandTest, EmptyRevisionLeavesNoAnnotation) {
  auto objects = Expand(GcpRequest(), testing::TestRepoConfig(), {});
  ASSERT_TRUE(objects.ok());
  EXPECT_FALSE(objects->back()["metadata"]["annotations"].contains(
      "capigitops.io/revision"));
}

TEST(ExpandTest, NamesStayWithin63Characters) {
  ClusterRequest req = GcpRequest();
  req.name = std::string(40, 'c');
  req.node_pools[0].name = std::string(50, 'p');
  req.node_pools[1].name = std::string(49, 'p') + "q";
  auto objects = MustExpand(req);
  std::set<std::string> names;
  for (const nlohmann::json& obj : objects) {
    std::string name = obj["metadata"]["name"];
    EXPECT_LE(name.size(), 63u) << name;
    EXPECT_NE(name.back(), '-') << name;
    names.insert(obj["kind"].get<std::string>() + "/" + name);
  }
  EXPECT_EQ(names.size(), objects.size()) << "two objects share a name";
}

TEST(ExpandTest, KubernetesVersionFallsBackToRepoDefault) {
  ClusterRequest req = GcpRequest();
  req.kubernetes_version.clear();
  RepoConfig config = testing::TestRepoConfig();
  config.default_kubernetes_version = "v1.32.8";
  auto objects = Expand(req, config, {});
  ASSERT_TRUE(objects.ok());
  EXPECT_EQ(FindObject(*objects, "KubeadmControlPlane")["spec"]["version"],
            "v1.32.8");

  config.default_kubernetes_version.clear();
  auto failed = Expand(req, config, {});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(failed.status().message().find("spec.kubernetesVersion"),
            std::string::npos);
}

TEST(ExpandTest, HostileValuesStaySingleStrings) {
  ClusterRequest req = GcpRequest();
  std::string evil_label = "x\nkind: Secret\n---\nmetadata: {name: pwned}";
  std::string evil_type = "n1-standard-8\"\n  privileged: true #";
  req.labels["note"] = evil_label;
  req.node_pools[0].machine_type = evil_type;
  std::string stream = EmitStream(MustExpand(req));

  Diagnostics diags;
  auto docs = yaml::ParseDocuments(stream, "out.yaml", &diags,
                                   yaml::Limits{1 << 22, 64, 200000});
  ASSERT_TRUE(diags.empty());
  auto objects = MustExpand(req);
  ASSERT_EQ(docs.size(), objects.size()) << "a value added a document";
  for (size_t i = 0; i < docs.size(); ++i) {
    EXPECT_EQ(yaml::ToJson(docs[i]), objects[i]);
  }
  EXPECT_EQ(yaml::ToJson(docs.back())["metadata"]["labels"]["note"],
            evil_label);
}

TEST(ExpandTest, RejectsDuplicatePoolNames) {
  ClusterRequest req = GcpRequest();
  req.node_pools[1].name = "cpu";
  auto objects = Expand(req, testing::TestRepoConfig(), {});
  ASSERT_FALSE(objects.ok());
  EXPECT_NE(objects.status().message().find("spec.nodePools[1].name"),
            std::string::npos);
}

TEST(ExpandTest, ClusterNetworkComesFromTheRepoConfig) {
  auto defaults = FindObject(MustExpand(GcpRequest()), "Cluster");
  EXPECT_EQ(defaults["spec"]["clusterNetwork"]["pods"]["cidrBlocks"],
            nlohmann::json::array({"192.168.0.0/16"}));
  EXPECT_EQ(defaults["spec"]["clusterNetwork"]["services"]["cidrBlocks"],
            nlohmann::json::array({"10.96.0.0/12"}));

  RepoConfig config = testing::TestRepoConfig();
  config.pod_cidr = "172.20.0.0/16";
  config.service_cidr = "172.21.0.0/16";
  auto objects = Expand(GcpRequest(), config, {});
  ASSERT_TRUE(objects.ok()) << objects.status().ToString();
  nlohmann::json cluster = FindObject(*objects, "Cluster");
  EXPECT_EQ(cluster["spec"]["clusterNetwork"]["pods"]["cidrBlocks"],
            nlohmann::json::array({"172.20.0.0/16"}));
  EXPECT_EQ(cluster["spec"]["clusterNetwork"]["services"]["cidrBlocks"],
            nlohmann::json::array({"172.21.0.0/16"}));
}

TEST(ExpandTest, PoolNamedControlPlaneIsRejected) {
  ClusterRequest req = GcpRequest();
  req.node_pools[0].name = "control-plane";
  auto objects = Expand(req, testing::TestRepoConfig(), {});
  ASSERT_FALSE(objects.ok());
  EXPECT_NE(objects.status().message().find("spec.nodePools[0].name"),
            std::string::npos);
}

}  // namespace
}  // namespace capigitops
