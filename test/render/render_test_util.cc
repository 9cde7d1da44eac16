#include "render/render_test_util.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "capigitops/yaml.h"

namespace capigitops::testing {
namespace {

NodePool Pool(const std::string& name, const std::string& type) {
  NodePool pool;
  pool.name = name;
  pool.machine_type = type;
  return pool;
}

NodePool Fixed(const std::string& name, const std::string& type, int n) {
  NodePool pool = Pool(name, type);
  pool.replicas = n;
  return pool;
}

NodePool Scaled(const std::string& name, const std::string& type, int min,
                int max) {
  NodePool pool = Pool(name, type);
  pool.autoscaling = Autoscaling{min, max};
  return pool;
}

ClusterRequest Base(Provider provider, const std::string& name) {
  ClusterRequest req;
  req.file = "clusters/" + name + ".yaml";
  req.name = name;
  req.owner = "team-ml";
  req.labels = {{"team", "ml"}, {"env", "dev"}};
  req.provider = provider;
  req.kubernetes_version = "v1.33.4";
  req.settings = RequestSettings(
      std::make_shared<const ProviderSettings>(TestRepoConfig().providers));
  req.ttl = {TtlKind::kDuration, 4 * 3600, 0, "4h"};
  return req;
}

const Taint kGpuTaint = {"nvidia.com/gpu", "present", "NoSchedule"};

}  // namespace

RepoConfig TestRepoConfig() {
  RepoConfig config;
  config.namespace_name = "fleet";
  config.default_kubernetes_version = "v1.33.4";
  ProviderSettings& p = config.providers;
  p.gcp.project = "my-project";
  p.gcp.image_family = "projects/my-project/global/images/family/capi-1-33";
  p.aws.region = "us-east-1";
  p.aws.identity_kind = "AWSClusterRoleIdentity";
  p.aws.identity_name = "ml-role";
  p.aws.role_arn = "arn:aws:iam::123456789012:role/capa-ml";
  p.aws.ssh_key_name = "capi";
  p.azure.subscription_id = "00000000-0000-0000-0000-000000000001";
  p.azure.location = "westeurope";
  p.azure.client_id = "00000000-0000-0000-0000-000000000002";
  p.azure.tenant_id = "00000000-0000-0000-0000-000000000003";
  p.vsphere.server = "vcenter.example.internal";
  p.vsphere.thumbprint = "AA:BB:CC";
  p.vsphere.datacenter = "dc1";
  p.vsphere.datastore = "ds1";
  p.vsphere.folder = "capi";
  p.vsphere.resource_pool = "capi-pool";
  p.vsphere.template_name = "ubuntu-2404-kube-v1.33.4";
  p.vsphere.network = "VM Network";
  p.vsphere.identity_name = "vsphere-fleet";
  p.vsphere.control_plane_endpoint = "10.0.0.10";
  p.vsphere.sizes = {{"medium", {4, 8192, 60}},
                     {"gpu-large", {16, 65536, 200}}};
  p.openstack.cloud = "openstack";
  p.openstack.clouds_secret = "openstack-clouds";
  p.openstack.image = "ubuntu-2404-kube-v1.33.4";
  p.openstack.external_network_id = "6e9d4c2a-0c2b-4c36-9a5e-3c1b2f8d7e11";
  p.openstack.ssh_key_name = "capi";
  p.openstack.machine_types = {
      {"m1.large", {4, 8192, 0, ""}},
      {"g1.xlarge.t4", {8, 32768, 1, "nvidia-tesla-t4"}}};
  return config;
}

ClusterRequest GcpRequest() {
  ClusterRequest req = Base(Provider::kGcp, "ml-train");
  req.region = "us-central1";
  req.zone = "us-central1-c";
  req.control_plane = {3, "n2-standard-4"};
  NodePool cpu = Fixed("cpu", "n2-standard-8", 3);
  cpu.disk_gib = 100;
  NodePool gpu = Scaled("gpu", "n1-standard-32", 0, 8);
  gpu.spot = true;
  gpu.disk_gib = 200;
  gpu.accelerator = Accelerator{"nvidia-tesla-v100", 4};
  gpu.labels = {{"workload", "training"}};
  gpu.taints = {kGpuTaint};
  req.node_pools = {cpu, gpu};
  return req;
}

ClusterRequest AwsRequest() {
  ClusterRequest req = Base(Provider::kAws, "inference");
  req.region = "us-west-2";
  req.control_plane = {1, "m5.large"};
  NodePool gpu = Scaled("gpu", "g4dn.xlarge", 1, 4);  // GPU from the type
  gpu.disk_gib = 100;
  gpu.taints = {kGpuTaint};
  NodePool spot = Scaled("batch", "m5.xlarge", 0, 10);
  spot.spot = true;
  req.node_pools = {gpu, spot};
  req.ttl = {TtlKind::kNever, 0, 0, "never"};
  req.deletion_protection = true;
  return req;
}

ClusterRequest AzureRequest() {
  ClusterRequest req = Base(Provider::kAzure, "az-spot");
  req.control_plane = {1, "Standard_D4s_v5"};
  NodePool sys = Fixed("system", "Standard_D4s_v5", 2);
  NodePool gpu = Scaled("gpu", "Standard_NC6s_v3", 0, 3);
  gpu.spot = true;
  gpu.accelerator = Accelerator{"nvidia-tesla-v100", 1};
  gpu.disk_gib = 256;
  req.node_pools = {sys, gpu};
  req.ttl = {TtlKind::kExpiresAt, 0, 1796148000, "2026-12-01T18:00:00Z"};
  return req;
}

ClusterRequest VsphereRequest() {
  ClusterRequest req = Base(Provider::kVsphere, "onprem");
  req.control_plane = {3, "medium"};
  NodePool workers = Fixed("workers", "medium", 3);
  NodePool gpu = Scaled("gpu", "gpu-large", 0, 2);
  gpu.accelerator = Accelerator{"nvidia-tesla-t4", 2};
  req.node_pools = {workers, gpu};
  return req;
}

ClusterRequest OpenstackRequest() {
  ClusterRequest req = Base(Provider::kOpenstack, "os-lab");
  req.region = "RegionOne";
  req.control_plane = {1, "m1.large"};
  NodePool gpu = Scaled("gpu", "g1.xlarge.t4", 0, 2);
  gpu.accelerator = Accelerator{"nvidia-tesla-t4", 1};
  gpu.disk_gib = 80;
  req.node_pools = {Fixed("workers", "m1.large", 2), gpu};
  return req;
}

ClusterRequest DockerRequest() {
  ClusterRequest req = Base(Provider::kDocker, "dev");
  req.control_plane = {1, ""};
  req.node_pools = {Fixed("md-0", "", 2), Scaled("burst", "", 0, 3)};
  req.ttl = {};
  return req;
}

std::vector<ClusterRequest> AllProviderRequests() {
  return {GcpRequest(),     AwsRequest(),       AzureRequest(),
          VsphereRequest(), OpenstackRequest(), DockerRequest()};
}

std::vector<nlohmann::json> MustExpand(const ClusterRequest& req) {
  RenderOptions opts;
  opts.revision = "abc123";
  auto objects = Expand(req, TestRepoConfig(), opts);
  EXPECT_TRUE(objects.ok()) << objects.status().ToString();
  if (!objects.ok()) return {};
  return *objects;
}

std::string EmitStream(const std::vector<nlohmann::json>& objects) {
  std::string out;
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i > 0) out += "---\n";
    out += yaml::Emit(objects[i]);
  }
  return out;
}

void ExpectGolden(const std::string& name, const std::string& actual) {
  std::string path = std::string(CAPIGITOPS_SOURCE_DIR) +
                     "/test/render/golden/" + name + ".yaml";
  const char* update = std::getenv("CAPIGITOPS_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "missing " << path
                  << "; run with CAPIGITOPS_UPDATE_GOLDEN=1 to create it";
  std::stringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(actual, golden.str())
      << "rendered objects differ from " << path
      << "; if the change is intended, rerun with CAPIGITOPS_UPDATE_GOLDEN=1 "
         "and review the diff";
}

nlohmann::json FindObject(const std::vector<nlohmann::json>& objects,
                          const std::string& kind,
                          const std::string& name_prefix) {
  for (const nlohmann::json& obj : objects) {
    if (obj["kind"] != kind) continue;
    std::string name = obj["metadata"]["name"];
    if (name.starts_with(name_prefix)) return obj;
  }
  return nullptr;
}

std::vector<nlohmann::json> FindObjects(
    const std::vector<nlohmann::json>& objects, const std::string& kind) {
  std::vector<nlohmann::json> found;
  for (const nlohmann::json& obj : objects) {
    if (obj["kind"] == kind) found.push_back(obj);
  }
  return found;
}

nlohmann::json PoolDeployment(const std::vector<nlohmann::json>& objects,
                              const std::string& cluster,
                              const std::string& pool) {
  for (const nlohmann::json& obj : objects) {
    if (obj["kind"] == "MachineDeployment" &&
        obj["metadata"]["name"] == cluster + "-" + pool) {
      return obj;
    }
  }
  return nullptr;
}

namespace {
nlohmann::json ByRef(const std::vector<nlohmann::json>& objects,
                     const nlohmann::json& ref) {
  for (const nlohmann::json& obj : objects) {
    if (obj["kind"] == ref["kind"] && obj["metadata"]["name"] == ref["name"]) {
      return obj;
    }
  }
  return nullptr;
}
}  // namespace

nlohmann::json PoolMachineTemplate(const std::vector<nlohmann::json>& objects,
                                   const std::string& cluster,
                                   const std::string& pool) {
  nlohmann::json md = PoolDeployment(objects, cluster, pool);
  if (md.is_null()) return nullptr;
  return ByRef(objects, md["spec"]["template"]["spec"]["infrastructureRef"]);
}

nlohmann::json PoolBootstrapTemplate(const std::vector<nlohmann::json>& objects,
                                     const std::string& cluster,
                                     const std::string& pool) {
  nlohmann::json md = PoolDeployment(objects, cluster, pool);
  if (md.is_null()) return nullptr;
  return ByRef(objects,
               md["spec"]["template"]["spec"]["bootstrap"]["configRef"]);
}

std::string KubeletArg(const nlohmann::json& node_registration,
                       const std::string& name) {
  if (!node_registration.contains("kubeletExtraArgs")) return "";
  for (const nlohmann::json& arg : node_registration["kubeletExtraArgs"]) {
    if (arg["name"] == name) return arg["value"];
  }
  return "";
}

}  // namespace capigitops::testing
