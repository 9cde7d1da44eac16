#include "reconcile/reconciler.h"

#include <algorithm>

#include "capigitops/duration.h"
#include "capigitops/writeback.h"

namespace capigitops {
namespace {

// What the pass did to one cluster, for people.
std::string AppliedLine(const ClusterPassResult& r) {
  const ApplyCounts& c = r.counts;
  std::string line = r.name + ": ";
  switch (r.outcome) {
    case ClusterOutcome::kHeld:
      line += "deletion held: " + r.reason;
      break;
    case ClusterOutcome::kDeleted:
      line += "deleted (" + std::to_string(c.deleted) + " objects)";
      break;
    case ClusterOutcome::kDeleting:
    case ClusterOutcome::kExpired:
      line += "deleting (CAPI is tearing it down)";
      break;
    default:
      line += std::to_string(c.created) + " created, " +
              std::to_string(c.configured) + " configured, " +
              std::to_string(c.deleted) + " pruned";
  }
  if (r.error_count > 0) {
    line += "; " + std::to_string(r.error_count) +
            " error(s): " + r.status.message();
  }
  return line;
}

}  // namespace

Reconciler::Reconciler(const PassDeps& deps, ReconcileOptions options)
    : deps_(deps), options_(std::move(options)) {}

void Reconciler::Note(std::string text, bool error) {
  result_.notes.push_back({error, std::move(text)});
}

// Commits are authored as --author says, else as capi-gitops.yaml's
// writeBack.author.
CommitRequest Reconciler::NewCommit(const std::string& branch,
                                    const std::string& message) const {
  CommitRequest req;
  req.branch = branch;
  req.message = message;
  req.author_name = options_.author_name.empty()
                        ? ev_.repo.config.status_author_name
                        : options_.author_name;
  req.author_email = options_.author_email.empty()
                         ? ev_.repo.config.status_author_email
                         : options_.author_email;
  return req;
}

std::string Reconciler::StatusPath(const std::string& name) const {
  return ev_.repo.config.status_path + "/" + name + ".yaml";
}

bool Reconciler::FetchSource() {
  StatusOr<Snapshot> snap = deps_.spec->Fetch({});
  if (!snap.ok()) {
    // An unreadable source is never "empty": stop before touching anything.
    result_.source = snap.status();
    Note("error: " + snap.status().message() +
             "; nothing was changed or deleted",
         true);
    return false;
  }
  snapshot_ = std::move(snap).value();
  result_.revision = snapshot_.commit;
  EvaluateOptions eo;
  eo.render = true;
  eo.revision = snapshot_.commit;
  eo.ns = options_.ns_override;
  eo.now = options_.now;
  ev_ = Evaluate(snapshot_.files, *deps_.builtin_policies, eo);
  desired_ = ToDesiredState(ev_);
  result_.invalid = ev_.has_errors;
  return true;
}

bool Reconciler::ReadLive() {
  StatusOr<LiveState> live =
      FetchLiveState(*deps_.kube, desired_.ns, DesiredKinds(desired_));
  if (!live.ok()) {
    result_.live = live.status();
    Note("error: " + live.status().message() +
             "; nothing was changed or deleted",
         true);
    return false;
  }
  live_ = std::move(live).value();
  return true;
}

// Commits each expired cluster's teardown to Git first: the spec is removed
// and the status says why. Only then does the safe deletion path run, on the
// evaluation and live state this pass already has: an expired cluster simply
// leaves the desired state, so the planner sees its inventory as a deletion.
void Reconciler::ExpireClusters() {
  for (const ClusterResult& c : ev_.clusters) {
    if (desired_.blocked.count(c.request.name)) continue;
    auto inv = live_.inventories.find(c.request.name);
    int64_t created =
        inv == live_.inventories.end() ? 0 : inv->second.created_at;
    TtlDecision d = DecideTtl(c.request, created, options_.now);
    if (!d.expired) continue;
    if (d.kept) {
      Note(c.request.name + ": expired but kept: " + d.kept_reason);
      continue;
    }
    std::string full_message = TeardownCommitMessage(c.request, d);
    std::string message = full_message.substr(0, full_message.find('\n'));
    CommitRequest req = NewCommit(options_.branch, full_message);
    req.changes[c.request.file] = std::nullopt;
    if (options_.status_branch.empty()) {
      ClusterStatusInput in;
      in.name = c.request.name;
      in.request = &c.request;
      in.phase_override = "Expired";
      in.reason = message;
      in.created_at = created;
      in.applied_revision = snapshot_.commit;
      in.cost = c.cost;
      in.now = options_.now;
      req.changes[StatusPath(c.request.name)] = RenderStatusFile(in);
    }
    StatusOr<std::string> commit = deps_.spec->CommitAndPush(req);
    if (!commit.ok()) {
      if (result_.git_write.ok()) result_.git_write = commit.status();
      Note("error: committing the teardown of " + c.request.name + ": " +
               commit.status().message() + "; it is not deleted",
           true);
      continue;
    }
    if (commit->empty()) {
      // No commit was made (a read-only source): the teardown must land in
      // Git before anything is deleted, so nothing is.
      Note(c.request.name + ": expired at " + FormatRfc3339(d.expires_at) +
           "; the teardown was not committed, so it is not deleted");
      continue;
    }
    result_.teardown_commits.push_back(*commit);
    Note(message + " (commit " + commit->substr(0, 12) + ")");
    expired_[c.request.name] = message;
  }
  if (expired_.empty()) return;
  std::set<std::string> gone;
  for (const ClusterResult& c : ev_.clusters) {
    if (expired_.count(c.request.name)) {
      snapshot_.files.erase(c.request.file);
      gone.insert(c.request.name);
    }
  }
  RemoveClusters(gone, &ev_);
  std::erase_if(desired_.clusters, [&](const DesiredCluster& dc) {
    return gone.count(dc.name) > 0;
  });
}

void Reconciler::PlanAndApply() {
  Plan plan = BuildPlan(*deps_.kube, desired_, live_, options_.sync);
  if (options_.ttl_only) {
    std::erase_if(plan.clusters, [&](const ClusterPlan& cp) {
      bool resuming = cp.inventory && cp.inventory->deleting;
      return cp.action != ClusterAction::kDelete ||
             (!expired_.count(cp.name) && !resuming);
    });
  }
  std::vector<ClusterApplyResult> applied;
  bool execute = plan.HasChanges();
  if (execute) applied = ExecutePlan(*deps_.kube, plan, options_.sync);
  for (size_t i = 0; i < plan.clusters.size(); ++i) {
    const ClusterPlan& cp = plan.clusters[i];
    ClusterApplyResult none;
    if (cp.deletion_held) none.state = ClusterApplyState::kHeld;
    ClusterPassResult r =
        DecodeApply(cp, execute ? applied[i] : none, plan.budget_message);
    r.executed = r.executed && execute;
    bool removing = r.outcome == ClusterOutcome::kDeleting ||
                    r.outcome == ClusterOutcome::kDeleted;
    if (expired_.count(cp.name) && removing) {
      r.reason = expired_[cp.name];
      if (r.outcome == ClusterOutcome::kDeleting) {
        r.outcome = ClusterOutcome::kExpired;
      }
    }
    if (r.outcome == ClusterOutcome::kBlocked) {
      Note(cp.name + ": blocked: " + cp.reason);
      errors_[cp.name] = cp.reason;
    }
    if (!r.status.ok()) errors_[cp.name] = r.status.message();
    if (r.executed) {
      result_.objects_applied += r.counts.created + r.counts.configured;
      result_.objects_pruned += r.counts.deleted;
      Note(AppliedLine(r), r.error_count > 0);
    }
    result_.clusters.push_back(std::move(r));
  }
  if (execute && plan.budget_exceeded) Note(plan.budget_message);
}

}  // namespace capigitops
