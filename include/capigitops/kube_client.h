// A small Kubernetes API client for what capi-gitops needs: discovery,
// get, list, server-side apply, delete. Retries transient failures with
// bounded exponential backoff (honouring Retry-After), limits its own request
// rate, and runs requests concurrently over reused connections.
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

#include "capigitops/kubeconfig.h"
#include "capigitops/status.h"

namespace capigitops {

class CredentialSource;
class HttpTransport;
struct HttpResponse;

struct ResourceInfo {
  std::string group;  // "" for core
  std::string version;
  std::string kind;
  std::string plural;
  bool namespaced = true;

  std::string ApiVersion() const {
    return group.empty() ? version : group + "/" + version;
  }
  // "clusters.cluster.x-k8s.io", as kubectl names resources in messages.
  std::string Name() const {
    return group.empty() ? plural : plural + "." + group;
  }
};

struct ClientOptions {
  int concurrency = 8;  // requests in flight at once
  double qps = 100;     // client-side rate limit ...
  int burst = 200;      // ... with this burst
  int max_retries = 6;  // for 429, 5xx and connection errors
  int max_backoff_ms = 8000;
  long timeout_ms = 30000;
  std::string user_agent = "capi-gitops";
  // Called after every HTTP exchange with its method and status (0 when the
  // server could not be reached); for the controller's metrics. May be
  // called from several threads at once.
  std::function<void(const std::string& method, long status)> on_response;
};

struct ApplyOptions {
  std::string field_manager = "capi-gitops";
  bool force = true;  // take ownership of our fields
  bool dry_run = false;
};

// Request counts by verb, for reports and benchmarks.
struct ClientStats {
  std::atomic<long> requests{0};
  std::atomic<long> retries{0};
};

class KubeClient {
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
  const ClientStats& stats() const { return stats_; }

  // Maps apiVersion + kind to the resource, from discovery of that group
  // version (fetched once per run and cached). NotFound when the server does
  // not serve the kind (for example, a provider's CRDs are not installed).
  StatusOr<ResourceInfo> Resolve(const std::string& api_version,
                                 const std::string& kind);

  // Drops the discovery cache, so the next Resolve asks the server again.
  // The controller calls it before each pass: CRDs installed after it
  // started (clusterctl init of another provider) must become visible.
  void ForgetDiscovery();

  StatusOr<nlohmann::json> Get(const ResourceInfo& r, const std::string& ns,
                               const std::string& name);
  // All objects (following `continue`), in one namespace or all ("").
  StatusOr<std::vector<nlohmann::json>> List(const ResourceInfo& r,
                                             const std::string& ns,
                                             const std::string& label_selector);
  // Server-side apply of `object` (apiVersion, kind, metadata.name and
  // namespace set). Returns the object as stored (or as it would be).
  StatusOr<nlohmann::json> Apply(const nlohmann::json& object,
                                 const ApplyOptions& options);
  // Deletes; OK when it was already gone.
  Status Delete(const ResourceInfo& r, const std::string& ns,
                const std::string& name, bool dry_run = false);
  // Create (POST) and replace (PUT, resourceVersion checked) for Leases.
  StatusOr<nlohmann::json> Create(const ResourceInfo& r,
                                  const nlohmann::json& obj);
  StatusOr<nlohmann::json> Replace(const ResourceInfo& r,
                                   const nlohmann::json& obj);

  // Runs fn(0..n-1) on up to options.concurrency threads; returns when all
  // are done.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

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
  void Throttle();

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
};

// Turns a non-2xx response into a Status that says what failed and what to
// do; `what` is like "patch clusters.cluster.x-k8s.io capi-clusters/a".
// Never includes request headers (credentials).
Status StatusFromResponse(long http_status, const std::string& body,
                          const std::string& what);

}  // namespace capigitops

#endif  // CAPIGITOPS_KUBE_CLIENT_H_
