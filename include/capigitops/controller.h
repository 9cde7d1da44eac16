// `capi-gitops run`: the long-running controller. A pass at start, then one
// every interval (with jitter) and at once when a signed push webhook
// arrives; with leader election only the Lease holder runs passes. Serves
// /metrics, /healthz and /readyz. Stop() (SIGTERM) lets a running pass finish,
// releases the Lease and returns. The pass itself is injected: the loop only
// sees its typed PassResult.
#ifndef CAPIGITOPS_CONTROLLER_H_
#define CAPIGITOPS_CONTROLLER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "capigitops/leader.h"
#include "capigitops/metrics.h"
#include "capigitops/reconcile.h"
#include "capigitops/status.h"
#include "capigitops/webhook.h"

namespace capigitops {

class HttpServer;
class Logger;
struct HttpExchange;
struct HttpReply;

struct ControllerOptions {
  int64_t interval_ms = 60000;
  double jitter = 0.1;          // each wait is interval x (1 +- jitter)
  std::string branch = "main";  // pushes to other branches are ignored
  std::string webhook_secret;   // "" refuses every webhook delivery
  // /healthz fails (and Kubernetes restarts the pod) while one pass has run
  // longer than this: a pass stuck past every timeout is a hung process.
  // 0 = never.
  int64_t hung_pass_ms = 0;
  // Webhook delivery ids (X-GitHub-Delivery, X-Gitlab-Event-UUID,
  // X-Delivery) remembered to refuse a replayed delivery.
  size_t delivery_ids = 4096;
  // What a pass depends on besides the clock (PassFingerprint). When set,
  // an interval pass whose fingerprint equals the one taken before the last
  // settled full pass is skipped, unless `resync_ms` have gone by since the
  // last full pass: drift that touches neither (an object edited by hand, a
  // workload cluster's nodes) is noticed on the resync. Unset: every pass
  // is a full one.
  std::function<StatusOr<std::string>()> fingerprint;
  int64_t resync_ms = 600000;
};

// True when nothing in `result` is still moving on its own or with the
// clock: the pass succeeded (or only held deletions or blocked specs),
// applied, pruned and tore down nothing, no cluster is being deleted or is
// short of Provisioned, none expires within the hour and none is watched for
// idleness. Only after such a pass may an unchanged fingerprint skip one.
bool PassSettled(const PassResult& result);

// Milliseconds on the monotonic clock: what waits and deadlines use.
int64_t SteadyNowMs();

// Registers every metric the controller exports (names in README.md),
// the process metrics and the per-cluster gauges among them.
void DeclareControllerMetrics(MetricsRegistry* metrics);

// The per-cluster gauges (cluster_gauges.cc): expiry, nodes, GPUs, usable.
void DeclareClusterGauges(MetricsRegistry* metrics);
// Replaces them with what `result` knew; nothing when it did not get as far
// as status.
void RecordClusterGauges(const PassResult& result, MetricsRegistry* metrics);

class Controller {
 public:
  using PassFn = std::function<PassResult()>;

  // `elector` is null without --leader-elect. None are owned.
  Controller(ControllerOptions options, PassFn pass, LeaderElector* elector,
             MetricsRegistry* metrics, Logger* log);
  ~Controller();

  // Starts serving the probes on `metrics_addr` and, unless "", push
  // webhooks on `webhook_addr` ("host:port", ":port"; port 0 picks one).
  // They stop when Run returns.
  Status Serve(const std::string& metrics_addr,
               const std::string& webhook_addr);
  // The addresses actually bound ("" when not serving).
  std::string metrics_address() const;
  std::string webhook_address() const;

  // Blocks until Stop(). 0 after a clean stop; 1 when leadership was lost
  // (as client-go's controllers do, the process exits and its restart joins
  // the election again).
  int Run();
  // Thread-safe; not async-signal-safe (call it from a signal-waiting thread).
  void Stop();
  void Trigger(const std::string& reason);

  // /metrics, /healthz, /readyz.
  HttpReply ServeProbe(const HttpExchange& request);
  // Push webhooks (any path, POST).
  HttpReply ServeWebhook(const HttpExchange& request);

 private:
  void ElectionLoop();
  bool WaitFor(int64_t ms);  // false when stopping
  // Runs one pass; returns when the next idle action falls due (seconds).
  std::optional<int64_t> RunPass(const std::string& reason);
  bool SkipPass(const std::string& reason, const std::string& fingerprint);
  void RecordPass(const PassResult& result, double seconds);
  int64_t Jittered(int64_t ms);
  void StopServing();

  ControllerOptions options_;
  PassFn pass_;
  LeaderElector* elector_;
  MetricsRegistry* metrics_;
  Logger* log_;
  std::unique_ptr<HttpServer> probes_;
  std::unique_ptr<HttpServer> hooks_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool triggered_ = false;
  std::string trigger_reason_;
  int exit_code_ = 0;
  std::thread election_;
  std::atomic<bool> running_{false};
  std::atomic<int64_t> heartbeat_ms_{0};
  std::atomic<int64_t> pass_started_ms_{0};  // 0 while no pass runs
  // Taken before the last full pass when it settled, else "" (never equal).
  std::string settled_fingerprint_;
  int64_t last_full_pass_ms_ = 0;
  DeliveryLog deliveries_;
};

}  // namespace capigitops

#endif  // CAPIGITOPS_CONTROLLER_H_
