// The TTL phase of a pass: decide which expired clusters are torn down,
// commit each teardown to Git (the decision is re-checked against the commit
// it lands on), and only then let the deletion path remove them.
#include <algorithm>

#include "capigitops/duration.h"
#include "reconcile/reconciler.h"

namespace capigitops {

// Expired clusters that are not kept, earliest expiry first (then by name),
// so that when the budget cuts the list the longest overdue go first.
std::vector<Reconciler::Teardown> Reconciler::DueTeardowns() {
  std::vector<Teardown> due;
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
    due.push_back({&c, d, created, ""});
  }
  std::sort(due.begin(), due.end(), [](const Teardown& a, const Teardown& b) {
    if (a.decision.expires_at != b.decision.expires_at) {
      return a.decision.expires_at < b.decision.expires_at;
    }
    return a.cluster->request.name < b.cluster->request.name;
  });
  return due;
}

// How many of `due` teardowns may be committed in this pass. A teardown
// commit removes the spec from Git, so committing one whose deletion the
// plan would then hold leaves a running cluster without a spec: only what
// the deletion budget leaves after the deletions already pending (specs
// people removed) is committed; the rest waits for later passes.
size_t Reconciler::TeardownAllowance(size_t due) {
  if (due == 0) return 0;
  if (!options_.sync.prune) return 0;
  if (options_.sync.allow_mass_deletion) return due;
  int pending = 0;
  for (const auto& [name, inv] : live_.inventories) {
    if (IsCatalogInventory(name)) continue;  // not a cluster
    bool wanted =
        desired_.blocked.count(name) > 0 ||
        std::any_of(desired_.clusters.begin(), desired_.clusters.end(),
                    [&](const DesiredCluster& dc) { return dc.name == name; });
    if (!wanted && !inv.deleting) ++pending;
  }
  int left = ClusterDeletionsAllowed(desired_, live_) - pending;
  return left <= 0 ? 0 : std::min(due, static_cast<size_t>(left));
}

// Commits one teardown: the spec is removed and the status says why. The
// commit only lands on a tip where the spec is still the one this pass
// decided on; a spec changed in between (a longer ttl, deletionProtection)
// drops the decision, and the next pass decides again on the new spec.
bool Reconciler::CommitTeardown(const Teardown& t) {
  const ClusterRequest& req = t.cluster->request;
  std::string full_message = t.idle_message.empty()
                                 ? TeardownCommitMessage(req, t.decision)
                                 : t.idle_message;
  // Its final cost lives here, not in the status file (a growing value).
  std::string final_cost =
      CostSoFar(t.cluster->cost, t.created_at, options_.now);
  if (!final_cost.empty()) {
    full_message += "\nEstimated cost over its life: " + final_cost + ".\n";
  }
  std::string message = full_message.substr(0, full_message.find('\n'));
  CommitRequest commit_req = NewCommit(options_.branch, full_message);
  commit_req.changes[req.file] = std::nullopt;
  auto spec = snapshot_.files.find(req.file);
  if (spec != snapshot_.files.end()) commit_req.expect[req.file] = spec->second;
  if (options_.status_branch.empty()) {
    ClusterStatusInput in;
    in.name = req.name;
    in.request = &req;
    in.phase_override = "Expired";
    in.reason = message;
    in.created_at = t.created_at;
    in.applied_revision = AppliedRevision(req.name);
    in.ns = desired_.ns;
    in.cost = t.cluster->cost;
    in.now = options_.now;
    commit_req.changes[StatusPath(req.name)] = RenderStatusFile(in);
  }
  StatusOr<std::string> commit = deps_.spec->CommitAndPush(commit_req);
  if (!commit.ok() &&
      commit.status().code() == StatusCode::kFailedPrecondition) {
    Note(req.name + ": teardown dropped: " + commit.status().message() +
         "; nothing is deleted, the next pass decides again on the new spec");
    return false;
  }
  if (!commit.ok()) {
    if (result_.git_write.ok()) result_.git_write = commit.status();
    Note("error: committing the teardown of " + req.name + ": " +
             commit.status().message() + "; it is not deleted",
         true);
    return false;
  }
  if (commit->empty()) {
    // No commit was made (a read-only source): the teardown must land in
    // Git before anything is deleted, so nothing is.
    Note(req.name + ": " +
         (t.idle_message.empty()
              ? "expired at " + FormatRfc3339(t.decision.expires_at)
              : "idle") +
         "; the teardown was not committed, so it is not deleted");
    return false;
  }
  result_.teardown_commits.push_back(*commit);
  Note(message + " (commit " + commit->substr(0, 12) + ")", false, req.name);
  expired_[req.name] = message;
  return true;
}

// Commits each allowed teardown to Git first. Only then does the safe
// deletion path run, on the evaluation and live state this pass already
// has: an expired cluster simply leaves the desired state, so the planner
// sees its inventory as a deletion.
void Reconciler::ExpireClusters() {
  std::vector<Teardown> due = DueTeardowns();
  size_t allowed = TeardownAllowance(due.size());
  for (size_t i = 0; i < due.size(); ++i) {
    if (i < allowed) {
      CommitTeardown(due[i]);
      continue;
    }
    const ClusterRequest& req = due[i].cluster->request;
    Note(req.name + ": expired at " +
         FormatRfc3339(due[i].decision.expires_at) +
         (options_.sync.prune
              ? "; its teardown waits for a later pass: this pass may "
                "delete no more clusters (safety.deletionBudget)"
              : "; its teardown waits: pruning is off"));
  }
  RemoveExpired();
}

// Clusters whose teardown was committed leave the evaluation and the
// desired state, so the planner sees their inventories as deletions.
void Reconciler::RemoveExpired() {
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

}  // namespace capigitops
