// Exec credential plugins (client.authentication.k8s.io/v1): run the
// command, read an ExecCredential from its stdout.
#ifndef CAPIGITOPS_KUBE_EXEC_CREDENTIAL_H_
#define CAPIGITOPS_KUBE_EXEC_CREDENTIAL_H_

#include <cstdint>
#include <string>

#include "capigitops/kubeconfig.h"
#include "capigitops/status.h"

namespace capigitops {

struct ExecCredential {
  std::string token;
  std::string client_cert_pem;  // with client_key_pem, instead of a token
  std::string client_key_pem;
  int64_t expires_at = 0;  // Unix seconds; 0 = no expiry
};

// Runs the plugin with KUBERNETES_EXEC_INFO set. Errors name the command and
// its exit status but never include what it printed on stdout (credentials).
StatusOr<ExecCredential> RunExecPlugin(const ExecConfig& exec,
                                       const RestConfig& cluster);

// Parses the plugin's stdout.
StatusOr<ExecCredential> ParseExecCredential(const std::string& stdout_text,
                                             const std::string& command);

}  // namespace capigitops

#endif  // CAPIGITOPS_KUBE_EXEC_CREDENTIAL_H_
