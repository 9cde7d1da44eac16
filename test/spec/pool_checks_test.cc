// Machine types, GPUs, node labels and zones checked at `validate` time, as
// a new user would get them wrong (issue 10): each mistake below passed
// `validate` before and failed inside the provider after merge.
#include <gtest/gtest.h>

#include "capigitops/loader.h"
#include "capigitops/machine_catalog.h"

namespace capigitops {
namespace {

// One GCP pool; POOL is replaced by the test's pool lines (at line 12).
const char kGcp[] = R"(apiVersion: capigitops.io/v1alpha1
kind: ClusterRequest
metadata: {name: train}
spec:
  owner: ml
  provider: gcp
  region: us-central1
  zone: us-central1-c
  kubernetesVersion: v1.33.4
  controlPlane: {replicas: 1, machineType: n2-standard-4}
  nodePools:
POOL
  providerConfig: {project: p}
)";

std::string With(std::string text, const std::string& from,
                 const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

std::string Gcp(const std::string& pool) { return With(kGcp, "POOL", pool); }

std::vector<std::string> Diags(const std::string& text,
                               const RepoConfig& config = RepoConfig{}) {
  Diagnostics diags;
  LoadClusterRequest("clusters/train.yaml", text, config, &diags);
  std::vector<std::string> out;
  for (const Diagnostic& d : diags) out.push_back(d.ToString());
  return out;
}

std::optional<ClusterRequest> Load(const std::string& text,
                                   const RepoConfig& config = RepoConfig{}) {
  Diagnostics diags;
  return LoadClusterRequest("clusters/train.yaml", text, config, &diags);
}

using Lines = std::vector<std::string>;

TEST(PoolChecksTest, GcpAcceleratorNamesAsANewUserWritesThem) {
  for (const char* wrong : {"a100", "nvidia-a100"}) {
    EXPECT_EQ(
        Diags(Gcp("  - {name: gpu, machineType: n1-standard-32, replicas: 1, "
                  "accelerator: {type: " +
                  std::string(wrong) + ", count: 1}}")),
        Lines{"clusters/train.yaml:12:79: spec.nodePools[0].accelerator.type: "
              "unknown gcp accelerator \"" +
              std::string(wrong) +
              "\" (did you mean \"nvidia-tesla-a100\"?); gcp knows "
              "nvidia-a100-80gb, nvidia-b200, nvidia-h100-80gb, "
              "nvidia-h100-mega-80gb, nvidia-h200-141gb, nvidia-l4, "
              "nvidia-tesla-a100, nvidia-tesla-p100, nvidia-tesla-p100-vws, "
              "nvidia-tesla-p4, nvidia-tesla-p4-vws, nvidia-tesla-t4, "
              "nvidia-tesla-t4-vws, nvidia-tesla-v100"})
        << wrong;
  }
  EXPECT_EQ(ClosestName("h100", AcceleratorTypes(Provider::kGcp, {})),
            "nvidia-h100-80gb");
  EXPECT_EQ(
      ClosestName("nvidia-tesla-t5", AcceleratorTypes(Provider::kGcp, {})),
      "nvidia-tesla-t4");
}

TEST(PoolChecksTest, GcpA100OnlyComesWithA2) {
  EXPECT_EQ(
      Diags(Gcp("  - {name: gpu, machineType: n1-standard-32, replicas: 1, "
                "accelerator: {type: nvidia-tesla-a100, count: 4}}")),
      Lines{"clusters/train.yaml:12:79: spec.nodePools[0].accelerator.type: "
            "nvidia-tesla-a100 cannot be attached to n1-standard-32: on GCP "
            "it comes only with its own machine types (a2-highgpu-1g, "
            "a2-highgpu-2g, a2-highgpu-4g, a2-highgpu-8g, a2-megagpu-16g); "
            "use one of them as machineType"});
}

TEST(PoolChecksTest, BundledShapeContradictedIsAnErrorNamingTheRealGpus) {
  const std::string expected =
      "clusters/train.yaml:12:71: spec.nodePools[0].accelerator: "
      "a2-highgpu-8g comes with 8 x nvidia-tesla-a100, not ";
  EXPECT_EQ(Diags(Gcp("  - {name: gpu, machineType: a2-highgpu-8g, "
                      "replicas: 1, accelerator: {type: nvidia-tesla-a100, "
                      "count: 4}}")),
            Lines{expected +
                  "4 x nvidia-tesla-a100: set accelerator {type: "
                  "nvidia-tesla-a100, count: 8} or leave it out (it follows "
                  "from the machine type)"});
  auto t4s =
      Diags(Gcp("  - {name: gpu, machineType: a2-highgpu-8g, "
                "replicas: 1, accelerator: {type: nvidia-tesla-t4, "
                "count: 8}}"));
  ASSERT_EQ(t4s.size(), 1u);
  EXPECT_EQ(t4s[0].rfind(expected + "8 x nvidia-tesla-t4", 0), 0u) << t4s[0];
}

TEST(PoolChecksTest, BundledShapeDerivesTypeAndCount) {
  auto req =
      Load(Gcp("  - {name: gpu, machineType: a3-highgpu-8g, "
               "autoscaling: {min: 0, max: 2}}"));
  ASSERT_TRUE(req.has_value());
  ASSERT_TRUE(req->node_pools[0].accelerator.has_value());
  EXPECT_EQ(req->node_pools[0].accelerator->type, "nvidia-h100-80gb");
  EXPECT_EQ(req->node_pools[0].accelerator->count, 8);
  EXPECT_EQ(req->TotalAccelerators(true), 16);
}

TEST(PoolChecksTest, UnknownMachineTypeIsAnErrorUnlessDeclared) {
  const std::string pool =
      "  - {name: cpu, machineType: n1-standard-33, replicas: 1}";
  EXPECT_EQ(Diags(Gcp(pool)),
            Lines{"clusters/train.yaml:12:30: spec.nodePools[0].machineType: "
                  "unknown gcp machine type \"n1-standard-33\" (did you mean "
                  "\"n1-standard-32\"?): the provider would reject it only "
                  "after merge. If the type exists, declare it in "
                  "capi-gitops.yaml under "
                  "providers.gcp.machineTypes.n1-standard-33 {cpus, "
                  "memoryMiB, gpus, gpuType}"});
  RepoConfig config;
  config.providers.gcp.machine_types["n1-standard-33"] = {33, 126720, 0, ""};
  EXPECT_EQ(Diags(Gcp(pool), config), Lines{});
}

TEST(PoolChecksTest, GcpN1GpuCountsAndVcpuLimits) {
  EXPECT_EQ(
      Diags(Gcp("  - {name: gpu, machineType: n1-standard-32, replicas: 1, "
                "accelerator: {type: nvidia-tesla-v100, count: 1}}")),
      Lines{"clusters/train.yaml:12:105: spec.nodePools[0].accelerator.count: "
            "n1-standard-32 has 32 vCPUs, but an N1 machine with 1 x "
            "nvidia-tesla-v100 may have at most 12: attach more GPUs or pick "
            "a smaller machine type"});
  EXPECT_EQ(
      Diags(Gcp("  - {name: gpu, machineType: n1-standard-8, replicas: 1, "
                "accelerator: {type: nvidia-tesla-t4, count: 3}}")),
      Lines{"clusters/train.yaml:12:102: spec.nodePools[0].accelerator.count: "
            "GCP attaches 1, 2, 4 nvidia-tesla-t4 to one machine, not 3"});
}

TEST(PoolChecksTest, GcpFamiliesThatCannotTakeGpus) {
  for (const char* type : {"e2-standard-4", "n2-standard-8"}) {
    auto diags = Diags(Gcp("  - {name: gpu, machineType: " + std::string(type) +
                           ", replicas: 1, accelerator: {type: "
                           "nvidia-tesla-t4, count: 1}}"));
    ASSERT_EQ(diags.size(), 1u) << type;
    EXPECT_NE(diags[0].find("spec.nodePools[0].machineType: GCP attaches "
                            "nvidia-tesla-t4 only to N1 machine types; " +
                            std::string(type) + " cannot take GPUs"),
              std::string::npos)
        << diags[0];
  }
}

std::string Aws(const std::string& pool) {
  std::string text = With(kGcp, "POOL", pool);
  text = With(text, "provider: gcp", "provider: aws");
  text = With(text, "  zone: us-central1-c\n", "");
  text = With(text, "region: us-central1", "region: us-east-1");
  text = With(text, "n2-standard-4", "m5.large");
  return With(text, "  providerConfig: {project: p}\n", "");
}

TEST(PoolChecksTest, AwsShapesAreTheSourceOfGpus) {
  EXPECT_EQ(Diags(Aws("  - {name: gpu, machineType: g4dn.12xlarge, "
                      "replicas: 1, accelerator: {type: nvidia-tesla-t4, "
                      "count: 1}}")),
            Lines{"clusters/train.yaml:11:71: spec.nodePools[0].accelerator: "
                  "g4dn.12xlarge comes with 4 x nvidia-tesla-t4, not 1 x "
                  "nvidia-tesla-t4: set accelerator {type: nvidia-tesla-t4, "
                  "count: 4} or leave it out (it follows from the machine "
                  "type)"});
  EXPECT_EQ(Diags(Aws("  - {name: gpu, machineType: m5.xlarge, replicas: 1, "
                      "accelerator: {type: nvidia-a10g, count: 1}}")),
            Lines{"clusters/train.yaml:11:30: spec.nodePools[0].machineType: "
                  "m5.xlarge has no GPUs: on aws GPUs come with the machine "
                  "type; for nvidia-a10g use one of g5.xlarge, g5.2xlarge, "
                  "g5.4xlarge, g5.8xlarge, g5.12xlarge, g5.16xlarge, "
                  "g5.24xlarge, g5.48xlarge"});
}

TEST(PoolChecksTest, KubeletRestrictedLabelsAreRejectedWithTheFix) {
  auto diags = Diags(
      Gcp("  - name: cpu\n    machineType: n2-standard-8\n    replicas: 1\n"
          "    labels:\n      kubernetes.io/role: gpu\n"
          "      node-role.kubernetes.io/gpu: \"\"\n"
          "      node-restriction.kubernetes.io/pool: cpu\n"
          "      node.kubernetes.io/pool: cpu\n"
          "      topology.kubernetes.io/zone: us-central1-c\n"
          "      example.com/team: ml"));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].rfind("clusters/train.yaml:16:7: "
                           "spec.nodePools[0].labels.kubernetes.io/role: "
                           "\"kubernetes.io/role\" is in a domain the kubelet "
                           "may not set on its own node",
                           0),
            0u)
      << diags[0];
  EXPECT_NE(diags[0].find("use node-role.kubernetes.io/<role>, which Cluster "
                          "API copies from the Machine to the Node"),
            std::string::npos);
  EXPECT_TRUE(IsCapiSyncedNodeLabel("node-role.kubernetes.io/gpu"));
  EXPECT_TRUE(IsCapiSyncedNodeLabel("a.node-restriction.kubernetes.io/x"));
  EXPECT_TRUE(IsCapiSyncedNodeLabel("node.cluster.x-k8s.io/pool"));
  EXPECT_FALSE(IsCapiSyncedNodeLabel("node.kubernetes.io/pool"));
}

TEST(PoolChecksTest, ReservedPoolNameIsRejectedAtValidate) {
  EXPECT_EQ(Diags(Gcp("  - {name: control-plane, machineType: n2-standard-8, "
                      "replicas: 1}")),
            Lines{"clusters/train.yaml:12:12: spec.nodePools[0].name: "
                  "\"control-plane\" is reserved: the control plane's objects "
                  "have that name; call the pool e.g. \"workers\""});
}

TEST(PoolChecksTest, AzureZonesAreNumbers) {
  std::string text = With(kGcp, "POOL",
                          "  - {name: cpu, machineType: Standard_D4s_v5, "
                          "replicas: 1}");
  text = With(text, "provider: gcp", "provider: azure");
  text = With(text, "region: us-central1", "region: westeurope");
  text = With(text, "n2-standard-4", "Standard_D4s_v5");
  text = With(text, "{project: p}",
              "{subscriptionID: s, identity: {clientID: c, tenantID: t}}");
  EXPECT_EQ(Diags(text),
            Lines{"clusters/train.yaml:8:9: spec.zone: Azure zones are "
                  "\"1\", \"2\" or \"3\", not \"us-central1-c\""});
  EXPECT_EQ(Diags(With(text, "zone: us-central1-c", "zone: \"2\"")), Lines{});
}

std::string Openstack(const std::string& pool) {
  std::string text = With(kGcp, "POOL", pool);
  text = With(text, "provider: gcp", "provider: openstack");
  text = With(text, "  zone: us-central1-c\n", "");
  text = With(text, "n2-standard-4", "m1.large");
  return With(text, "{project: p}", "{cloud: c, image: i}");
}

TEST(PoolChecksTest, OpenstackFlavorsMustBeDeclared) {
  const std::string pool =
      "  - {name: gpu, machineType: g1.t4, autoscaling: {min: 0, max: 2}, "
      "accelerator: {type: nvidia-tesla-t4, count: 1}}";
  auto diags = Diags(Openstack(pool));
  ASSERT_EQ(diags.size(), 2u);
  EXPECT_NE(diags[0].find("spec.controlPlane.machineType: unknown openstack "
                          "flavor \"m1.large\": flavors are site-specific, so "
                          "declare each one in capi-gitops.yaml under "
                          "providers.openstack.machineTypes.m1.large"),
            std::string::npos)
      << diags[0];
  EXPECT_NE(diags[1].find("spec.nodePools[0].machineType: unknown openstack "
                          "flavor \"g1.t4\""),
            std::string::npos)
      << diags[1];

  RepoConfig config;
  config.providers.openstack.machine_types["m1.large"] = {4, 8192, 0, ""};
  config.providers.openstack.machine_types["g1.t4"] = {0, 0, 1,
                                                       "nvidia-tesla-t4"};
  // Known flavor, but not its size: it can never scale up from zero.
  diags = Diags(Openstack(pool), config);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0],
            "clusters/train.yaml:11:56: warning: "
            "spec.nodePools[0].autoscaling.min: node pool \"gpu\" can never "
            "scale up from zero: the cluster-autoscaler needs the CPU and "
            "memory of a node it cannot see, and they are unknown for g1.t4. "
            "To fix it, set cpus and memoryMiB under "
            "providers.openstack.machineTypes.g1.t4 in capi-gitops.yaml, or "
            "set autoscaling.min to 1");
  EXPECT_TRUE(Load(Openstack(pool), config).has_value());  // only a warning
  config.providers.openstack.machine_types["g1.t4"] = {8, 32768, 1,
                                                       "nvidia-tesla-t4"};
  EXPECT_EQ(Diags(Openstack(pool), config), Lines{});
}

TEST(PoolChecksTest, RepoConfigDeclaresMachineTypes) {
  RepoConfig config;
  Diagnostics diags;
  EXPECT_TRUE(LoadRepoConfig("capi-gitops.yaml",
                             R"(apiVersion: capigitops.io/v1alpha1
kind: RepoConfig
providers:
  openstack:
    machineTypes:
      g1.xlarge.t4: {cpus: 8, memoryMiB: 32768, gpus: 1, gpuType: nvidia-tesla-t4}
)",
                             &config, &diags));
  const DeclaredMachineType& t4 =
      config.providers.openstack.machine_types.at("g1.xlarge.t4");
  EXPECT_EQ(t4.cpus, 8);
  EXPECT_EQ(t4.memory_mib, 32768);
  EXPECT_EQ(t4.gpus, 1);
  auto shape = LookupMachineShape(Provider::kOpenstack, "g1.xlarge.t4",
                                  config.providers);
  ASSERT_TRUE(shape.has_value());
  EXPECT_EQ(shape->gpu_type, "nvidia-tesla-t4");
  EXPECT_TRUE(shape->HasCapacity());

  diags.clear();
  EXPECT_FALSE(LoadRepoConfig("capi-gitops.yaml",
                              R"(apiVersion: capigitops.io/v1alpha1
kind: RepoConfig
providers:
  gcp:
    machineTypes:
      n1-custom-8: {cpus: 8, gpus: 2}
)",
                              &config, &diags));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].ToString(),
            "capi-gitops.yaml:6:20: providers.gcp.machineTypes.n1-custom-8."
            "gpuType: required when gpus is set: the GPU name, e.g. "
            "nvidia-tesla-t4");
}

TEST(PoolChecksTest, ShapeTableKnowsCurrentGpuFamilies) {
  auto a3 = LookupMachineShape(Provider::kGcp, "a3-ultragpu-8g", {});
  ASSERT_TRUE(a3.has_value());
  EXPECT_EQ(a3->gpu_type, "nvidia-h200-141gb");
  EXPECT_EQ(a3->gpu_count, 8);
  EXPECT_TRUE(GcpMachineTypeBundlesGpus("a3-highgpu-8g"));
  auto nd =
      LookupMachineShape(Provider::kAzure, "Standard_ND96isr_H100_v5", {});
  ASSERT_TRUE(nd.has_value());
  EXPECT_EQ(nd->gpu_type, "nvidia-h100-80gb");
  EXPECT_EQ(nd->cpus, 96);
  auto nv = LookupMachineShape(Provider::kAzure, "Standard_NV36ads_A10_v5", {});
  ASSERT_TRUE(nv.has_value());
  EXPECT_EQ(nv->gpu_type, "nvidia-a10");
}

TEST(PoolChecksTest, DockerScaleFromZeroWarns) {
  std::string text =
      With(kGcp, "POOL", "  - {name: burst, autoscaling: {min: 0, max: 3}}");
  text = With(text, "provider: gcp", "provider: docker");
  text = With(text, "  region: us-central1\n  zone: us-central1-c\n", "");
  text = With(text, ", machineType: n2-standard-4", "");
  text = With(text, "  providerConfig: {project: p}\n", "");
  auto diags = Diags(text);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_NE(diags[0].find("warning: spec.nodePools[0].autoscaling.min: node "
                          "pool \"burst\" can never scale up from zero"),
            std::string::npos)
      << diags[0];
}

}  // namespace
}  // namespace capigitops
