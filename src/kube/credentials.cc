#include "kube/credentials.h"

#include <chrono>

#include "kube/exec_credential.h"
#include "util/base64.h"
#include "util/file.h"

namespace capigitops {
namespace {

// Tokens from files rotate; client-go re-reads them about every minute.
constexpr int64_t kTokenFileRefreshSeconds = 60;
// A plugin that failed is not run again for this long (client-go backs off
// the same way): a plan sends dozens of requests.
constexpr int64_t kPluginRetrySeconds = 30;

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool CredentialSource::Refreshable() const {
  return config_.token.empty() &&
         (config_.exec.has_value() || !config_.token_file.empty());
}

StatusOr<RequestCredentials> CredentialSource::Get(bool refresh) {
  if (!config_.token.empty()) {
    return RequestCredentials{"Bearer " + config_.token, nullptr};
  }
  if (config_.token_file.empty() && !config_.exec) {
    if (config_.username.empty()) return RequestCredentials{};
    return RequestCredentials{
        "Basic " + Base64Encode(config_.username + ":" + config_.password),
        nullptr};
  }
  std::lock_guard<std::mutex> lock(mu_);
  int64_t now = NowSeconds();
  // As client-go: a credential is used up to its expiry, then fetched anew.
  bool fresh = have_cached_ && (expires_ == 0 || now < expires_);
  if (fresh && !refresh) return cached_;
  if (!config_.token_file.empty()) return ReadTokenFile(now);
  return RunPlugin();
}

StatusOr<RequestCredentials> CredentialSource::ReadTokenFile(int64_t now) {
  StatusOr<std::string> content = ReadFile(config_.token_file);
  std::string token = content.ok() ? *content : "";
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r'))
    token.pop_back();
  if (token.empty()) {
    return Status::Unauthenticated("cannot read the token file " +
                                   config_.token_file);
  }
  cached_ = RequestCredentials{"Bearer " + token, nullptr};
  have_cached_ = true;
  expires_ = now + kTokenFileRefreshSeconds;
  return cached_;
}

StatusOr<RequestCredentials> CredentialSource::RunPlugin() {
  int64_t now = NowSeconds();
  if (!plugin_failure_.ok() && now - plugin_failed_at_ < kPluginRetrySeconds) {
    return plugin_failure_;
  }
  StatusOr<ExecCredential> ran = RunExecPlugin(*config_.exec, config_);
  if (!ran.ok()) {
    plugin_failure_ = ran.status();
    plugin_failed_at_ = now;
    return plugin_failure_;
  }
  plugin_failure_ = Status::Ok();
  ExecCredential cred = std::move(ran).value();
  RequestCredentials c;
  // A plugin may return both; client-go then sends the token over a
  // connection authenticated with the certificate, and so do we.
  if (!cred.token.empty()) c.authorization = "Bearer " + cred.token;
  if (!cred.client_cert_pem.empty()) {
    c.client_certificate =
        std::make_shared<const ClientCertificate>(ClientCertificate{
            std::move(cred.client_cert_pem), std::move(cred.client_key_pem)});
  }
  cached_ = std::move(c);
  have_cached_ = true;
  // 0: reuse until a 401. One already past is used for this request only,
  // as client-go does.
  expires_ = cred.expires_at;
  return cached_;
}

}  // namespace capigitops
