// What authenticates each request: a bearer token (inline, from a file
// that rotates, or from an exec plugin), basic auth, or a TLS client
// certificate from an exec plugin. Plugin credentials are cached until
// their expirationTimestamp, and fetched anew when the server says 401.
#ifndef CAPIGITOPS_KUBE_CREDENTIALS_H_
#define CAPIGITOPS_KUBE_CREDENTIALS_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "capigitops/kubeconfig.h"
#include "capigitops/status.h"
#include "kube/http.h"

namespace capigitops {

struct RequestCredentials {
  std::string authorization;  // Authorization header value; "" for none
  // From an exec plugin; null to use the kubeconfig's client certificate.
  std::shared_ptr<const ClientCertificate> client_certificate;
};

// Thread-safe.
class CredentialSource {
 public:
  explicit CredentialSource(RestConfig config) : config_(std::move(config)) {}

  // The credentials for the next request. `refresh` after a 401: read the
  // token file or run the plugin again even if the cached value is fresh.
  StatusOr<RequestCredentials> Get(bool refresh);

  // Whether fetching anew can change anything (a token file or a plugin),
  // so that a 401 is worth one more try.
  bool Refreshable() const;

 private:
  StatusOr<RequestCredentials> ReadTokenFile(int64_t now);
  StatusOr<RequestCredentials> RunPlugin();

  const RestConfig config_;

  std::mutex mu_;  // guards the cache
  RequestCredentials cached_;
  bool have_cached_ = false;
  int64_t expires_ = 0;  // Unix seconds; 0: until a 401
  // A failed plugin run is answered from here for kPluginRetrySeconds: one
  // plan's many requests must not run a broken plugin again and again.
  Status plugin_failure_;
  int64_t plugin_failed_at_ = 0;
};

}  // namespace capigitops

#endif  // CAPIGITOPS_KUBE_CREDENTIALS_H_
