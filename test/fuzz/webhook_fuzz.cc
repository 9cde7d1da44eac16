// libFuzzer target for webhook signature and payload handling (targets.h).
#include <string>
#include <string_view>

#include "capigitops/webhook.h"
#include "fuzz/targets.h"

namespace capigitops::fuzz {
namespace {

constexpr char kWebhookFuzzSecret[] = "fuzz-secret";

WebhookRequest ParseDelivery(std::string_view text) {
  WebhookRequest r;
  size_t nl = text.find('\n');
  std::string_view head = text.substr(0, nl);
  r.body = nl == std::string_view::npos ? "" : std::string(text.substr(nl + 1));
  while (!head.empty()) {
    size_t bar = head.find('|');
    std::string_view field = head.substr(0, bar);
    size_t colon = field.find(':');
    if (colon != std::string_view::npos) {
      std::string_view value = field.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      r.headers[std::string(field.substr(0, colon))] = std::string(value);
    }
    if (bar == std::string_view::npos) break;
    head.remove_prefix(bar + 1);
  }
  return r;
}

}  // namespace

int FuzzWebhook(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  WebhookRequest r = ParseDelivery(text);
  if (size > 0 && data[0] % 2 == 0) {
    // Signed correctly: what a sender with the secret can make us parse.
    std::string sig = "sha256=" + HmacHex("sha256", kWebhookFuzzSecret, r.body);
    r.headers[data[0] % 4 == 0 ? "x-hub-signature-256" : "x-signature"] = sig;
  }
  WebhookVerdict v = VerifyWebhook(r, kWebhookFuzzSecret);
  (void)VerifyWebhook(r, "");
  if (v.accepted && v.reason.find(kWebhookFuzzSecret) != std::string::npos) {
    __builtin_trap();  // a reason must never contain the secret
  }
  return 0;
}

}  // namespace capigitops::fuzz

#ifdef CAPIGITOPS_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return capigitops::fuzz::FuzzWebhook(data, size);
}
#endif
