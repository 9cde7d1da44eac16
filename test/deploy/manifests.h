// Reading deploy/ and the CI examples in tests: YAML files as JSON objects,
// lookups by kind and name, and RBAC grants.
#ifndef CAPIGITOPS_TEST_DEPLOY_MANIFESTS_H_
#define CAPIGITOPS_TEST_DEPLOY_MANIFESTS_H_

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace capigitops::testutil {

// One document of a manifest file.
struct Manifest {
  std::string file;  // relative to the source tree, e.g. "deploy/rbac.yaml"
  nlohmann::json object;
};

// Whole file from the source tree; empty when it cannot be read.
std::string ReadSourceFile(const std::string& relative);

// Every document of a YAML file in the source tree. Parse errors are
// appended to `errors` as "file:line:col: message".
std::vector<Manifest> ReadManifests(const std::string& relative,
                                    std::vector<std::string>* errors);

// The "*.yaml" / "*.yml" file names directly in a source directory, sorted.
std::vector<std::string> YamlFilesIn(const std::string& relative_dir);

// Every object of every file deploy/kustomization.yaml lists.
std::vector<Manifest> KustomizationObjects();

// The object of that kind and name (any namespace), or nullptr.
const nlohmann::json* FindObject(const std::vector<Manifest>& objects,
                                 const std::string& kind,
                                 const std::string& name);

// "Deployment", "CronJob": the pod spec inside the workload object.
const nlohmann::json& PodSpecOf(const nlohmann::json& workload);

// The API group of an apiVersion: "" for "v1", "apps" for "apps/v1".
std::string GroupOf(const std::string& api_version);

// The REST resource of a kind: lowercase plural ("AWSClusterRoleIdentity" ->
// "awsclusterroleidentities").
std::string ResourceOf(const std::string& kind);

// The verbs a Role or ClusterRole grants on (group, resource).
std::set<std::string> GrantedVerbs(const nlohmann::json& role,
                                   const std::string& group,
                                   const std::string& resource);

}  // namespace capigitops::testutil

#endif  // CAPIGITOPS_TEST_DEPLOY_MANIFESTS_H_
