// Parsing remote URLs: which transport, which host and port (for known_hosts),
// which credentials are embedded (to use them, and to keep them out of
// messages).
#ifndef CAPIGITOPS_GIT_URL_H_
#define CAPIGITOPS_GIT_URL_H_

#include <string>

#include "capigitops/status.h"

namespace capigitops::git {

enum class Transport { kHttp, kHttps, kSsh, kLocal };

struct RemoteUrl {
  Transport transport = Transport::kLocal;
  std::string user;      // from the URL, may be empty
  std::string password;  // from the URL (https only), a secret
  std::string host;      // empty for local
  int port = 0;          // 0: the transport's default
  // What libgit2 is given: the password stripped, local paths absolute.
  std::string for_libgit2;
  // For messages: the URL with its secret replaced by "***".
  std::string display;
};

// Accepts scheme://[user[:password]@]host[:port]/path for http, https, ssh
// and file, scp-like user@host:path, and local paths.
StatusOr<RemoteUrl> ParseRemoteUrl(const std::string& url);

}  // namespace capigitops::git

#endif  // CAPIGITOPS_GIT_URL_H_
