// Finding the kubeconfig files (the only I/O of kubeconfig handling).
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "capigitops/kubeconfig.h"
#include "util/file.h"

extern char** environ;

namespace capigitops {
namespace {

// Kubeconfigs and service-account files: nullopt when unreadable (the
// callers name what was missing).
std::optional<std::string> ReadSmallFile(const std::string& path) {
  StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) return std::nullopt;
  return std::move(content).value();
}

std::string Env(const KubeconfigEnvironment& e, const char* key) {
  auto it = e.env.find(key);
  return it == e.env.end() ? "" : it->second;
}

}  // namespace

KubeconfigEnvironment KubeconfigEnvironment::FromProcess() {
  KubeconfigEnvironment e;
  for (const char* key : {"KUBECONFIG", "HOME", "KUBERNETES_SERVICE_HOST",
                          "KUBERNETES_SERVICE_PORT", "POD_NAMESPACE"}) {
    if (const char* v = std::getenv(key)) e.env[key] = v;
  }
  return e;
}

StatusOr<RestConfig> InClusterConfig(const KubeconfigEnvironment& e) {
  std::string host = Env(e, "KUBERNETES_SERVICE_HOST");
  std::string port = Env(e, "KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return Status::NotFound(
        "no kubeconfig found (--kubeconfig, KUBECONFIG, ~/.kube/config) and "
        "not "
        "running in a pod (KUBERNETES_SERVICE_HOST/PORT unset)");
  }
  RestConfig rc;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  rc.server = "https://" + host + ":" + port;
  rc.context = "in-cluster";
  rc.token_file = e.service_account_dir + "/token";
  if (!ReadSmallFile(rc.token_file)) {
    return Status::Unauthenticated(
        "in-cluster config: cannot read the service "
        "account token " +
        rc.token_file);
  }
  std::string ca = e.service_account_dir + "/ca.crt";
  if (std::filesystem::exists(ca)) rc.ca_file = ca;
  std::string ns = Env(e, "POD_NAMESPACE");
  if (ns.empty()) {
    if (auto n = ReadSmallFile(e.service_account_dir + "/namespace")) ns = *n;
  }
  while (!ns.empty() && (ns.back() == '\n' || ns.back() == ' ')) ns.pop_back();
  if (!ns.empty()) rc.namespace_name = ns;
  return rc;
}

StatusOr<RestConfig> LoadRestConfig(const std::string& explicit_path,
                                    const KubeconfigOverrides& overrides,
                                    const KubeconfigEnvironment& e) {
  std::vector<KubeconfigFile> files;
  if (!explicit_path.empty()) {
    auto content = ReadSmallFile(explicit_path);
    if (!content) {
      return Status::NotFound("cannot read kubeconfig " + explicit_path);
    }
    files.push_back({explicit_path, *content});
  } else if (std::string list = Env(e, "KUBECONFIG"); !list.empty()) {
    std::stringstream paths(list);
    std::string path;
    while (std::getline(paths, path, ':')) {
      if (path.empty()) continue;
      if (auto content = ReadSmallFile(path)) files.push_back({path, *content});
    }
  } else if (std::string home = Env(e, "HOME"); !home.empty()) {
    std::string path = home + "/.kube/config";
    if (auto content = ReadSmallFile(path)) files.push_back({path, *content});
  }
  if (files.empty()) {
    StatusOr<RestConfig> rc = InClusterConfig(e);
    if (rc.ok() && !overrides.namespace_name.empty()) {
      rc->namespace_name = overrides.namespace_name;
    }
    return rc;
  }
  return ResolveKubeconfig(files, overrides);
}

}  // namespace capigitops
