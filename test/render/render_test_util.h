// Requests, repo configs and golden-file helpers shared by the render tests.
#ifndef CAPIGITOPS_TEST_RENDER_RENDER_TEST_UTIL_H_
#define CAPIGITOPS_TEST_RENDER_RENDER_TEST_UTIL_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "capigitops/config.h"
#include "capigitops/render.h"
#include "capigitops/spec.h"

namespace capigitops::testing {

// The repo config all render tests use; every provider has its settings.
RepoConfig TestRepoConfig();

// A representative request per provider: a control plane, a fixed pool and
// pools with GPUs, spot and autoscaling where the provider supports them.
// req.settings is the config's provider settings, as the loader fills it.
ClusterRequest GcpRequest();
ClusterRequest AwsRequest();
ClusterRequest AzureRequest();
ClusterRequest VsphereRequest();
ClusterRequest OpenstackRequest();
ClusterRequest DockerRequest();
std::vector<ClusterRequest> AllProviderRequests();

// Expand with the test config and revision "abc123"; fails the test (and
// returns nothing) on error.
std::vector<nlohmann::json> MustExpand(const ClusterRequest& req);

// The objects as a multi-document YAML stream ("---\n" between documents).
std::string EmitStream(const std::vector<nlohmann::json>& objects);

// Compares `actual` with test/render/golden/<name>.yaml; rewrites the file
// instead when CAPIGITOPS_UPDATE_GOLDEN=1.
void ExpectGolden(const std::string& name, const std::string& actual);

// The first object of `kind` (and, when given, whose name starts with
// `name_prefix`); null json when there is none.
nlohmann::json FindObject(const std::vector<nlohmann::json>& objects,
                          const std::string& kind,
                          const std::string& name_prefix = "");
std::vector<nlohmann::json> FindObjects(
    const std::vector<nlohmann::json>& objects, const std::string& kind);

// The MachineDeployment of `pool` and the objects its refs name.
nlohmann::json PoolDeployment(const std::vector<nlohmann::json>& objects,
                              const std::string& cluster,
                              const std::string& pool);
nlohmann::json PoolMachineTemplate(const std::vector<nlohmann::json>& objects,
                                   const std::string& cluster,
                                   const std::string& pool);
nlohmann::json PoolBootstrapTemplate(const std::vector<nlohmann::json>& objects,
                                     const std::string& cluster,
                                     const std::string& pool);

// The value of the kubelet arg `name` in a nodeRegistration, or "".
std::string KubeletArg(const nlohmann::json& node_registration,
                       const std::string& name);

}  // namespace capigitops::testing

#endif  // CAPIGITOPS_TEST_RENDER_RENDER_TEST_UTIL_H_
