// The seam through which `run` delivers lifecycle notifications: one JSON
// POST to a webhook URL. The libcurl adapter (NewCurlNotifier) lives in
// kube, next to the only other libcurl use; tests point it at a receiver
// on 127.0.0.1.
#ifndef CAPIGITOPS_NOTIFIER_H_
#define CAPIGITOPS_NOTIFIER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "capigitops/status.h"

namespace capigitops {

class Notifier {
 public:
  virtual ~Notifier() = default;
  // POSTs `json_body` to `url`. Ok only for a 2xx answer. The URL is a
  // credential (a Slack webhook's path is its secret): no error names it or
  // any part of it, nor repeats the receiver's answer.
  virtual Status Post(const std::string& url, const std::string& json_body) = 0;
};

struct NotifierOptions {
  int64_t timeout_ms = 10000;  // the whole request, connect included
  int64_t connect_timeout_ms = 5000;
};

// libcurl: no redirects (a redirect could carry the URL elsewhere), the
// system's CA store, proxies from the usual environment variables.
std::unique_ptr<Notifier> NewCurlNotifier(const NotifierOptions& options = {});

}  // namespace capigitops

#endif  // CAPIGITOPS_NOTIFIER_H_
