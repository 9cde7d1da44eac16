// The real KubeApi: a small Kubernetes API client over libcurl. Retries
// transient failures with bounded exponential backoff (honouring Retry-After),
// limits its own request rate, and runs requests concurrently over reused
// connections.
#ifndef CAPIGITOPS_KUBE_CLIENT_H_
#define CAPIGITOPS_KUBE_CLIENT_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "capigitops/kube_api.h"
#include "capigitops/kubeconfig.h"
#include "capigitops/status.h"

namespace capigitops {

class CredentialSource;
class HttpTransport;
struct HttpResponse;

struct ClientOptions {
  int concurrency = 8;  // requests in flight at once
  double qps = 100;     // client-side rate limit ...
  int burst = 200;      // ... with this burst
  int max_retries = 6;  // for 429, 5xx and connection errors
  int max_backoff_ms = 8000;
  long timeout_ms = 30000;  // one request (--request-timeout)
  // Retries of a request that timed out: a frozen server would otherwise
  // hold every request for (max_retries + 1) x timeout_ms.
  int max_timeout_retries = 1;
  // The pass deadline (--pass-timeout): once it passes, no request is sent
  // and every call fails with DeadlineExceeded. It starts when the client
  // is made and again at each StartPass(); 0 = none.
  long pass_timeout_ms = 0;
  std::string user_agent = "capi-gitops";
  // Called after every HTTP exchange with its method and status (0 when the
  // server could not be reached); for the controller's metrics. May be
  // called from several threads at once.
  std::function<void(const std::string& method, long status)> on_response;
};

// Request counts by verb, for reports and benchmarks.
struct ClientStats {
  std::atomic<long> requests{0};
  std::atomic<long> retries{0};
};

class KubeClient : public KubeApi {
 public:
  KubeClient(RestConfig config, std::unique_ptr<HttpTransport> transport,
             ClientOptions options);
  ~KubeClient();
  KubeClient(const KubeClient&) = delete;
  KubeClient& operator=(const KubeClient&) = delete;

  // Builds a client over libcurl.
  static StatusOr<std::unique_ptr<KubeClient>> Create(
      const RestConfig& config, const ClientOptions& options);

  const RestConfig& config() const { return config_; }
  // Restarts the pass deadline (options.pass_timeout_ms) from now: the
  // controller calls it before each pass.
  void StartPass();
  long pass_timeout_ms() const { return options_.pass_timeout_ms; }
  const ClientStats& stats() const { return stats_; }

  // KubeApi. Discovery is fetched once per group version and cached until
  // ForgetDiscovery.
  StatusOr<ResourceInfo> Resolve(const std::string& api_version,
                                 const std::string& kind) override;
  void ForgetDiscovery() override;
  StatusOr<nlohmann::json> Get(const ResourceInfo& r, const std::string& ns,
                               const std::string& name) override;
  // Follows `continue` across pages.
  StatusOr<std::vector<nlohmann::json>> List(
      const ResourceInfo& r, const std::string& ns,
      const std::string& label_selector) override;
  // A page at a time: each page is parsed, handed over and freed.
  Status ListEach(const ResourceInfo& r, const std::string& ns,
                  const std::string& label_selector,
                  const std::function<void(nlohmann::json&)>& each) override;
  // The same pages, each item handed over as the parser's events.
  Status ListEachEvents(const ResourceInfo& r, const std::string& ns,
                        const std::string& label_selector,
                        yaml::JsonItemSax& items) override;
  StatusOr<nlohmann::json> Apply(const nlohmann::json& object,
                                 const ApplyOptions& options) override;
  Status Delete(const ResourceInfo& r, const std::string& ns,
                const std::string& name, const WriteOptions& options) override;
  StatusOr<nlohmann::json> Create(const ResourceInfo& r,
                                  const nlohmann::json& obj,
                                  const WriteOptions& options) override;
  StatusOr<nlohmann::json> Replace(const ResourceInfo& r,
                                   const nlohmann::json& obj,
                                   const WriteOptions& options) override;
  // options.concurrency.
  int Concurrency() const override;

  // Path of a resource collection or object.
  static std::string Path(const ResourceInfo& r, const std::string& ns,
                          const std::string& name = "");

 private:
  StatusOr<HttpResponse> Do(const std::string& method, const std::string& path,
                            const std::string& body,
                            const std::string& content_type);
  StatusOr<HttpResponse> SendOnce(const std::string& method,
                                  const std::string& path,
                                  const std::string& body,
                                  const std::string& content_type);
  // ListEach's pages: GET each, `parse` its body (the document without its
  // items), follow `continue`.
  using PageParser = std::function<StatusOr<nlohmann::json>(
      const std::string& body, const std::string& what)>;
  Status ListPages(const ResourceInfo& r, const std::string& ns,
                   const std::string& label_selector, const PageParser& parse);
  void Throttle();
  // Milliseconds left until the pass deadline; LONG_MAX without one.
  long RemainingMs() const;

  RestConfig config_;
  std::unique_ptr<HttpTransport> transport_;
  std::unique_ptr<CredentialSource> credentials_;
  ClientOptions options_;
  ClientStats stats_;

  std::mutex mu_;  // guards everything below
  std::map<std::string, std::vector<ResourceInfo>>
      discovery_;      // by group version
  double tokens_ = 0;  // rate limiter bucket
  int64_t last_refill_us_ = 0;
  std::atomic<int64_t> deadline_us_{0};  // steady clock; 0 = none
};

// Turns a non-2xx response into a Status that says what failed and what to
// do; `what` is like "patch clusters.cluster.x-k8s.io capi-clusters/a".
// Never includes request headers (credentials).
Status StatusFromResponse(long http_status, const std::string& body,
                          const std::string& what);

}  // namespace capigitops

#endif  // CAPIGITOPS_KUBE_CLIENT_H_
