// Typed outcomes: the executor's result decoded once, and how a pass ended.
#include <algorithm>

#include "capigitops/reconcile.h"

namespace capigitops {

const char* ClusterOutcomeName(ClusterOutcome o) {
  switch (o) {
    case ClusterOutcome::kUnchanged:
      return "unchanged";
    case ClusterOutcome::kCreated:
      return "created";
    case ClusterOutcome::kUpdated:
      return "updated";
    case ClusterOutcome::kDeleted:
      return "deleted";
    case ClusterOutcome::kDeleting:
      return "deleting";
    case ClusterOutcome::kHeld:
      return "held";
    case ClusterOutcome::kBlocked:
      return "blocked";
    case ClusterOutcome::kExpired:
      return "expired";
    case ClusterOutcome::kFailed:
      return "failed";
  }
  return "unknown";
}

const char* PassOutcomeName(PassOutcome o) {
  switch (o) {
    case PassOutcome::kSuccess:
      return "success";
    case PassOutcome::kDeletionHeld:
      return "deletion_held";
    case PassOutcome::kInvalid:
      return "invalid";
    case PassOutcome::kSourceError:
      return "source_error";
    case PassOutcome::kApiError:
      return "api_error";
    case PassOutcome::kApplyFailed:
      return "apply_failed";
  }
  return "unknown";
}

ClusterPassResult DecodeApply(const ClusterPlan& plan,
                              const ClusterApplyResult& result,
                              const std::string& budget_message) {
  ClusterPassResult r;
  r.name = plan.name;
  r.counts = result.counts;
  r.reason = plan.reason;
  r.executed = plan.action != ClusterAction::kBlocked &&
               plan.action != ClusterAction::kUnchanged;
  switch (plan.action) {
    case ClusterAction::kBlocked:
      r.outcome = ClusterOutcome::kBlocked;
      break;
    case ClusterAction::kUnchanged:
      r.outcome = ClusterOutcome::kUnchanged;
      break;
    case ClusterAction::kCreate:
      r.outcome = ClusterOutcome::kCreated;
      break;
    case ClusterAction::kUpdate:
      r.outcome = ClusterOutcome::kUpdated;
      break;
    case ClusterAction::kDelete:
      if (result.state == ClusterApplyState::kHeld) {
        r.outcome = ClusterOutcome::kHeld;
        if (r.reason.empty()) r.reason = budget_message;
      } else if (result.state == ClusterApplyState::kDeleted) {
        r.outcome = ClusterOutcome::kDeleted;
      } else {
        r.outcome = ClusterOutcome::kDeleting;
      }
      break;
  }
  r.error_count = static_cast<int>(result.errors.size());
  if (!result.errors.empty()) {
    r.status = result.errors.front();
    if (r.outcome == ClusterOutcome::kCreated ||
        r.outcome == ClusterOutcome::kUpdated) {
      r.outcome = ClusterOutcome::kFailed;
    }
  } else if (!plan.error.empty()) {
    r.status = Status(StatusCode::kInternal, plan.error);
  }
  return r;
}

bool PassResult::changed() const {
  return std::any_of(clusters.begin(), clusters.end(),
                     [](const ClusterPassResult& c) { return c.executed; });
}

PassOutcome PassResult::outcome() const {
  if (!source.ok()) return PassOutcome::kSourceError;
  if (!live.ok()) return PassOutcome::kApiError;
  // Failures that are all the API being unreachable or out of time (a
  // killed or frozen server, the pass deadline) are an API error (exit 4),
  // not a failed apply: nothing said no to the objects themselves.
  bool failed = false, api_only = true;
  for (const ClusterPassResult& c : clusters) {
    if (!c.executed || c.error_count == 0) continue;
    failed = true;
    api_only = api_only && c.status.transient();
  }
  if (failed) {
    return api_only ? PassOutcome::kApiError : PassOutcome::kApplyFailed;
  }
  if (!git_write.ok()) return PassOutcome::kSourceError;
  if (invalid) return PassOutcome::kInvalid;
  // Invalid input wins: it is often why deletions are held (a broken
  // capi-gitops.yaml holds every deletion), and fixing it releases them.
  for (const ClusterPassResult& c : clusters) {
    if (c.outcome == ClusterOutcome::kHeld) return PassOutcome::kDeletionHeld;
  }
  return PassOutcome::kSuccess;
}

}  // namespace capigitops
