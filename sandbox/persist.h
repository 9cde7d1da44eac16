// Files the sandbox writes: the kubeconfig for clients and the state file
// that survives restarts. Both are written atomically (temp file + rename)
// so a reader never sees half a file.
#ifndef CAPIGITOPS_SANDBOX_PERSIST_H_
#define CAPIGITOPS_SANDBOX_PERSIST_H_

#include <string>

#include "capigitops/status.h"
#include "store.h"

namespace capigitops::sandbox {

Status WriteFileAtomically(const std::string& path, const std::string& content);

// A kubeconfig with context "capi-sandbox" pointing at `server_url` with the
// token, and, when a client certificate is given, context "capi-sandbox-cert"
// authenticating with it; `ca_pem` empty means plain HTTP.
std::string KubeconfigText(const std::string& server_url,
                           const std::string& ca_pem, const std::string& token,
                           const std::string& client_cert_pem,
                           const std::string& client_key_pem);

Status SaveState(const Store& store, const std::string& path);
// A missing file is not an error (first start).
Status LoadState(const std::string& path, Store* store);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_PERSIST_H_
