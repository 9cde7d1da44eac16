// known_hosts verification for ssh remotes, done by us because libgit2 1.5
// leaves host key checking to the application's certificate callback.
#ifndef CAPIGITOPS_GIT_KNOWN_HOSTS_H_
#define CAPIGITOPS_GIT_KNOWN_HOSTS_H_

#include <string>
#include <string_view>

#include "capigitops/status.h"

namespace capigitops::git {

// The name known_hosts uses for a host: "host" on port 22 (or 0), else
// "[host]:port".
std::string KnownHostName(const std::string& host, int port);

// "SHA256:<base64 without padding>" of a raw host key blob, as ssh prints it.
std::string HostKeyFingerprint(std::string_view key_blob);

// Checks the server's raw host key (SSH wire format: type string, then key
// data) against the known_hosts text. Supports comma-separated patterns,
// * and ? wildcards, !negation, hashed (|1|salt|hash) names and the
// @revoked marker; @cert-authority lines are ignored. OK only when a line for
// this host has exactly this key. Otherwise Unauthenticated, saying whether
// the host is unknown or its key changed and what to do about it.
Status CheckKnownHost(std::string_view known_hosts, const std::string& file,
                      const std::string& host, int port,
                      std::string_view key_blob);

}  // namespace capigitops::git

#endif  // CAPIGITOPS_GIT_KNOWN_HOSTS_H_
