// Idle decisions: whether a workload cluster's GPU work is over, when the
// clock started, and what to do about it (hibernate, tear down). Pure: the
// observation, the live Cluster's annotations and `now` in; the decision
// and the annotations to keep out.
#include <string>

#include "capigitops/duration.h"
#include "capigitops/writeback.h"
#include "writeback/commit_text.h"

namespace capigitops {
namespace {

// Activity is re-stamped at most this often, so a busy cluster does not
// cost one annotation write per pass.
constexpr int64_t kLastActivityResolution = 5 * 60;

std::string IdleTime(int64_t unix_seconds) {
  std::string full = FormatRfc3339(unix_seconds);  // ...T10:00:00Z
  if (full.size() == 20 && full.compare(16, 4, ":00Z") == 0) {
    return full.substr(0, 16) + "Z";
  }
  return full;
}

// Busy (or unreadable, or not usable): the clock stops.
IdleDecision Stopped(const IdleInput& in, std::string state,
                     std::string reason) {
  IdleDecision d;
  d.state = std::move(state);
  d.reason = std::move(reason);
  d.last_activity = in.last_activity;
  d.step = in.idle_since ? IdleStep::kClearIdleSince : IdleStep::kNone;
  return d;
}

std::string Owner(const ClusterRequest& req) {
  return req.owner.empty() ? "" : ", owner " + req.owner;
}

// A hibernated cluster: the clock does not run; teardownAfter counts from
// when hibernation began.
IdleDecision DecideHibernated(const IdleInput& in) {
  const ClusterRequest& req = *in.request;
  IdleDecision d;
  d.state = "hibernated";
  d.last_activity = in.last_activity;
  d.hibernated_since = in.hibernated_since.value_or(in.now);
  d.step = in.idle_since ? IdleStep::kClearIdleSince : IdleStep::kNone;
  d.reason = "hibernated since " + IdleTime(*d.hibernated_since);
  const IdleSpec* idle = req.idle ? &*req.idle : nullptr;
  if (idle == nullptr || idle->action != IdleAction::kHibernate ||
      idle->teardown_after == 0) {
    return d;
  }
  d.next = IdleStep::kTeardown;
  d.acts_at = *d.hibernated_since + idle->teardown_after;
  const IdleObservation& obs = in.observation;
  // Work submitted to a hibernated cluster waits for a resume; it is not
  // torn down under it, and what cannot be read is never idle.
  if (!obs.readable) {
    d.reason += "; not torn down: the workload cluster cannot be read (" +
                obs.unreadable + ")";
    return d;
  }
  if (!obs.busy.empty()) {
    d.reason += "; not torn down: " + obs.busy.front();
    return d;
  }
  if (in.now < d.acts_at) return d;
  d.reason = "hibernated since " + IdleTime(*d.hibernated_since) +
             " (teardownAfter " + idle->teardown_after_text + Owner(req) + ")";
  if (req.deletion_protection) {
    d.kept = true;
    d.reason += " but kept: deletionProtection is true";
    return d;
  }
  d.step = IdleStep::kTeardown;
  return d;
}

}  // namespace

const std::vector<std::string>& BuiltinIdleIgnoredNamespaces() {
  static const std::vector<std::string> kNames = {"kube-system", "kube-public",
                                                  "kube-node-lease"};
  return kNames;
}

const char* IdleStepName(IdleStep s) {
  switch (s) {
    case IdleStep::kNone:
      return "none";
    case IdleStep::kSetIdleSince:
      return "set_idle_since";
    case IdleStep::kClearIdleSince:
      return "clear_idle_since";
    case IdleStep::kHibernate:
      return "hibernate";
    case IdleStep::kTeardown:
      return "teardown";
  }
  return "none";
}

IdleDecision DecideIdle(const IdleInput& in) {
  const ClusterRequest& req = *in.request;
  const IdleObservation& obs = in.observation;
  if (req.hibernate) return DecideHibernated(in);
  if (!req.idle) return Stopped(in, "off", "no idle policy (spec.idle)");
  if (!obs.readable) {
    return Stopped(in, "unreadable",
                   "counted as busy: the workload cluster cannot be read (" +
                       obs.unreadable + ")");
  }
  if (!obs.busy.empty()) {
    IdleDecision d = Stopped(in, "busy", obs.busy.front());
    if (obs.busy.size() > 1) {
      d.reason += " (and " + std::to_string(obs.busy.size() - 1) + " more)";
    }
    if (!in.last_activity ||
        in.now - *in.last_activity >= kLastActivityResolution) {
      d.last_activity = in.now;
    }
    return d;
  }
  if (!in.usable) {
    return Stopped(
        in, "not-usable",
        "the clock starts once the cluster is usable" +
            (in.not_usable.empty() ? "" : " (" + in.not_usable + ")"));
  }
  const IdleSpec& idle = *req.idle;
  IdleDecision d;
  d.state = "idle";
  d.last_activity = in.last_activity;
  // Never later than now: a clock from the future would lengthen nothing
  // but is surely wrong, so it restarts.
  d.idle_since =
      in.idle_since && *in.idle_since <= in.now ? *in.idle_since : in.now;
  d.next = idle.action == IdleAction::kHibernate ? IdleStep::kHibernate
                                                 : IdleStep::kTeardown;
  d.acts_at = *d.idle_since + idle.after;
  d.reason = "no GPU pods or active Jobs since " + IdleTime(*d.idle_since) +
             " (idle " + idle.after_text + Owner(req) + ")";
  if (in.now < d.acts_at) {
    d.step = d.idle_since == in.idle_since ? IdleStep::kNone
                                           : IdleStep::kSetIdleSince;
    return d;
  }
  if (d.next == IdleStep::kTeardown && req.deletion_protection) {
    d.kept = true;
    d.reason += " but kept: deletionProtection is true";
    d.step = d.idle_since == in.idle_since ? IdleStep::kNone
                                           : IdleStep::kSetIdleSince;
    return d;
  }
  d.step = d.next;
  return d;
}

int64_t IdleSeconds(const IdleDecision& d, int64_t now) {
  if (!d.idle_since || *d.idle_since > now) return 0;
  return now - *d.idle_since;
}

nlohmann::json IdleStatusBlock(const IdleDecision& d) {
  nlohmann::json b = nlohmann::json::object();
  b["state"] = d.state;
  if (d.idle_since) b["idleSince"] = FormatRfc3339(*d.idle_since);
  // While busy it would move with every pass; idle, it is a fact.
  if (d.state != "busy" && d.last_activity) {
    b["lastActivity"] = FormatRfc3339(*d.last_activity);
  }
  if (d.hibernated_since) {
    b["hibernatedSince"] = FormatRfc3339(*d.hibernated_since);
  }
  if (d.acts_at > 0 && d.state != "busy" && d.state != "unreadable") {
    b["next"] =
        std::string(IdleStepName(d.next)) + " at " + FormatRfc3339(d.acts_at);
  }
  if (d.state == "unreadable" || d.state == "not-usable" || d.kept) {
    b["reason"] = d.reason;
  }
  return b;
}

std::string IdleTeardownCommitMessage(const ClusterRequest& req,
                                      const IdleDecision& d) {
  std::string file =
      req.file.empty() ? "clusters/" + req.name + ".yaml" : req.file;
  return "idle: tear down " + req.name + ": " + d.reason + "\n\n" +
         EscapeForCommit(file) +
         " removed by capi-gitops: the cluster was idle (spec.idle). It is "
         "deleted next (the Cluster first, its other objects after CAPI "
         "removed it).\n";
}

std::string HibernateCommitMessage(const ClusterRequest& req,
                                   const IdleDecision& d) {
  std::string file =
      req.file.empty() ? "clusters/" + req.name + ".yaml" : req.file;
  return "idle: hibernate " + req.name + ": " + d.reason + "\n\n" +
         "spec.hibernate set to true in " + EscapeForCommit(file) +
         " by capi-gitops: its GPU pools are scaled to zero next (the control "
         "plane and CPU pools stay). Set it to false, or remove it, to "
         "resume.\n";
}

}  // namespace capigitops
