// The controller's leader-election loop and its HTTP endpoints.
#include "capigitops/controller.h"
#include "capigitops/webhook.h"
#include "daemon/http_server.h"
#include "util/log.h"

namespace capigitops {
namespace {

HttpReply Reply(int status, std::string body) {
  HttpReply r;
  r.status = status;
  r.body = std::move(body) + "\n";
  return r;
}

}  // namespace

// client-go's acquire-and-renew loop: every retry period, renew or try to
// take over. A leader that cannot renew within the renew deadline, or finds
// someone else holding the Lease, stops leading and the process exits.
void Controller::ElectionLoop() {
  const LeaseOptions& o = elector_->options();
  bool leading = false;
  std::string last_error;
  std::string seen_sync;
  do {
    StatusOr<bool> round = elector_->TryAcquireOrRenew();
    if (!round.ok() && round.status().message() != last_error) {
      last_error = round.status().message();
      log_->Warn("leader election: " + last_error);
    } else if (round.ok()) {
      last_error.clear();
    }
    bool lost =
        leading && ((round.ok() && !*round) ||
                    (!round.ok() && SteadyNowMs() - elector_->last_renew_ms() >
                                        o.renew_deadline_ms));
    if (lost) {
      log_->Error(
          "lost the leader lease; stopping so that a restart rejoins the "
          "election",
          {{"holder", elector_->observed_holder()}});
      metrics_->Set("capigitops_leader", 0);
      {
        std::lock_guard<std::mutex> lock(mu_);
        exit_code_ = 1;
      }
      Stop();
      return;
    }
    if (!leading && round.ok() && *round) {
      leading = true;
      seen_sync = elector_->ObservedSyncRequest();
      metrics_->Set("capigitops_leader", 1);
      log_->Info("became the leader",
                 {{"lease", o.ns + "/" + o.name}, {"identity", o.identity}});
      Trigger("became the leader");
    } else if (leading && round.ok()) {
      // A standby that received a webhook stamps the Lease; we see it here.
      std::string sync = elector_->ObservedSyncRequest();
      if (sync != seen_sync) {
        seen_sync = sync;
        Trigger("webhook (received by a standby)");
      }
    } else if (!leading && round.ok()) {
      metrics_->Set("capigitops_leader", 0);
      log_->Debug("standby", {{"leader", elector_->observed_holder()}});
    }
  } while (WaitFor(leading ? o.retry_period_ms
                           : o.retry_period_ms * 6 / 5));  // client-go jitter
}

HttpReply Controller::ServeProbe(const HttpExchange& request) {
  if (request.path == "/metrics") {
    HttpReply r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_->Render();
    return r;
  }
  bool stopping;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping = stopping_;
  }
  std::string role = !elector_             ? "no leader election"
                     : elector_->leading() ? "leader"
                                           : "standby";
  if (request.path == "/healthz") {
    if (stopping) return Reply(503, "shutting down");
    if (elector_ && elector_->leading() &&
        SteadyNowMs() - elector_->last_renew_ms() >
            elector_->options().renew_deadline_ms) {
      return Reply(500, "leader lease renewal is overdue");
    }
    int64_t started = pass_started_ms_;
    if (options_.hung_pass_ms > 0 && started > 0 &&
        SteadyNowMs() - started > options_.hung_pass_ms) {
      return Reply(500, "a pass has run for " +
                            std::to_string((SteadyNowMs() - started) / 1000) +
                            "s, longer than " +
                            std::to_string(options_.hung_pass_ms / 1000) +
                            "s: it is hung");
    }
    return Reply(200, "ok");
  }
  if (request.path == "/readyz") {
    if (stopping || !running_) return Reply(503, "not ready");
    return Reply(200, "ok (" + role + ")");
  }
  return Reply(404, "not found: try /metrics, /healthz or /readyz");
}

HttpReply Controller::ServeWebhook(const HttpExchange& request) {
  if (request.method != "POST") return Reply(405, "webhooks are POSTed");
  WebhookVerdict v =
      VerifyWebhook({request.headers, request.body}, options_.webhook_secret);
  auto count = [&](const char* result) {
    metrics_->Add("capigitops_webhook_requests_total",
                  {{"source", v.source}, {"result", result}});
  };
  if (!v.accepted) {
    count("refused");
    log_->Warn("webhook refused", {{"source", v.source}, {"reason", v.reason}});
    return Reply(401, "refused: " + v.reason);
  }
  // After the signature check, so that unsigned noise cannot fill the log.
  if (deliveries_.SeenBefore(DeliveryId({request.headers, request.body}))) {
    count("replayed");
    log_->Warn("webhook refused: a replayed delivery", {{"source", v.source}});
    return Reply(409, "refused: this delivery id was already received");
  }
  if (v.event == "ping") {
    count("ping");
    return Reply(200, "pong");
  }
  if (!v.ref.empty() && v.ref != "refs/heads/" + options_.branch) {
    count("ignored");
    return Reply(202, "ignored: a push to " + v.ref + ", not to refs/heads/" +
                          options_.branch);
  }
  if (elector_ && !elector_->leading()) {
    // Only the leader reconciles: hand the request over through the Lease.
    Status s = elector_->RequestSync();
    if (!s.ok()) {
      count("error");
      log_->Warn("webhook: could not pass the request to the leader",
                 {{"error", s.message()}});
      return Reply(503,
                   "this replica is a standby and could not reach the "
                   "Lease to wake the leader; the next interval pass "
                   "will pick the change up");
    }
    count("accepted");
    log_->Info("webhook accepted; passed to the leader",
               {{"source", v.source}});
    return Reply(202, "accepted: the leader starts a pass");
  }
  count("accepted");
  log_->Info("webhook accepted", {{"source", v.source}});
  Trigger("webhook from " + v.source);
  return Reply(202, "accepted: a pass starts now");
}

}  // namespace capigitops
