// Validation against the real upstream CAPI CRDs: the mistakes a cluster
// spec renderer (or a blog post) makes, and the complete GCP GPU example of
// docs/capi.md section d, which must pass untouched.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "capigitops/schema.h"
#include "schema/crd_testing.h"

namespace capigitops::schema {
namespace {

using json = nlohmann::json;
using testing::Describe;
using testing::Doc;
using testing::Docs;
using testing::UpstreamCrds;

// docs/capi.md section d, verbatim.
const char kGcpGpuExample[] = R"(
apiVersion: cluster.x-k8s.io/v1beta2
kind: Cluster
metadata: {name: ml-a, namespace: fleet}
spec:
  clusterNetwork: {pods: {cidrBlocks: ["192.168.0.0/16"]}}
  infrastructureRef: {apiGroup: infrastructure.cluster.x-k8s.io, kind: GCPCluster, name: ml-a}
  controlPlaneRef: {apiGroup: controlplane.cluster.x-k8s.io, kind: KubeadmControlPlane, name: ml-a-cp}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: GCPCluster
metadata: {name: ml-a, namespace: fleet}
spec: {project: my-project, region: us-central1, network: {name: default}, failureDomains: ["us-central1-c"]}
---
apiVersion: controlplane.cluster.x-k8s.io/v1beta2
kind: KubeadmControlPlane
metadata: {name: ml-a-cp, namespace: fleet}
spec:
  replicas: 3
  version: v1.35.2
  machineTemplate:
    spec:
      infrastructureRef: {apiGroup: infrastructure.cluster.x-k8s.io, kind: GCPMachineTemplate, name: ml-a-cp-3f9c2a}
  kubeadmConfigSpec:
    initConfiguration: {nodeRegistration: {kubeletExtraArgs: [{name: cloud-provider, value: external}]}}
    joinConfiguration: {nodeRegistration: {kubeletExtraArgs: [{name: cloud-provider, value: external}]}}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: GCPMachineTemplate
metadata: {name: ml-a-cp-3f9c2a, namespace: fleet}
spec: {template: {spec: {instanceType: n2-standard-4, image: "projects/my-project/global/images/<capi-image>", rootDeviceSize: 100}}}
---
apiVersion: cluster.x-k8s.io/v1beta2
kind: MachineDeployment
metadata:
  name: ml-a-gpu
  namespace: fleet
  annotations: {cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size: "0", cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size: "8",
                capacity.cluster-autoscaler.kubernetes.io/cpu: "32", capacity.cluster-autoscaler.kubernetes.io/memory: "120G",
                capacity.cluster-autoscaler.kubernetes.io/gpu-type: nvidia.com/gpu, capacity.cluster-autoscaler.kubernetes.io/gpu-count: "4"}
spec:                      # no replicas: owned by the autoscaler
  clusterName: ml-a
  selector: {matchLabels: {}}
  template:
    spec:
      clusterName: ml-a
      version: v1.35.2
      failureDomain: us-central1-c          # must match the accelerator URL zone
      bootstrap: {configRef: {apiGroup: bootstrap.cluster.x-k8s.io, kind: KubeadmConfigTemplate, name: ml-a-gpu-7d1e0b}}
      infrastructureRef: {apiGroup: infrastructure.cluster.x-k8s.io, kind: GCPMachineTemplate, name: ml-a-gpu-7d1e0b}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: GCPMachineTemplate
metadata: {name: ml-a-gpu-7d1e0b, namespace: fleet}
spec:
  template:
    spec:
      instanceType: n1-standard-32
      image: "projects/my-project/global/images/<capi-image>"
      rootDeviceSize: 200
      rootDeviceType: pd-ssd
      provisioningModel: Spot
      onHostMaintenance: Terminate
      guestAccelerators: [{type: projects/my-project/zones/us-central1-c/acceleratorTypes/nvidia-tesla-v100, count: 4}]
---
apiVersion: bootstrap.cluster.x-k8s.io/v1beta2
kind: KubeadmConfigTemplate
metadata: {name: ml-a-gpu-7d1e0b, namespace: fleet}
spec:
  template:
    spec:
      joinConfiguration:
        nodeRegistration:
          kubeletExtraArgs: [{name: cloud-provider, value: external}, {name: node-labels, value: "cluster-api/accelerator=nvidia-tesla-v100"}]
          taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
)";

const char kKcp[] = R"(
apiVersion: controlplane.cluster.x-k8s.io/v1beta2
kind: KubeadmControlPlane
metadata: {name: ml-a-cp, namespace: fleet}
spec:
  replicas: 3
  version: v1.35.2
  machineTemplate:
    spec:
      infrastructureRef: {apiGroup: infrastructure.cluster.x-k8s.io, kind: GCPMachineTemplate, name: ml-a-cp}
  kubeadmConfigSpec:
    initConfiguration: {nodeRegistration: {kubeletExtraArgs: [{name: cloud-provider, value: external}]}}
)";

const char kGpuTemplate[] = R"(
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: GCPMachineTemplate
metadata: {name: ml-a-gpu, namespace: fleet}
spec:
  template:
    spec:
      instanceType: n1-standard-32
      provisioningModel: Spot
      onHostMaintenance: Terminate
      guestAccelerators: [{type: nvidia-tesla-v100, count: 4}]
)";

class CapiCrdTest : public ::testing::Test {
 protected:
  void SetUp() override { SKIP_WITHOUT_CRDS(); }

  // The single error `object` must produce.
  SchemaError OnlyError(const json& object) {
    std::vector<SchemaError> errors = UpstreamCrds().ValidateObject(object);
    EXPECT_EQ(errors.size(), 1u) << Describe(errors);
    return errors.empty() ? SchemaError{} : errors[0];
  }
};

TEST_F(CapiCrdTest, GcpGpuExampleFromTheDocsIsValid) {
  std::vector<json> docs = Docs(kGcpGpuExample);
  ASSERT_EQ(docs.size(), 7u);
  for (const json& doc : docs) {
    std::vector<SchemaError> errors = UpstreamCrds().ValidateObject(doc);
    EXPECT_TRUE(errors.empty())
        << doc["kind"] << " " << doc["metadata"]["name"] << ":\n"
        << Describe(errors);
  }
}

TEST_F(CapiCrdTest, BlogAcceleratorFieldsAreUnknown) {
  json object = Doc(kGpuTemplate);
  json& spec = object["spec"]["template"]["spec"];
  spec.erase("guestAccelerators");
  spec["acceleratorType"] = "nvidia-tesla-v100";
  spec["acceleratorCount"] = 4;
  std::vector<SchemaError> errors = UpstreamCrds().ValidateObject(object);
  ASSERT_EQ(errors.size(), 2u) << Describe(errors);
  EXPECT_EQ(errors[0].ToString(),
            "spec.template.spec.acceleratorCount: unknown field "
            "\"spec.template.spec.acceleratorCount\"");
  EXPECT_EQ(errors[0].type, "FieldValueUnknown");
  EXPECT_EQ(errors[1].field, "spec.template.spec.acceleratorType");

  // With fieldValidation=Ignore semantics they pass (and would be pruned).
  ValidateOptions lax;
  lax.reject_unknown_fields = false;
  EXPECT_TRUE(UpstreamCrds().ValidateObject(object, lax).empty());
}

TEST_F(CapiCrdTest, KubeadmControlPlaneWithoutVersion) {
  json object = Doc(kKcp);
  ASSERT_TRUE(UpstreamCrds().ValidateObject(object).empty());
  object["spec"].erase("version");
  SchemaError e = OnlyError(object);
  EXPECT_EQ(e.ToString(), "spec.version: Required value");
  EXPECT_EQ(e.type, "FieldValueRequired");
}

TEST_F(CapiCrdTest, WrongProvisioningModel) {
  json object = Doc(kGpuTemplate);
  object["spec"]["template"]["spec"]["provisioningModel"] = "Cheap";
  SchemaError e = OnlyError(object);
  EXPECT_EQ(e.ToString(),
            "spec.template.spec.provisioningModel: Unsupported value: "
            "\"Cheap\": supported values: \"Standard\", \"Spot\"");
  EXPECT_EQ(e.type, "FieldValueNotSupported");
}

TEST_F(CapiCrdTest, WrongTypes) {
  json object = Doc(kGpuTemplate);
  object["spec"]["template"]["spec"]["guestAccelerators"][0]["count"] = "4";
  SchemaError e = OnlyError(object);
  EXPECT_EQ(e.field, "spec.template.spec.guestAccelerators[0].count");
  EXPECT_EQ(e.type, "FieldValueTypeInvalid");

  object = Doc(kKcp);
  object["spec"]["replicas"] = "three";
  EXPECT_EQ(OnlyError(object).ToString(),
            "spec.replicas: Invalid value: \"string\": spec.replicas in body "
            "must be of type integer: \"string\"");
}

TEST_F(CapiCrdTest, Int32OutOfRange) {
  json object = Doc(kKcp);
  object["spec"]["replicas"] = 3000000000LL;  // format: int32
  SchemaError e = OnlyError(object);
  EXPECT_EQ(e.field, "spec.replicas");
  EXPECT_NE(e.message.find("int32"), std::string::npos) << e.message;
}

TEST_F(CapiCrdTest, PatternAndMaxLength) {
  json object = Doc(kKcp);
  json& ref = object["spec"]["machineTemplate"]["spec"]["infrastructureRef"];
  ref["kind"] = "GCP_MachineTemplate";
  SchemaError e = OnlyError(object);
  EXPECT_EQ(e.field, "spec.machineTemplate.spec.infrastructureRef.kind");
  EXPECT_EQ(e.type, "FieldValueInvalid");
  EXPECT_NE(e.message.find("should match '^[a-zA-Z]"), std::string::npos)
      << e.message;

  ref["kind"] = "GCPMachineTemplate" + std::string(60, 'x');  // maxLength 63
  e = OnlyError(object);
  EXPECT_EQ(e.type, "FieldValueTooLong");
  EXPECT_EQ(e.ToString(),
            "spec.machineTemplate.spec.infrastructureRef.kind: Too long: may "
            "not be more than 63 bytes");
}

TEST_F(CapiCrdTest, DuplicateListMapKey) {
  json object = Doc(kKcp);
  json& args = object["spec"]["kubeadmConfigSpec"]["initConfiguration"]
                     ["nodeRegistration"]["kubeletExtraArgs"];
  json first = args[0];
  args.push_back(first);  // list-map-keys [name, value]
  SchemaError e = OnlyError(object);
  EXPECT_EQ(e.field,
            "spec.kubeadmConfigSpec.initConfiguration.nodeRegistration."
            "kubeletExtraArgs[1]");
  EXPECT_EQ(e.type, "FieldValueDuplicate");
  EXPECT_EQ(e.message,
            "Duplicate value: {\"name\":\"cloud-provider\",\"value\":"
            "\"external\"}");
}

TEST_F(CapiCrdTest, MetadataIsObjectMetaNotSchema) {
  json object = Doc(kKcp);
  object["metadata"]["labels"] = {{"cluster.x-k8s.io/cluster-name", "ml-a"}};
  ASSERT_TRUE(UpstreamCrds().ValidateObject(object).empty());
  object["metadata"]["labels"]["team"] = 7;
  EXPECT_EQ(OnlyError(object).field, "metadata.labels");
}

// Upstream example manifests without ${VAR} placeholders, beside the CRDs.
TEST_F(CapiCrdTest, UpstreamExamplesHaveNoFalsePositives) {
  std::filesystem::path dir =
      std::filesystem::path(testing::CrdDir()).parent_path() /
      "capi-reference" / "cluster-api";
  if (!std::filesystem::is_directory(dir)) {
    // They come with ../shared only; scripts/crds.lock pins CRDs, not examples.
    GTEST_SKIP() << "upstream example manifests not found at " << dir
                 << " (they sit beside ../shared/capi-crds)";
  }
  std::set<std::string> checked;
  for (const char* name : {"simple-cluster.yaml", "machine-pool.yaml",
                           "clusterclass-quick-start.yaml"}) {
    std::ifstream in(dir / name);
    std::stringstream text;
    text << in.rdbuf();
    for (const json& doc : Docs(text.str())) {
      std::string api_version = doc.value("apiVersion", "");
      std::string group = api_version.substr(0, api_version.rfind('/'));
      if (UpstreamCrds().Find(group, doc.value("kind", "")) == nullptr) {
        continue;  // e.g. DevClusterTemplate: its CRD is not copied
      }
      checked.insert(doc["kind"].get<std::string>());
      std::vector<SchemaError> errors = UpstreamCrds().ValidateObject(doc);
      EXPECT_TRUE(errors.empty()) << name << " " << doc["kind"] << ":\n"
                                  << Describe(errors);
    }
  }
  EXPECT_TRUE(checked.count("ClusterClass")) << "nothing checked";
  EXPECT_TRUE(checked.count("DockerMachineTemplate"));
}

}  // namespace
}  // namespace capigitops::schema
