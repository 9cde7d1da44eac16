// The HTTP seam of the Kubernetes client: one request in, one response out.
// Abstract so tests can fake the wire; the real one is libcurl.
#ifndef CAPIGITOPS_KUBE_HTTP_H_
#define CAPIGITOPS_KUBE_HTTP_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "capigitops/kubeconfig.h"
#include "capigitops/status.h"

namespace capigitops {

// A TLS client certificate and its key (PEM), as an exec credential plugin
// returns them.
struct ClientCertificate {
  std::string cert_pem;
  std::string key_pem;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute, starting with the server URL
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  long timeout_ms = 30000;
  // Authenticates the TLS connection instead of the kubeconfig's client
  // certificate when set. Shared, not copied: it is the same for every
  // request until the plugin runs again.
  std::shared_ptr<const ClientCertificate> client_certificate;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // A response for any HTTP status. An error Status only when no response
  // came: Unavailable for connection problems (worth retrying),
  // InvalidArgument for TLS or configuration problems (not worth it).
  virtual StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

// libcurl with the TLS material of `config` (CA, client certificate and
// key, insecure flag, tls-server-name, proxy). Thread-safe; reuses
// connections, but never one made with another client certificate.
StatusOr<std::unique_ptr<HttpTransport>> NewCurlTransport(
    const RestConfig& config);

}  // namespace capigitops

#endif  // CAPIGITOPS_KUBE_HTTP_H_
