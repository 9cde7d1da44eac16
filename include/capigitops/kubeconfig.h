// Where the management cluster is and how to authenticate: kubeconfig files
// read by kubectl's rules, or the in-cluster service account.
#ifndef CAPIGITOPS_KUBECONFIG_H_
#define CAPIGITOPS_KUBECONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "capigitops/status.h"

namespace capigitops {

// An exec credential plugin (client.authentication.k8s.io/v1), as GKE, EKS
// and AKS use.
struct ExecConfig {
  std::string api_version;
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  bool provide_cluster_info = false;
  std::string interactive_mode = "Never";
  std::string base_dir;  // directory of the kubeconfig that defined it
};

// Everything a client needs to talk to one API server. File paths are kept
// as paths (tokens and certificates may rotate); *_data fields hold PEM or
// token text that was inline in the kubeconfig.
struct RestConfig {
  std::string server;  // https://host:port
  std::string tls_server_name;
  std::string proxy_url;
  bool insecure_skip_tls_verify = false;
  std::string ca_data;  // PEM
  std::string ca_file;
  std::string client_cert_data;  // PEM
  std::string client_cert_file;
  std::string client_key_data;  // PEM
  std::string client_key_file;
  std::string token;
  std::string token_file;  // re-read periodically (rotated tokens)
  std::string username;
  std::string password;
  std::optional<ExecConfig> exec;
  std::string namespace_name = "default";
  std::string context;  // name of the context used, for messages
};

// A kubeconfig file's path and content.
struct KubeconfigFile {
  std::string path;
  std::string content;
};

struct KubeconfigOverrides {
  std::string context;         // --context
  std::string namespace_name;  // -n / --namespace
};

// Merges `files` by kubectl's rules (the first file that defines a cluster,
// user or context name wins; the first current-context wins), then picks the
// context. Relative paths resolve against the defining file's directory.
// Pure: reads no files.
StatusOr<RestConfig> ResolveKubeconfig(const std::vector<KubeconfigFile>& files,
                                       const KubeconfigOverrides& overrides);

// Environment and filesystem seams for loading, so tests can fake them.
struct KubeconfigEnvironment {
  std::map<std::string, std::string> env;  // KUBECONFIG, HOME, KUBERNETES_*
  std::string service_account_dir =
      "/var/run/secrets/kubernetes.io/serviceaccount";
  static KubeconfigEnvironment FromProcess();
};

// kubectl's loading order: --kubeconfig alone (missing file is an error);
// else every file of KUBECONFIG (missing ones skipped); else ~/.kube/config;
// else, inside a pod, the service account (in-cluster config).
StatusOr<RestConfig> LoadRestConfig(const std::string& explicit_path,
                                    const KubeconfigOverrides& overrides,
                                    const KubeconfigEnvironment& environment);

// The in-cluster config: KUBERNETES_SERVICE_HOST/PORT, the service account
// token (as a file, re-read when it rotates), ca.crt and namespace.
StatusOr<RestConfig> InClusterConfig(const KubeconfigEnvironment& environment);

// `url` with any user:password@ (or token@) replaced by "***@": what every
// message shows of a server URL, which a kubeconfig may give with
// credentials in it.
std::string RedactUrl(const std::string& url);

}  // namespace capigitops

#endif  // CAPIGITOPS_KUBECONFIG_H_
