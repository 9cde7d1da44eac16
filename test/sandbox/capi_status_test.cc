#include "capi_status.h"

#include <gtest/gtest.h>

#include "util/base64.h"

namespace capigitops::sandbox {
namespace {

const json* Condition(const json& obj, const std::string& type) {
  for (const json& c : obj["status"]["conditions"]) {
    if (c["type"] == type) return &c;
  }
  return nullptr;
}

TEST(SandboxCapiStatus, DesiredReplicasFallsBackToAutoscalerMinimum) {
  EXPECT_EQ(DesiredReplicas(
                {{"metadata", json::object()}, {"spec", {{"replicas", 4}}}}),
            4);
  json autoscaled = {
      {"metadata",
       {{"annotations",
         {{"cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size",
           "2"}}}}},
      {"spec", json::object()}};
  EXPECT_EQ(DesiredReplicas(autoscaled), 2);
  EXPECT_EQ(DesiredReplicas({{"metadata", json::object()}}), 1);
}

TEST(SandboxCapiStatus, ClusterPhasesAndConditions) {
  json cluster = {{"metadata", {{"name", "c1"}, {"generation", 3}}}};
  ClusterProgress p;
  SetClusterStatus(p, "t0", &cluster);
  EXPECT_EQ(cluster["status"]["phase"], "Pending");
  EXPECT_EQ((*Condition(cluster, "Available"))["status"], "False");

  p.infra_ready = true;
  SetClusterStatus(p, "t1", &cluster);
  EXPECT_EQ(cluster["status"]["phase"], "Provisioning");
  EXPECT_EQ((*Condition(cluster, "InfrastructureReady"))["lastTransitionTime"],
            "t1");

  p.control_plane_initialized = p.workers_ready = true;
  p.control_plane_desired = 3;
  p.workers_desired = 2;
  SetClusterStatus(p, "t2", &cluster);
  EXPECT_EQ(cluster["status"]["phase"], "Provisioned");
  const json* available = Condition(cluster, "Available");
  ASSERT_NE(available, nullptr);
  EXPECT_EQ((*available)["status"], "True");
  EXPECT_EQ((*available)["observedGeneration"], 3);
  EXPECT_EQ((*Condition(cluster, "InfrastructureReady"))["lastTransitionTime"],
            "t1")
      << "unchanged conditions keep their transition time";
  EXPECT_EQ(cluster["status"]["controlPlane"]["readyReplicas"], 3);
  EXPECT_EQ(cluster["status"]["workers"]["availableReplicas"], 2);
  EXPECT_EQ(cluster["status"]["initialization"]["controlPlaneInitialized"],
            true);
}

TEST(SandboxCapiStatus, ReferencesResolveToGroupAndPlural) {
  json v1beta2 = {{"apiGroup", "controlplane.cluster.x-k8s.io"},
                  {"kind", "KubeadmControlPlane"}};
  json v1beta1 = {{"apiVersion", "infrastructure.cluster.x-k8s.io/v1beta1"},
                  {"kind", "GCPCluster"}};
  EXPECT_EQ(RefGroup(v1beta2), "controlplane.cluster.x-k8s.io");
  EXPECT_EQ(RefResource(v1beta2), "kubeadmcontrolplanes");
  EXPECT_EQ(RefGroup(v1beta1), "infrastructure.cluster.x-k8s.io");
  EXPECT_EQ(RefResource(v1beta1), "gcpclusters");
}

TEST(SandboxCapiStatus, KubeconfigSecretShape) {
  json cluster = {
      {"apiVersion", "cluster.x-k8s.io/v1beta2"},
      {"metadata", {{"name", "c1"}, {"namespace", "ns"}, {"uid", "u"}}}};
  json s = KubeconfigSecret(cluster);
  EXPECT_EQ(s["metadata"]["name"], "c1-kubeconfig");
  EXPECT_EQ(s["type"], "cluster.x-k8s.io/secret");
  EXPECT_EQ(s["metadata"]["labels"]["cluster.x-k8s.io/cluster-name"], "c1");
  EXPECT_FALSE(s["data"]["value"].get<std::string>().empty());
  EXPECT_EQ(s["metadata"]["ownerReferences"][0]["uid"], "u");
}

TEST(SandboxCapiStatus, KubeconfigSecretPointsAtTheWorkloadServer) {
  json cluster = {{"metadata", {{"name", "c1"}, {"namespace", "ns"}}}};
  json s = KubeconfigSecret(cluster, "https://127.0.0.1:1/workload/ns/c1",
                            "PEM", "tok");
  std::optional<std::string> text =
      Base64Decode(s["data"]["value"].get<std::string>());
  ASSERT_TRUE(text.has_value());
  EXPECT_NE(text->find("server: https://127.0.0.1:1/workload/ns/c1\n"),
            std::string::npos);
  EXPECT_NE(text->find("token: tok\n"), std::string::npos);
  EXPECT_NE(text->find("certificate-authority-data: " + Base64Encode("PEM")),
            std::string::npos);
}

}  // namespace
}  // namespace capigitops::sandbox
