// ApplyDefaults and Prune: synthetic schemas and real CAPI defaults.
#include <gtest/gtest.h>

#include "capigitops/schema.h"
#include "schema/crd_testing.h"

namespace capigitops::schema {
namespace {

using json = nlohmann::json;
using testing::Describe;
using testing::Doc;
using testing::UpstreamCrds;

const json& SchemaOf(const std::string& group, const std::string& kind,
                     const std::string& version) {
  const Crd* crd = UpstreamCrds().Find(group, kind);
  EXPECT_NE(crd, nullptr) << kind;
  static const json kEmpty = json::object();
  if (crd == nullptr || crd->FindVersion(version) == nullptr) return kEmpty;
  return crd->FindVersion(version)->schema;
}

const char kDefaultsSchema[] = R"(
type: object
properties:
  spec:
    type: object
    properties:
      strategy:
        type: object
        default: {type: RollingUpdate}
        properties:
          type: {type: string}
          maxSurge: {type: integer, default: 1}
      ports:
        type: array
        items:
          type: object
          properties:
            port: {type: integer}
            protocol: {type: string, default: TCP}
      pools:
        type: object
        additionalProperties:
          type: object
          properties:
            replicas: {type: integer, default: 1}
      mode: {type: string, default: Auto}
      note: {type: string, nullable: true, default: none}
)";

TEST(ApplyDefaultsTest, FillsAbsentFieldsRecursively) {
  json object = Doc(R"(
spec:
  ports: [{port: 80}, {port: 53, protocol: UDP}]
  pools: {gpu: {}, cpu: {replicas: 3}}
  mode: null
  note: null
)");
  ApplyDefaults(&object, Doc(kDefaultsSchema));
  const json& spec = object["spec"];
  // A defaulted object gets the defaults of its own fields too.
  EXPECT_EQ(spec["strategy"],
            json({{"type", "RollingUpdate"}, {"maxSurge", 1}}));
  EXPECT_EQ(spec["ports"][0]["protocol"], "TCP");
  EXPECT_EQ(spec["ports"][1]["protocol"], "UDP");  // explicit value kept
  EXPECT_EQ(spec["pools"]["gpu"]["replicas"], 1);
  EXPECT_EQ(spec["pools"]["cpu"]["replicas"], 3);
  EXPECT_EQ(spec["mode"], "Auto");      // null in a non-nullable field
  EXPECT_TRUE(spec["note"].is_null());  // nullable: null is a value
}

TEST(ApplyDefaultsTest, DoesNotCreateParentsThatHaveNoDefault) {
  json object = json::object();
  ApplyDefaults(&object, Doc(kDefaultsSchema));
  EXPECT_EQ(object, json::object());
}

TEST(ApplyDefaultsTest, RealGcpClusterNetworkMtu) {
  SKIP_WITHOUT_CRDS();
  const json& schema =
      SchemaOf("infrastructure.cluster.x-k8s.io", "GCPCluster", "v1beta1");
  json cluster = Doc(R"(
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: GCPCluster
metadata: {name: ml-a, namespace: fleet}
spec: {project: my-project, region: us-central1, network: {name: default}}
)");
  ApplyDefaults(&cluster, schema);
  EXPECT_EQ(cluster["spec"]["network"]["mtu"], 1460);
  EXPECT_TRUE(Validate(cluster, schema).empty())
      << Describe(Validate(cluster, schema));

  cluster["spec"]["network"]["mtu"] = 1500;
  ApplyDefaults(&cluster, schema);
  EXPECT_EQ(cluster["spec"]["network"]["mtu"], 1500);
}

TEST(ApplyDefaultsTest, RealKubeadmControlPlaneRolloutStrategy) {
  SKIP_WITHOUT_CRDS();
  json kcp = Doc(R"(
apiVersion: controlplane.cluster.x-k8s.io/v1beta1
kind: KubeadmControlPlane
metadata: {name: cp, namespace: fleet}
spec:
  version: v1.35.2
  kubeadmConfigSpec: {}
  machineTemplate:
    infrastructureRef: {apiVersion: infrastructure.cluster.x-k8s.io/v1beta1, kind: GCPMachineTemplate, name: cp}
)");
  ApplyDefaults(&kcp, SchemaOf("controlplane.cluster.x-k8s.io",
                               "KubeadmControlPlane", "v1beta1"));
  EXPECT_EQ(
      kcp["spec"]["rolloutStrategy"],
      json({{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxSurge", 1}}}}));
}

TEST(ApplyDefaultsTest, RealDefaultInsideListItems) {
  SKIP_WITHOUT_CRDS();
  json config = Doc(R"(
apiVersion: bootstrap.cluster.x-k8s.io/v1beta2
kind: KubeadmConfig
metadata: {name: c, namespace: fleet}
spec:
  clusterConfiguration:
    apiServer:
      extraEnvs: [{name: TOKEN, valueFrom: {secretKeyRef: {key: token}}}]
)");
  ApplyDefaults(&config, SchemaOf("bootstrap.cluster.x-k8s.io", "KubeadmConfig",
                                  "v1beta2"));
  EXPECT_EQ(config["spec"]["clusterConfiguration"]["apiServer"]["extraEnvs"][0]
                  ["valueFrom"]["secretKeyRef"]["name"],
            "");
}

TEST(PruneTest, DropsUndeclaredFieldsAndKeepsPreservedOnes) {
  json schema = Doc(R"(
type: object
properties:
  metadata: {type: object}
  spec:
    type: object
    properties:
      size: {type: integer}
      opaque: {type: object, x-kubernetes-preserve-unknown-fields: true}
      labels: {type: object, additionalProperties: {type: string}}
      items: {type: array, items: {type: object, properties: {a: {type: string}}}}
      gone: {type: string}
      kept: {type: string, nullable: true}
      child:
        type: object
        x-kubernetes-embedded-resource: true
        properties: {data: {type: object, additionalProperties: {type: string}}}
)");
  json object = Doc(R"(
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, labels: {a: b}, colour: blue}
spec:
  size: 1
  extra: 2
  opaque: {anything: {deep: 1}}
  labels: {x: y}
  items: [{a: b, c: d}]
  gone: null
  kept: null
  child: {apiVersion: v1, kind: ConfigMap, metadata: {name: c, bogus: 1}, data: {k: v}, junk: 1}
status: {ready: true}
)");
  Prune(&object, schema);
  EXPECT_EQ(object, Doc(R"(
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, labels: {a: b}}
spec:
  size: 1
  opaque: {anything: {deep: 1}}
  labels: {x: y}
  items: [{a: b}]
  kept: null
  child: {apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {k: v}}
)")) << object.dump(2);
}

TEST(PruneTest, RealCrdDropsBlogFieldsSoTheObjectValidates) {
  SKIP_WITHOUT_CRDS();
  const json& schema = SchemaOf("infrastructure.cluster.x-k8s.io",
                                "GCPMachineTemplate", "v1beta1");
  json object = Doc(R"(
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: GCPMachineTemplate
metadata: {name: gpu, namespace: fleet}
spec:
  template:
    spec:
      instanceType: n1-standard-32
      acceleratorType: nvidia-tesla-v100
      acceleratorCount: 4
)");
  ASSERT_EQ(Validate(object, schema).size(), 2u);
  Prune(&object, schema);
  EXPECT_EQ(object["spec"]["template"]["spec"],
            json({{"instanceType", "n1-standard-32"}}));
  EXPECT_TRUE(Validate(object, schema).empty());
}

}  // namespace
}  // namespace capigitops::schema
