// libgit2 remote callbacks: credentials (token / ssh key), ssh host key
// verification against known_hosts, push rejections. Also the mapping of
// libgit2 failures to Status codes, with secrets scrubbed from messages.
#ifndef CAPIGITOPS_GIT_CREDENTIALS_H_
#define CAPIGITOPS_GIT_CREDENTIALS_H_

#include <git2.h>

#include <string>
#include <vector>

#include "capigitops/git.h"
#include "capigitops/status.h"
#include "git/url.h"

namespace capigitops::git {

// Per-operation state shared with the callbacks. Outlives the remote call.
struct CallbackState {
  const RemoteUrl* url = nullptr;
  const GitAuth* auth = nullptr;
  std::string secret;  // https token or password; never printed
  int credential_calls = 0;
  bool auth_failed = false;
  Status host_key_error;  // set when the ssh host key was refused
  Status setup_error;     // e.g. unreadable token file or known_hosts
  std::vector<std::string> push_rejections;  // "refs/heads/x: reason"
};

// Loads the https secret (token_file, token_env, or the URL's password).
Status LoadSecret(const RemoteUrl& url, const GitAuth& auth,
                  std::string* secret);

// Points the callbacks at `state`.
void InstallCallbacks(git_remote_callbacks* callbacks, CallbackState* state);

// Turns a failed libgit2 call into a Status: Unauthenticated for refused
// credentials or host keys, `fallback` otherwise (Unavailable for transport
// failures). The message never contains the secret or the raw URL.
Status MapGitError(int rc, const CallbackState& state, StatusCode fallback);

// Replaces every occurrence of `secret` (when non-empty) with "***".
std::string Redact(std::string text, const std::string& secret);

}  // namespace capigitops::git

#endif  // CAPIGITOPS_GIT_CREDENTIALS_H_
