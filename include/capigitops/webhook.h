// Push webhooks that make the controller start a pass at once. A delivery is
// accepted only when it proves it knows the shared secret:
//   GitHub   X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>
//   GitLab   X-Gitlab-Token: <secret>
//   generic  X-Signature: sha256=<hex> or sha512=<hex> HMAC of the body
//            (the form of Flux's generic-hmac receiver)
// Comparisons are constant-time. Pure: no I/O.
#ifndef CAPIGITOPS_WEBHOOK_H_
#define CAPIGITOPS_WEBHOOK_H_

#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace capigitops {

struct WebhookRequest {
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

struct WebhookVerdict {
  bool accepted = false;
  std::string source;  // "github", "gitlab", "generic" or "unknown"
  std::string reason;  // why it was refused; never contains the secret
  std::string event;   // "push", "ping", ... when the sender says
  std::string ref;     // "refs/heads/main" when the payload says
};

WebhookVerdict VerifyWebhook(const WebhookRequest& request,
                             const std::string& secret);

// The sender's id of a delivery: X-GitHub-Delivery, X-Gitlab-Event-UUID or
// X-Delivery; "" when it sends none.
std::string DeliveryId(const WebhookRequest& request);

// The last `capacity` delivery ids, to refuse a replayed (signed) delivery.
// Bounded: the oldest id is forgotten first. Thread-safe.
class DeliveryLog {
 public:
  explicit DeliveryLog(size_t capacity = 4096) : capacity_(capacity) {}
  // True when `id` was recorded before; records it otherwise. "" is never
  // a repeat.
  bool SeenBefore(const std::string& id);
  void set_capacity(size_t capacity);

 private:
  std::mutex mu_;
  size_t capacity_;
  std::set<std::string> ids_;
  std::deque<std::string> order_;
};

// Lower-case hex of HMAC-SHA256 / HMAC-SHA512 (`algorithm` "sha256" or
// "sha512"); "" for another algorithm.
std::string HmacHex(const std::string& algorithm, const std::string& key,
                    const std::string& data);

}  // namespace capigitops

#endif  // CAPIGITOPS_WEBHOOK_H_
