// The per-cluster cluster-autoscaler: rendered only with an autoscaled pool,
// run on the management cluster against the workload cluster's kubeconfig
// Secret, with a Role limited to this namespace and provider.
#include <gtest/gtest.h>

#include <algorithm>

#include "capigitops/apply_order.h"
#include "capigitops/render.h"
#include "render/render_test_util.h"

namespace capigitops {
namespace {

using namespace testing;  // NOLINT
using nlohmann::json;

std::vector<std::string> Args(const json& deployment) {
  return deployment["spec"]["template"]["spec"]["containers"][0]["args"]
      .get<std::vector<std::string>>();
}

bool HasArg(const json& deployment, const std::string& arg) {
  auto args = Args(deployment);
  return std::find(args.begin(), args.end(), arg) != args.end();
}

std::string Image(const json& deployment) {
  return deployment["spec"]["template"]["spec"]["containers"][0]["image"];
}

TEST(ClusterAutoscalerTest, AutoscaledClusterGetsItsOwnAutoscaler) {
  auto objects = MustExpand(GcpRequest());  // pool "gpu" autoscales 0..8
  json deploy = FindObject(objects, "Deployment");
  ASSERT_FALSE(deploy.is_null());
  EXPECT_EQ(deploy["apiVersion"], "apps/v1");
  EXPECT_EQ(deploy["metadata"]["name"], "ml-train-cluster-autoscaler");
  EXPECT_EQ(deploy["metadata"]["namespace"], "fleet");
  EXPECT_EQ(deploy["metadata"]["labels"][kManagedByLabel], kManagedByValue);
  EXPECT_EQ(deploy["metadata"]["labels"][kClusterLabel], "ml-train");
  EXPECT_TRUE(HasArg(deploy, "--cloud-provider=clusterapi"));
  EXPECT_TRUE(HasArg(deploy,
                     "--node-group-auto-discovery=clusterapi:namespace=fleet,"
                     "clusterName=ml-train"));
  EXPECT_TRUE(HasArg(deploy, "--clusterapi-cloud-config-authoritative"));
  EXPECT_TRUE(HasArg(deploy, "--kubeconfig=/etc/kubernetes/workload/value"));
  // The management cluster comes from the service account: no cloud-config.
  for (const std::string& arg : Args(deploy)) {
    EXPECT_NE(arg.rfind("--cloud-config", 0), 0u) << arg;
  }
  EXPECT_EQ(Image(deploy),
            "registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.6");

  const json& pod = deploy["spec"]["template"]["spec"];
  EXPECT_EQ(pod["serviceAccountName"], "ml-train-cluster-autoscaler");
  json volume = pod["volumes"][0];
  EXPECT_EQ(volume["secret"]["secretName"], "ml-train-kubeconfig");
  EXPECT_EQ(volume["secret"]["items"][0]["key"], "value");
  EXPECT_EQ(volume["secret"]["items"][0]["path"], "value");
  json mount = pod["containers"][0]["volumeMounts"][0];
  EXPECT_EQ(mount["name"], volume["name"]);
  EXPECT_EQ(mount["mountPath"], "/etc/kubernetes/workload");
  EXPECT_EQ(mount["readOnly"], true);
  EXPECT_EQ(deploy["spec"]["selector"]["matchLabels"],
            deploy["spec"]["template"]["metadata"]["labels"]);
}

TEST(ClusterAutoscalerTest,
     RoleGrantsTheScalableKindsAndTheProvidersTemplates) {
  auto objects = MustExpand(AwsRequest());
  json role = FindObject(objects, "Role");
  ASSERT_FALSE(role.is_null());
  EXPECT_EQ(role["apiVersion"], "rbac.authorization.k8s.io/v1");
  EXPECT_EQ(role["metadata"]["namespace"], "fleet");
  json rules = role["rules"];
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0]["apiGroups"], json({"cluster.x-k8s.io"}));
  EXPECT_EQ(rules[0]["resources"], json({"machinedeployments", "machinepools",
                                         "machines", "machinesets"}));
  EXPECT_EQ(rules[0]["verbs"], json({"get", "list", "update", "watch"}));
  EXPECT_EQ(rules[1]["resources"],
            json({"machinedeployments/scale", "machinepools/scale"}));
  EXPECT_EQ(rules[1]["verbs"], json({"get", "patch", "update"}));
  EXPECT_EQ(rules[2]["apiGroups"], json({"infrastructure.cluster.x-k8s.io"}));
  EXPECT_EQ(rules[2]["resources"], json({"awsmachinetemplates"}));
  EXPECT_EQ(rules[2]["verbs"], json({"get", "list", "watch"}));
  // Nothing cluster-wide, no Secrets, no wildcards.
  EXPECT_TRUE(FindObject(objects, "ClusterRole").is_null());
  EXPECT_EQ(role.dump().find('*'), std::string::npos);
  EXPECT_EQ(role.dump().find("secrets"), std::string::npos);

  json binding = FindObject(objects, "RoleBinding");
  EXPECT_EQ(binding["roleRef"]["kind"], "Role");
  EXPECT_EQ(binding["roleRef"]["name"], role["metadata"]["name"]);
  json account = FindObject(objects, "ServiceAccount");
  EXPECT_EQ(binding["subjects"][0]["kind"], "ServiceAccount");
  EXPECT_EQ(binding["subjects"][0]["name"], account["metadata"]["name"]);
  EXPECT_EQ(binding["subjects"][0]["namespace"], "fleet");
}

TEST(ClusterAutoscalerTest, NoAutoscaledPoolNoAutoscaler) {
  ClusterRequest req = GcpRequest();
  for (NodePool& pool : req.node_pools) {
    pool.autoscaling.reset();
    pool.replicas = 1;
  }
  auto objects = MustExpand(req);
  for (const char* kind :
       {"Deployment", "ServiceAccount", "Role", "RoleBinding"}) {
    EXPECT_TRUE(FindObject(objects, kind).is_null()) << kind;
  }
}

TEST(ClusterAutoscalerTest, ImageFollowsTheKubernetesMinor) {
  struct Case {
    std::string version, tag;
  };
  for (const Case& c : std::vector<Case>{{"v1.30.2", "v1.30.7"},
                                         {"v1.31.0", "v1.31.5"},
                                         {"v1.32.9", "v1.32.7"},
                                         {"v1.33.4", "v1.33.6"},
                                         {"v1.34.1", "v1.34.5"},
                                         {"v1.35.0", "v1.35.2"},
                                         {"v1.36.3", "v1.36.1"},
                                         // Outside the table: the nearest.
                                         {"v1.29.8", "v1.30.7"},
                                         {"v1.40.0", "v1.36.1"}}) {
    ClusterRequest req = GcpRequest();
    req.kubernetes_version = c.version;
    json deploy = FindObject(MustExpand(req), "Deployment");
    EXPECT_EQ(Image(deploy),
              "registry.k8s.io/autoscaling/cluster-autoscaler:" + c.tag)
        << c.version;
  }
}

TEST(ClusterAutoscalerTest, AppliedRightBeforeTheClusterDeletedBeforeIt) {
  auto objects = MustExpand(DockerRequest());
  ASSERT_GE(objects.size(), 2u);
  EXPECT_EQ(objects.back()["kind"], "Cluster");
  EXPECT_EQ(objects[objects.size() - 2]["kind"], "Deployment");
  EXPECT_EQ(ApplyStageOf("Deployment"), ApplyStage::kControllers);
  // What the Deployment needs exists before it.
  for (const char* kind : {"ServiceAccount", "Role", "RoleBinding"}) {
    EXPECT_EQ(ApplyStageOf(kind), ApplyStage::kReferenced) << kind;
  }
}

}  // namespace
}  // namespace capigitops
