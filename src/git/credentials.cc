#include "git/credentials.h"

#include <cstdlib>
#include <filesystem>

#include "git/handles.h"
#include "git/known_hosts.h"
#include "util/file.h"

namespace capigitops::git {
namespace {

// Credentials are small; the cap only keeps a wrong path (a device, an
// image) from being read whole.
constexpr size_t kMaxCredentialBytes = 1 << 20;

StatusOr<std::string> ReadWholeFile(const std::string& path,
                                    const std::string& what) {
  StatusOr<std::string> text = ReadFile(path, kMaxCredentialBytes);
  if (!text.ok()) {
    return Status::InvalidArgument("cannot read " + what + " " + path);
  }
  return text;
}

std::string TrimRight(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.pop_back();
  }
  return s;
}

// Fails the callback with `status` remembered in `slot` for MapGitError.
int Fail(Status* slot, Status status, int rc) {
  *slot = std::move(status);
  git_error_set_str(GIT_ERROR_CALLBACK, slot->message().c_str());
  return rc;
}

std::string Username(const CallbackState& st, const char* from_url) {
  if (from_url != nullptr && from_url[0] != '\0') return from_url;
  if (!st.auth->username.empty()) return st.auth->username;
  return "git";
}

int SshKeyCredential(git_credential** out, CallbackState* st,
                     const std::string& user) {
  const std::string& key = st->auth->ssh_key_file;
  if (key.empty()) {
    return Fail(&st->setup_error,
                Status::Unauthenticated(
                    "the ssh server asks for a key but no ssh_key_file is set"),
                GIT_EAUTH);
  }
  std::string pub = key + ".pub";
  std::error_code ec;
  bool has_pub = std::filesystem::exists(pub, ec);
  return git_credential_ssh_key_new(
      out, user.c_str(), has_pub ? pub.c_str() : nullptr, key.c_str(), nullptr);
}

// Whether `url` (where libgit2 is now, after any redirect) is the
// configured remote's host and port: credentials go nowhere else.
bool SameHost(const CallbackState& st, const char* url) {
  if (url == nullptr || st.url == nullptr) return true;
  StatusOr<RemoteUrl> now = ParseRemoteUrl(url);
  if (!now.ok()) return false;
  auto port = [](const RemoteUrl& u) {
    if (u.port != 0) return u.port;
    return u.transport == Transport::kHttps  ? 443
           : u.transport == Transport::kHttp ? 80
                                             : 22;
  };
  return now->host == st.url->host && port(*now) == port(*st.url);
}

int AcquireCredential(git_credential** out, const char* url,
                      const char* username_from_url, unsigned int allowed,
                      void* payload) {
  auto* st = static_cast<CallbackState*>(payload);
  if (!SameHost(*st, url)) {
    // A redirect to another host asks for our token: refuse.
    st->auth_failed = true;
    StatusOr<RemoteUrl> now = ParseRemoteUrl(url);
    git_error_set_str(
        GIT_ERROR_NET,
        ("the remote redirected to " + (now.ok() ? now->host : "another host") +
         ", which asks for credentials; they are only sent to " + st->url->host)
            .c_str());
    return GIT_EAUTH;
  }
  std::string user = Username(*st, username_from_url);
  if ((allowed & GIT_CREDENTIAL_USERNAME) != 0) {
    return git_credential_username_new(out, user.c_str());
  }
  // libgit2 asks again after the server refused what we gave: stop there
  // instead of looping, and remember why.
  if (++st->credential_calls > 1) {
    st->auth_failed = true;
    git_error_set_str(GIT_ERROR_NET, "the server rejected the credentials");
    return GIT_EAUTH;
  }
  if ((allowed & GIT_CREDENTIAL_SSH_KEY) != 0) {
    return SshKeyCredential(out, st, user);
  }
  if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) != 0) {
    if (st->secret.empty()) {
      st->auth_failed = true;
      git_error_set_str(GIT_ERROR_NET,
                        "the server requires authentication but no token is "
                        "configured (token_file or token_env)");
      return GIT_EAUTH;
    }
    return git_credential_userpass_plaintext_new(out, user.c_str(),
                                                 st->secret.c_str());
  }
  st->auth_failed = true;
  git_error_set_str(GIT_ERROR_NET,
                    "the server asks for an unsupported authentication method");
  return GIT_EAUTH;
}

int CheckCertificate(git_cert* cert, int valid, const char* host,
                     void* payload) {
  auto* st = static_cast<CallbackState*>(payload);
  if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) {
    // TLS: keep libgit2's verdict (system CA store).
    return valid ? 0 : GIT_PASSTHROUGH;
  }
  const auto* hostkey = reinterpret_cast<const git_cert_hostkey*>(cert);
  std::string name = host != nullptr ? host : st->url->host;
  if ((hostkey->type & GIT_CERT_SSH_RAW) == 0) {
    return Fail(&st->host_key_error,
                Status::Unauthenticated("ssh server " + name +
                                        " did not provide a raw host key"),
                GIT_ECERTIFICATE);
  }
  const std::string& file = st->auth->known_hosts_file;
  if (file.empty()) {
    return Fail(&st->host_key_error,
                Status::Unauthenticated(
                    "refusing ssh to " + name +
                    ": no known_hosts file is configured to verify its host "
                    "key"),
                GIT_ECERTIFICATE);
  }
  StatusOr<std::string> text = ReadWholeFile(file, "known_hosts file");
  if (!text.ok()) {
    return Fail(&st->host_key_error,
                Status::Unauthenticated(text.status().message()),
                GIT_ECERTIFICATE);
  }
  Status s =
      CheckKnownHost(*text, file, name, st->url->port,
                     std::string_view(hostkey->hostkey, hostkey->hostkey_len));
  if (!s.ok()) return Fail(&st->host_key_error, s, GIT_ECERTIFICATE);
  return 0;
}

int PushUpdateReference(const char* refname, const char* status,
                        void* payload) {
  auto* st = static_cast<CallbackState*>(payload);
  if (status != nullptr) {
    st->push_rejections.push_back(std::string(refname) + ": " + status);
  }
  return 0;
}

}  // namespace

Status LoadSecret(const RemoteUrl& url, const GitAuth& auth,
                  std::string* secret) {
  if (!auth.token_file.empty()) {
    ASSIGN_OR_RETURN(std::string text,
                     ReadWholeFile(auth.token_file, "token file"));
    *secret = TrimRight(std::move(text));
    if (secret->empty()) {
      return Status::InvalidArgument("token file " + auth.token_file +
                                     " is empty");
    }
    return Status::Ok();
  }
  if (!auth.token_env.empty()) {
    const char* value = std::getenv(auth.token_env.c_str());
    if (value == nullptr || value[0] == '\0') {
      return Status::InvalidArgument("environment variable " + auth.token_env +
                                     " (the Git token) is not set");
    }
    *secret = TrimRight(value);
    return Status::Ok();
  }
  *secret = url.password;
  return Status::Ok();
}

void InstallCallbacks(git_remote_callbacks* callbacks, CallbackState* state) {
  callbacks->credentials = AcquireCredential;
  callbacks->certificate_check = CheckCertificate;
  callbacks->push_update_reference = PushUpdateReference;
  callbacks->payload = state;
}

std::string Redact(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  size_t pos = 0;
  while ((pos = text.find(secret, pos)) != std::string::npos) {
    text.replace(pos, secret.size(), "***");
    pos += 3;
  }
  return text;
}

Status MapGitError(int rc, const CallbackState& state, StatusCode fallback) {
  if (!state.host_key_error.ok()) return state.host_key_error;
  if (!state.setup_error.ok()) return state.setup_error;
  std::string message = LastErrorMessage(rc);
  // libgit2 may quote the URL it was given; show the scrubbed one instead.
  if (state.url != nullptr) {
    size_t pos = message.find(state.url->for_libgit2);
    if (pos != std::string::npos && !state.url->for_libgit2.empty()) {
      message.replace(pos, state.url->for_libgit2.size(), state.url->display);
    }
    message = Redact(message, state.url->password);
    if (state.url->password.empty() && state.url->user.size() >= 8 &&
        (state.url->transport == Transport::kHttps ||
         state.url->transport == Transport::kHttp)) {
      message = Redact(message, state.url->user);  // https://TOKEN@host
    }
  }
  message = Redact(message, state.secret);
  if (state.auth_failed || rc == GIT_EAUTH) {
    return Status::Unauthenticated("authentication failed: " + message);
  }
  if (rc == GIT_ECERTIFICATE) {
    return Status::Unauthenticated("server certificate rejected: " + message);
  }
  return Status(fallback, message);
}

}  // namespace capigitops::git
