// kubeconfig's tls-server-name with libcurl, which has no option to send
// another SNI name or verify the certificate against one. Requests go to a
// URL whose host is the tls-server-name, so curl sends it as SNI and checks
// the certificate against it, while CURLOPT_CONNECT_TO makes the TCP
// connection go to the server URL's host and port. The Host header then
// carries the tls-server-name, which kube-apiserver accepts.
#ifndef CAPIGITOPS_KUBE_TLS_SERVER_NAME_H_
#define CAPIGITOPS_KUBE_TLS_SERVER_NAME_H_

#include <optional>
#include <string>

#include "capigitops/status.h"

namespace capigitops {

struct ServerNameRoute {
  std::string from_prefix;  // "https://10.0.0.1:6443", as in the server URL
  std::string to_prefix;    // "https://kubernetes.default:6443"
  std::string connect_to;   // "kubernetes.default:6443:10.0.0.1:6443"

  // `url` with from_prefix replaced by to_prefix; nullopt when it does not
  // start with from_prefix (it is not a request to this server).
  std::optional<std::string> Rewrite(const std::string& url) const;
};

// The route for `tls_server_name`; nullopt when it is empty or the server
// is plain HTTP (no TLS to apply it to). InvalidArgument when the name is
// not a host name or the server URL cannot be parsed.
StatusOr<std::optional<ServerNameRoute>> RouteForServerName(
    const std::string& server, const std::string& tls_server_name);

}  // namespace capigitops

#endif  // CAPIGITOPS_KUBE_TLS_SERVER_NAME_H_
