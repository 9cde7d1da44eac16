// libcurl adapter of the Notifier seam: one short POST per delivery, a new
// handle each (a few deliveries per pass at most).
#include "capigitops/notifier.h"

#include <curl/curl.h>

#include <mutex>

namespace capigitops {
namespace {

std::once_flag g_notifier_curl_init;

// Receivers answer with a few bytes ("ok"); nothing of it is kept.
size_t DiscardBody(char*, size_t size, size_t n, void*) { return size * n; }

class CurlNotifier : public Notifier {
 public:
  explicit CurlNotifier(NotifierOptions options) : options_(options) {}

  Status Post(const std::string& url, const std::string& json_body) override {
    CURL* h = curl_easy_init();
    if (h == nullptr) return Status::Internal("cannot start a curl handle");
    curl_slist* headers =
        curl_slist_append(nullptr, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(json_body.size()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(options_.timeout_ms));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout_ms));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, DiscardBody);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "capi-gitops (notifications)");
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    // curl_easy_strerror, never the error buffer: that one names the host.
    switch (rc) {
      case CURLE_OK:
        break;
      case CURLE_OPERATION_TIMEDOUT:
        return Status::DeadlineExceeded("the webhook did not answer in time");
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_URL_MALFORMAT:
        return Status::InvalidArgument(
            "the webhook URL in the Secret is not an http(s) URL");
      default:
        return Status::Unavailable(std::string("cannot reach the webhook: ") +
                                   curl_easy_strerror(rc));
    }
    if (code < 200 || code > 299) {
      std::string what = "the webhook answered HTTP " + std::to_string(code);
      return code == 429 || code >= 500 ? Status::Unavailable(what)
                                        : Status::FailedPrecondition(what);
    }
    return Status::Ok();
  }

 private:
  NotifierOptions options_;
};

}  // namespace

std::unique_ptr<Notifier> NewCurlNotifier(const NotifierOptions& options) {
  std::call_once(g_notifier_curl_init,
                 [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return std::make_unique<CurlNotifier>(options);
}

}  // namespace capigitops
