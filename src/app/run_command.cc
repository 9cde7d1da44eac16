// capi-gitops run --repo URL|PATH [--interval 1m] [--metrics-addr :8080]
//                 [--webhook-addr :9090] [--leader-elect] ...
// Wires the controller together: client, Git sources, Lease, HTTP endpoints
// and SIGTERM handling. The loop itself lives in controller.cc.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <iostream>
#include <random>

#include "app/build_info.h"
#include "app/builtin_policies.h"
#include "app/cluster_access.h"
#include "app/pass_setup.h"
#include "capigitops/controller.h"
#include "capigitops/duration.h"
#include "util/log.h"

namespace capigitops {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// "<pod or host>_<random>", as client-go identities are: unique even when a
// replica restarts with the same name.
std::string DefaultIdentity() {
  char host[256] = "capi-gitops";
  gethostname(host, sizeof host - 1);
  std::mt19937_64 rng(std::random_device{}());
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%016llx",
                static_cast<unsigned long long>(rng()));
  return EnvOr("POD_NAME", host) + "_" + std::string(suffix, 8);
}

bool ParseSeconds(const Args& args, const char* flag, const CommandIo& io,
                  int64_t* ms) {
  std::string text = args[flag].as<std::string>();
  std::optional<int64_t> s = ParseDuration(text);
  if (!s) {
    *io.err << "capi-gitops run: --" << flag << " \"" << text
            << "\" is not a duration like 30s, 1m or 2h\n";
    return false;
  }
  *ms = *s * 1000;
  return true;
}

// Waits for SIGTERM or SIGINT on a thread of its own (the signals are
// blocked everywhere else), then stops the controller.
class SignalWatcher {
 public:
  explicit SignalWatcher(Controller* c) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this, c] {
      timespec tick{0, 200 * 1000 * 1000};
      while (!done_) {
        siginfo_t info;
        if (sigtimedwait(&set_, &info, &tick) > 0) {
          signal_ = info.si_signo;
          c->Stop();
          return;
        }
      }
    });
  }
  ~SignalWatcher() {
    done_ = true;
    thread_.join();
  }
  int signal() const { return signal_; }

 private:
  sigset_t set_;
  std::atomic<bool> done_{false};
  std::atomic<int> signal_{0};
  std::thread thread_;
};

}  // namespace

void AddRunOptions(FlagSet* options) {
  AddSourceOptions(options);
  options->add_options("controller")(
      "interval", "time between passes (each wait varies by --jitter)",
      flags::value<std::string>()->default_value("1m"))(
      "jitter", "fraction by which each wait varies",
      flags::value<double>()->default_value("0.1"))(
      "metrics-addr", "serve /metrics, /healthz and /readyz here",
      flags::value<std::string>()->default_value(":8080"))(
      "webhook-addr", "serve push webhooks here (\"\" = off)",
      flags::value<std::string>()->default_value(""))(
      "webhook-secret-env", "environment variable holding the webhook secret",
      flags::value<std::string>()->default_value("WEBHOOK_SECRET"))(
      "leader-elect", "run passes only while holding the Lease")(
      "leader-elect-namespace",
      "namespace of the Lease (default: "
      "$POD_NAMESPACE, else capi-gitops-system)",
      flags::value<std::string>()->default_value(""))(
      "leader-elect-name", "name of the Lease",
      flags::value<std::string>()->default_value("capi-gitops"))(
      "leader-elect-identity",
      "this replica's identity (default: "
      "$POD_NAME or the host name, plus a random suffix)",
      flags::value<std::string>()->default_value(""))(
      "lease-duration", "how long a standby waits before taking over",
      flags::value<std::string>()->default_value("15s"))(
      "renew-deadline", "the leader stops when it cannot renew for this long",
      flags::value<std::string>()->default_value("10s"))(
      "retry-period", "time between Lease renewals and acquire attempts",
      flags::value<std::string>()->default_value("2s"));
  options->examples(
      "capi-gitops run --repo ./cluster-repo --interval 30s\n"
      "capi-gitops run --repo https://git.example.com/platform/clusters "
      "--leader-elect --log-format json\n"
      "capi-gitops run --repo ./cluster-repo --read-only --metrics-addr "
      "127.0.0.1:8080");
}

int RunController(const Args& args, const CommandIo& io) {
  if (!args.count("repo")) {
    *io.err << "capi-gitops run: --repo is required\n";
    return kExitUsage;
  }
  Logger& log = *io.log;  // --log-format, $LOG_FORMAT and -v: main.cc
  ReconcileOptions base;
  bool now_pinned = false;
  if (!ParseReconcileOptions(args, io, false, &base, &now_pinned)) {
    return kExitUsage;
  }
  ControllerOptions co;
  co.branch = base.branch;
  co.jitter = std::clamp(args["jitter"].as<double>(), 0.0, 0.9);
  co.webhook_secret =
      EnvOr(args["webhook-secret-env"].as<std::string>().c_str(), "");
  LeaseOptions lease;
  if (!ParseSeconds(args, "interval", io, &co.interval_ms) ||
      !ParseSeconds(args, "lease-duration", io, &lease.lease_duration_ms) ||
      !ParseSeconds(args, "renew-deadline", io, &lease.renew_deadline_ms) ||
      !ParseSeconds(args, "retry-period", io, &lease.retry_period_ms)) {
    return kExitUsage;
  }
  lease.ns = args["leader-elect-namespace"].as<std::string>();
  if (lease.ns.empty()) lease.ns = EnvOr("POD_NAMESPACE", "capi-gitops-system");
  // Each shard elects a leader of its own, on a Lease of its own.
  lease.name =
      ShardLeaseName(args["leader-elect-name"].as<std::string>(), base.shard);
  lease.identity = args["leader-elect-identity"].as<std::string>();
  if (lease.identity.empty()) lease.identity = DefaultIdentity();
  bool elect = args.count("leader-elect") > 0;
  if (elect && WritesNothing(args)) {
    // Holding a Lease is a write: a replica that writes nothing cannot lead.
    *io.err << "capi-gitops run: --read-only and --dry-run write nothing, "
               "so they cannot take the leader Lease; drop --leader-elect\n";
    return kExitUsage;
  }
  if (Status s = ValidateLeaseOptions(lease); elect && !s.ok()) {
    *io.err << "capi-gitops run: " << s.message() << "\n";
    return kExitUsage;
  }

  MetricsRegistry metrics;
  DeclareControllerMetrics(&metrics);
  DeclareBuildInfo(&metrics, GetBuildInfo().version, GetBuildInfo().commit);
  int code = kExitOk;
  ClientTuning tuning;
  tuning.on_response = [&metrics](const std::string& verb, long status) {
    metrics.Add("capigitops_api_requests_total",
                {{"verb", verb}, {"code", std::to_string(status)}});
  };
  std::unique_ptr<KubeClient> client = ConnectFromArgs(args, io, &code, tuning);
  if (!client) return code;
  // /healthz fails once a pass outlives every bound it has: the API's
  // --pass-timeout and Git's transfer timeout (10 minutes), with room.
  co.hung_pass_ms = client->pass_timeout_ms() > 0
                        ? 2 * client->pass_timeout_ms() + 600000
                        : 3600000;
  // Lease requests get their own client that gives up within a retry period:
  // a round that retried for seconds would outlive the renew deadline, and
  // the next round retries anyway (client-go bounds each round the same way).
  tuning.max_retries = 0;
  tuning.timeout_ms = lease.retry_period_ms;
  tuning.pass_deadline = false;
  std::unique_ptr<KubeClient> lease_client =
      elect ? ConnectFromArgs(args, io, &code, tuning) : nullptr;
  if (elect && !lease_client) return code;
  PassSources sources = OpenSources(args, base);
  std::unique_ptr<KubeApi> dry_run;
  std::unique_ptr<WorkloadConnector> workload =
      WorkloadConnectorFor(client.get());
  // Lifecycle notifications are a write of their own (and are recorded on
  // the Clusters): none with --read-only or --dry-run.
  std::unique_ptr<Notifier> notifier =
      WritesNothing(args) ? nullptr : NewCurlNotifier();
  base.notify_namespace = EnvOr("POD_NAMESPACE", "capi-gitops-system");
  PassDeps deps{sources.spec,
                sources.status,
                ClusterView(args, client.get(), &dry_run),
                &BuiltinPolicyFiles(),
                workload.get(),
                notifier.get()};
  auto pass = [&]() {
    client->ForgetDiscovery();  // see CRDs installed since the last pass
    client->StartPass();        // --pass-timeout counts from here
    ReconcileOptions ro = base;
    if (!now_pinned) ro.now = static_cast<int64_t>(std::time(nullptr));
    ro.sync.now = ro.now;
    return RunPass(deps, ro);
  };
  std::unique_ptr<LeaderElector> elector;
  if (elect) {
    elector = std::make_unique<LeaderElector>(lease_client.get(), lease);
  }
  Controller controller(co, pass, elector.get(), &metrics, &log);
  SignalWatcher signals(&controller);

  std::string webhook_addr = args["webhook-addr"].as<std::string>();
  if (Status s = controller.Serve(args["metrics-addr"].as<std::string>(),
                                  webhook_addr);
      !s.ok()) {
    log.Error(s.message());
    return kExitUsage;
  }
  if (!webhook_addr.empty() && co.webhook_secret.empty()) {
    log.Warn("no webhook secret in $" +
             args["webhook-secret-env"].as<std::string>() +
             ": every webhook delivery will be refused");
  }
  LogFields started = {{"repo", ScrubUrl(args["repo"].as<std::string>())},
                       {"branch", base.branch},
                       {"interval", args["interval"].as<std::string>()},
                       {"metrics", controller.metrics_address()}};
  if (!webhook_addr.empty()) {
    started.emplace_back("webhook", controller.webhook_address());
  }
  if (base.shard.sharded())
    started.emplace_back("shard", base.shard.ToString());
  if (elector) {
    started.emplace_back("lease", lease.ns + "/" + lease.name);
    started.emplace_back("identity", lease.identity);
  }
  log.Info("controller started", started);
  int exit_code = controller.Run();
  log.Info("controller stopped",
           {{"signal", signals.signal() ? strsignal(signals.signal()) : "none"},
            {"exit", exit_code}});
  return exit_code;
}

}  // namespace capigitops
