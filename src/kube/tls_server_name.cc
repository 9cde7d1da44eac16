#include "kube/tls_server_name.h"

#include <cctype>

#include "capigitops/kubeconfig.h"

namespace capigitops {
namespace {

// Letters, digits, '-' and '.': a DNS name or an IPv4 address. Anything else
// would change the meaning of the URL or of the CONNECT_TO entry.
bool IsHostName(const std::string& name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' ||
      name.front() == '-') {
    return false;
  }
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '-' && c != '.') return false;
  }
  return true;
}

struct Authority {
  std::string host;  // IPv6 addresses keep their brackets
  std::string port;
};

// Splits "host", "host:port", "[v6]" or "[v6]:port"; nullopt if malformed.
std::optional<Authority> SplitAuthority(const std::string& authority) {
  Authority a;
  std::string rest;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    a.host = authority.substr(0, close + 1);
    rest = authority.substr(close + 1);
  } else {
    size_t colon = authority.find(':');
    a.host = authority.substr(0, colon);
    rest = colon == std::string::npos ? "" : authority.substr(colon);
  }
  if (rest.empty()) {
    a.port = "443";
  } else if (rest.front() == ':' && rest.size() > 1 &&
             rest.find_first_not_of("0123456789", 1) == std::string::npos) {
    a.port = rest.substr(1);
  } else {
    return std::nullopt;
  }
  if (a.host.empty() || a.host.find('@') != std::string::npos) {
    return std::nullopt;
  }
  return a;
}

}  // namespace

std::optional<std::string> ServerNameRoute::Rewrite(
    const std::string& url) const {
  if (url.compare(0, from_prefix.size(), from_prefix) != 0) return std::nullopt;
  // "https://host:1" must not match "https://host:12/...".
  if (url.size() > from_prefix.size() && url[from_prefix.size()] != '/' &&
      url[from_prefix.size()] != '?') {
    return std::nullopt;
  }
  return to_prefix + url.substr(from_prefix.size());
}

StatusOr<std::optional<ServerNameRoute>> RouteForServerName(
    const std::string& server, const std::string& tls_server_name) {
  const std::string scheme = "https://";
  if (tls_server_name.empty() || server.compare(0, scheme.size(), scheme) != 0)
    return std::optional<ServerNameRoute>();
  if (!IsHostName(tls_server_name)) {
    return Status::InvalidArgument("tls-server-name \"" + tls_server_name +
                                   "\" is not a host name");
  }
  size_t end = server.find_first_of("/?#", scheme.size());
  std::string authority = server.substr(
      scheme.size(), end == std::string::npos ? end : end - scheme.size());
  std::optional<Authority> a = SplitAuthority(authority);
  if (!a) {
    return Status::InvalidArgument("server " + RedactUrl(server) +
                                   " has no valid host and port");
  }
  ServerNameRoute route;
  route.from_prefix = scheme + authority;
  route.to_prefix = scheme + tls_server_name + ":" + a->port;
  route.connect_to =
      tls_server_name + ":" + a->port + ":" + a->host + ":" + a->port;
  return std::optional<ServerNameRoute>(std::move(route));
}

}  // namespace capigitops
