#include "capigitops/controller.h"

#include <chrono>
#include <cmath>
#include <random>

#include "daemon/http_server.h"
#include "util/log.h"
#include "util/memory.h"

namespace capigitops {
namespace {

double WallSeconds() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int64_t SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void DeclareControllerMetrics(MetricsRegistry* m) {
  m->DeclareHistogram("capigitops_reconcile_duration_seconds",
                      "Duration of reconcile passes.",
                      {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300});
  m->DeclareCounter("capigitops_reconcile_passes_total",
                    "Reconcile passes by result (success, deletion_held, "
                    "invalid, source_error, api_error, apply_failed).");
  m->DeclareCounter("capigitops_reconcile_skipped_total",
                    "Interval passes skipped because neither the spec "
                    "revision nor the live inventories and Clusters changed "
                    "since the last settled pass (see --resync-interval).");
  m->DeclareGauge("capigitops_deletions_held",
                  "Clusters whose deletion was held in the last pass "
                  "(deletionProtection or the deletion budget).");
  m->DeclareCounter("capigitops_objects_applied_total",
                    "Objects created or changed by server-side apply.");
  m->DeclareCounter("capigitops_objects_pruned_total",
                    "Inventory objects deleted.");
  m->DeclareGauge("capigitops_clusters",
                  "Clusters by phase after the last pass.");
  m->DeclareGauge(
      "capigitops_clusters_expiring_soon",
      "Clusters whose TTL ends within the longest notification lead "
      "time (default 2h): the ExpiringSoon phase.");
  m->DeclareGauge("capigitops_cluster_idle_seconds",
                  "Seconds each cluster with spec.idle has been without GPU "
                  "work (0 while busy, unreadable or hibernated).");
  m->DeclareCounter("capigitops_idle_decisions_total",
                    "Idle decisions by action (hibernate, teardown, "
                    "set_idle_since, clear_idle_since).");
  m->DeclareCounter("capigitops_git_errors_total",
                    "Passes that could not read or write the Git repository.");
  m->DeclareCounter("capigitops_api_errors_total",
                    "Passes that failed talking to the management cluster.");
  m->DeclareCounter("capigitops_api_requests_total",
                    "Kubernetes API requests by verb and HTTP code (0: no "
                    "response).");
  m->DeclareGauge("capigitops_last_success_timestamp_seconds",
                  "Unix time at the end of the last successful pass.");
  m->DeclareCounter("capigitops_webhook_requests_total",
                    "Webhook deliveries by source and result.");
  m->DeclareGauge("capigitops_leader",
                  "1 while this replica holds the leader Lease.");
  DeclareClusterGauges(m);
  DeclareProcessMetrics(m);
}

Controller::Controller(ControllerOptions options, PassFn pass,
                       LeaderElector* elector, MetricsRegistry* metrics,
                       Logger* log)
    : options_(std::move(options)),
      pass_(std::move(pass)),
      elector_(elector),
      metrics_(metrics),
      log_(log) {
  deliveries_.set_capacity(options_.delivery_ids);
}

Controller::~Controller() {
  Stop();
  if (election_.joinable()) election_.join();
  StopServing();
}

Status Controller::Serve(const std::string& metrics_addr,
                         const std::string& webhook_addr) {
  StatusOr<std::unique_ptr<HttpServer>> probes = HttpServer::Start(
      metrics_addr, [this](const HttpExchange& r) { return ServeProbe(r); });
  if (!probes.ok()) return probes.status().WithContext("metrics endpoint");
  probes_ = std::move(probes).value();
  if (webhook_addr.empty()) return Status::Ok();
  HttpServerOptions hook_options;
  hook_options.max_body_bytes = 25 << 20;  // GitHub's largest payload
  hook_options.workers = 4;
  // A delivery that carries no signature at all is refused before its body
  // is read: an unauthenticated sender cannot make us hold 25 MB.
  hook_options.screen =
      [this](const HttpExchange& head) -> std::optional<HttpReply> {
    if (head.method != "POST") {
      return HttpReply{405, "text/plain", "webhooks are POSTed\n"};
    }
    for (const char* h :
         {"x-hub-signature-256", "x-gitlab-token", "x-signature"}) {
      if (head.headers.count(h)) return std::nullopt;
    }
    metrics_->Add("capigitops_webhook_requests_total",
                  {{"source", "unknown"}, {"result", "refused"}});
    return HttpReply{401, "text/plain",
                     "refused: no X-Hub-Signature-256, X-Gitlab-Token or "
                     "X-Signature header\n"};
  };
  StatusOr<std::unique_ptr<HttpServer>> hooks = HttpServer::Start(
      webhook_addr, [this](const HttpExchange& r) { return ServeWebhook(r); },
      std::move(hook_options));
  if (!hooks.ok()) return hooks.status().WithContext("webhook endpoint");
  hooks_ = std::move(hooks).value();
  return Status::Ok();
}

std::string Controller::metrics_address() const {
  return probes_ ? probes_->address() : "";
}

std::string Controller::webhook_address() const {
  return hooks_ ? hooks_->address() : "";
}

void Controller::StopServing() {
  if (hooks_) hooks_->Stop();
  if (probes_) probes_->Stop();
}

void Controller::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  cv_.notify_all();
}

void Controller::Trigger(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  triggered_ = true;
  trigger_reason_ = reason;
  cv_.notify_all();
}

bool Controller::WaitFor(int64_t ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping_; });
  return !stopping_;
}

int64_t Controller::Jittered(int64_t ms) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> d(-options_.jitter, options_.jitter);
  return std::max<int64_t>(1, static_cast<int64_t>(ms * (1 + d(rng))));
}

int Controller::Run() {
  running_ = true;
  heartbeat_ms_ = SteadyNowMs();
  if (elector_) election_ = std::thread([this] { ElectionLoop(); });
  int64_t next_due = SteadyNowMs();  // the first pass starts at once
  while (true) {
    std::string reason = "interval";
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock,
                   std::chrono::milliseconds(
                       std::max<int64_t>(0, next_due - SteadyNowMs())),
                   [&] { return stopping_ || triggered_; });
      if (stopping_) break;
      if (triggered_) {
        reason = trigger_reason_;
        triggered_ = false;
      } else if (SteadyNowMs() < next_due) {
        continue;  // woken early without cause
      }
    }
    heartbeat_ms_ = SteadyNowMs();
    if (elector_ && !elector_->leading()) {
      // A standby: the election loop triggers a pass when we take over.
      next_due = SteadyNowMs() + Jittered(options_.interval_ms);
      continue;
    }
    int64_t started = SteadyNowMs();
    std::optional<int64_t> idle_due = RunPass(reason);
    next_due = SteadyNowMs() + Jittered(options_.interval_ms);
    // An idle teardown or hibernation falls due before that: pass then (a
    // second later, so the pass's `now` is past it), so a cluster whose GPU
    // work is over is acted on within idle.after plus one interval.
    if (idle_due) {
      next_due = std::min(next_due, started + (*idle_due + 1) * 1000);
    }
  }
  if (election_.joinable()) election_.join();
  if (elector_ && elector_->leading()) {
    Status s = elector_->Release();
    if (s.ok()) {
      log_->Info("released the leader lease");
    } else {
      log_->Warn("could not release the leader lease",
                 {{"error", s.message()}});
    }
  }
  metrics_->Set("capigitops_leader", 0);
  running_ = false;
  StopServing();
  std::lock_guard<std::mutex> lock(mu_);
  return exit_code_;
}

bool PassSettled(const PassResult& result) {
  PassOutcome outcome = result.outcome();
  if (outcome != PassOutcome::kSuccess && outcome != PassOutcome::kInvalid &&
      outcome != PassOutcome::kDeletionHeld) {
    return false;
  }
  if (result.changed() || result.objects_applied > 0 ||
      result.objects_pruned > 0 || !result.idle_decisions.empty() ||
      !result.teardown_commits.empty() || !result.status_known ||
      result.expiring_soon > 0 || !result.idle_seconds.empty()) {
    return false;
  }
  for (const ClusterPassResult& c : result.clusters) {
    if (c.outcome == ClusterOutcome::kDeleting ||
        c.outcome == ClusterOutcome::kExpired) {
      return false;
    }
  }
  for (const auto& [name, phase] : result.phases) {
    if (phase != "Provisioned" && phase != "NotCreated") return false;
  }
  return true;
}

// An interval pass whose inputs are those of the last settled pass has
// nothing to do; any other trigger (a webhook, a new leader) runs in full.
bool Controller::SkipPass(const std::string& reason,
                          const std::string& fingerprint) {
  if (reason != "interval" || fingerprint.empty() ||
      fingerprint != settled_fingerprint_ ||
      SteadyNowMs() - last_full_pass_ms_ >= options_.resync_ms) {
    return false;
  }
  metrics_->Add("capigitops_reconcile_skipped_total");
  metrics_->Set("capigitops_last_success_timestamp_seconds", WallSeconds());
  log_->Debug("pass skipped: nothing changed since the last pass");
  return true;
}

std::optional<int64_t> Controller::RunPass(const std::string& reason) {
  std::string fingerprint;
  if (options_.fingerprint) {
    // An error here is the full pass's to report.
    StatusOr<std::string> f = options_.fingerprint();
    if (f.ok()) fingerprint = std::move(f).value();
  }
  // A settled pass watched no idle cluster: no idle wake to report.
  if (SkipPass(reason, fingerprint)) return std::nullopt;
  log_->Info("pass started", {{"trigger", reason}});
  last_full_pass_ms_ = SteadyNowMs();
  auto start = std::chrono::steady_clock::now();
  pass_started_ms_ = SteadyNowMs();
  PassResult result = pass_();
  pass_started_ms_ = 0;
  // The pass's state is gone; give its pages back to the OS, or each
  // worker thread's malloc arena stays as large as its busiest pass and a
  // long-running controller's RSS says little about what it holds.
  ReturnFreedMemory();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  RecordPass(result, seconds);
  settled_fingerprint_ = PassSettled(result) ? fingerprint : "";
  std::string revision = result.revision.substr(0, 12);
  for (const PassNote& note : result.notes) {
    LogFields fields;
    if (!note.cluster.empty()) fields.emplace_back("cluster", note.cluster);
    fields.emplace_back("revision", revision);
    log_->Log(note.error ? LogLevel::kError : LogLevel::kInfo, note.text,
              fields);
  }
  PassOutcome outcome = result.outcome();
  log_->Log(
      outcome == PassOutcome::kSuccess ? LogLevel::kInfo : LogLevel::kWarn,
      "pass finished",
      {{"result", PassOutcomeName(outcome)},
       {"revision", revision},
       {"applied", result.objects_applied},
       {"pruned", result.objects_pruned},
       {"seconds", std::round(seconds * 1000) / 1000}});
  return result.next_idle_action_in;
}

void Controller::RecordPass(const PassResult& result, double seconds) {
  PassOutcome outcome = result.outcome();
  metrics_->Observe("capigitops_reconcile_duration_seconds", {}, seconds);
  metrics_->Add("capigitops_reconcile_passes_total",
                {{"result", PassOutcomeName(outcome)}});
  metrics_->Add("capigitops_objects_applied_total", {},
                static_cast<double>(result.objects_applied));
  metrics_->Add("capigitops_objects_pruned_total", {},
                static_cast<double>(result.objects_pruned));
  if (outcome == PassOutcome::kSourceError) {
    metrics_->Add("capigitops_git_errors_total");
  }
  if (outcome == PassOutcome::kApiError ||
      outcome == PassOutcome::kApplyFailed) {
    metrics_->Add("capigitops_api_errors_total");
  }
  // Phases and expiry are only known when the pass got as far as status.
  if (result.status_known) {
    std::map<std::string, int> by_phase;
    for (const auto& [name, phase] : result.phases) by_phase[phase]++;
    metrics_->ClearGauge("capigitops_clusters");
    for (const auto& [phase, n] : by_phase) {
      metrics_->Set("capigitops_clusters", {{"phase", phase}}, n);
    }
    metrics_->Set("capigitops_clusters_expiring_soon", result.expiring_soon);
    metrics_->ClearGauge("capigitops_cluster_idle_seconds");
    for (const auto& [name, secs] : result.idle_seconds) {
      metrics_->Set("capigitops_cluster_idle_seconds", {{"cluster", name}},
                    static_cast<double>(secs));
    }
    RecordClusterGauges(result, metrics_);
  }
  for (const auto& [action, n] : result.idle_decisions) {
    metrics_->Add("capigitops_idle_decisions_total", {{"action", action}}, n);
  }
  if (!result.source.ok() || !result.live.ok()) return;
  int held = 0;
  for (const ClusterPassResult& c : result.clusters) {
    held += c.outcome == ClusterOutcome::kHeld ? 1 : 0;
  }
  metrics_->Set("capigitops_deletions_held", held);
  if (outcome == PassOutcome::kSuccess || outcome == PassOutcome::kInvalid ||
      outcome == PassOutcome::kDeletionHeld) {
    metrics_->Set("capigitops_last_success_timestamp_seconds", WallSeconds());
  }
}

}  // namespace capigitops
