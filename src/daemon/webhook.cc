#include "capigitops/webhook.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "capigitops/json.h"

namespace capigitops {
namespace {

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  // Length is not secret (a hex digest has a fixed one); contents are.
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Header(const WebhookRequest& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

// "sha256=<hex>": checks the HMAC of the body with the named algorithm.
bool CheckSignature(const std::string& header, const std::string& secret,
                    const std::string& body, std::string* reason) {
  size_t eq = header.find('=');
  if (eq == std::string::npos) {
    *reason = "signature header is not of the form <algorithm>=<hex>";
    return false;
  }
  std::string algorithm = header.substr(0, eq);
  std::string want = HmacHex(algorithm, secret, body);
  if (want.empty()) {
    *reason = "unsupported signature algorithm \"" + algorithm +
              "\" (use sha256 or sha512)";
    return false;
  }
  std::string got = header.substr(eq + 1);
  for (char& c : got) c = static_cast<char>(std::tolower(c));
  if (!ConstantTimeEquals(got, want)) {
    *reason = "signature does not match the body and the shared secret";
    return false;
  }
  return true;
}

// The branch a push names, from the JSON payload (GitHub and GitLab both use
// "ref"); "" when the body is not JSON or has none.
// Parsed within yaml::JsonLimits (after the signature check), so a sender
// with the secret still cannot nest `[[[[…` past what the walk can take.
std::string PayloadRef(const std::string& body) {
  StatusOr<nlohmann::json> parsed = yaml::ParseJson(body, "webhook payload");
  if (!parsed.ok() || !parsed->is_object()) return "";
  const nlohmann::json& j = *parsed;
  auto ref = j.find("ref");
  return ref != j.end() && ref->is_string() ? ref->get<std::string>() : "";
}

}  // namespace

std::string HmacHex(const std::string& algorithm, const std::string& key,
                    const std::string& data) {
  const EVP_MD* md = algorithm == "sha256"   ? EVP_sha256()
                     : algorithm == "sha512" ? EVP_sha512()
                                             : nullptr;
  if (md == nullptr) return "";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(md, key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           digest, &len) == nullptr) {
    return "";
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

WebhookVerdict VerifyWebhook(const WebhookRequest& request,
                             const std::string& secret) {
  WebhookVerdict v;
  std::string github = Header(request, "x-hub-signature-256");
  std::string gitlab = Header(request, "x-gitlab-token");
  std::string generic = Header(request, "x-signature");
  if (!github.empty()) {
    v.source = "github";
    v.event = Header(request, "x-github-event");
  } else if (!gitlab.empty()) {
    v.source = "gitlab";
    v.event = Header(request, "x-gitlab-event");
  } else if (!generic.empty()) {
    v.source = "generic";
  } else {
    v.source = "unknown";
    v.reason =
        "no X-Hub-Signature-256, X-Gitlab-Token or X-Signature header; "
        "configure the webhook with the shared secret";
    return v;
  }
  if (secret.empty()) {
    v.reason =
        "no webhook secret is configured (WEBHOOK_SECRET), so every "
        "delivery is refused";
    return v;
  }
  if (v.source == "github") {
    if (github.rfind("sha256=", 0) != 0) {
      v.reason = "X-Hub-Signature-256 does not start with sha256=";
      return v;
    }
    if (!CheckSignature(github, secret, request.body, &v.reason)) return v;
  } else if (v.source == "gitlab") {
    // Compared as digests so neither the length nor the contents leak.
    if (!ConstantTimeEquals(HmacHex("sha256", "x-gitlab-token", gitlab),
                            HmacHex("sha256", "x-gitlab-token", secret))) {
      v.reason = "X-Gitlab-Token does not match the shared secret";
      return v;
    }
  } else if (!CheckSignature(generic, secret, request.body, &v.reason)) {
    return v;
  }
  v.accepted = true;
  v.ref = PayloadRef(request.body);
  return v;
}

std::string DeliveryId(const WebhookRequest& request) {
  for (const char* h :
       {"x-github-delivery", "x-gitlab-event-uuid", "x-delivery"}) {
    std::string id = Header(request, h);
    if (!id.empty()) return id;
  }
  return "";
}

bool DeliveryLog::SeenBefore(const std::string& id) {
  if (id.empty()) return false;
  std::lock_guard<std::mutex> lock(mu_);
  if (ids_.count(id)) return true;
  ids_.insert(id);
  order_.push_back(id);
  while (order_.size() > capacity_) {
    ids_.erase(order_.front());
    order_.pop_front();
  }
  return false;
}

void DeliveryLog::set_capacity(size_t capacity) {
  std::lock_guard<std::mutex> lock(mu_);
  capacity_ = std::max<size_t>(1, capacity);
}

}  // namespace capigitops
