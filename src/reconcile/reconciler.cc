#include "app/reconciler.h"

#include <algorithm>

#include "app/cluster_access.h"
#include "capigitops/duration.h"
#include "capigitops/render.h"
#include "capigitops/writeback.h"

namespace capigitops {

using nlohmann::json;

Reconciler::Reconciler(GitSource* spec_source, GitSource* status_source,
                       KubeClient* client, const FileSet* builtin_policies,
                       ReconcileOptions options)
    : spec_source_(spec_source),
      status_source_(status_source),
      client_(client),
      builtin_(builtin_policies),
      options_(std::move(options)) {}

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

bool Reconciler::FetchSource(ReconcileReport* report) {
  StatusOr<Snapshot> snap = spec_source_->Fetch({});
  if (!snap.ok()) {
    // An unreadable source is never "empty": stop before touching anything.
    report->lines.push_back("error: " + snap.status().message() +
                            "; nothing was changed or deleted");
    report->exit_code = 3;
    return false;
  }
  snapshot_ = std::move(snap).value();
  report->revision = snapshot_.commit;
  report->spec_hash = snapshot_.spec_hash;
  return true;
}

void Reconciler::Evaluate(const std::string& revision) {
  EvaluateOptions eo;
  eo.render = true;
  eo.revision = revision;
  eo.now = options_.now;
  ev_ = capigitops::Evaluate(snapshot_.files, *builtin_, eo);
  std::string ns = options_.ns_override.empty() ? ev_.repo.config.namespace_name
                                                : options_.ns_override;
  desired_ = ToDesiredState(ev_, ns);
}

bool Reconciler::ReadLive(ReconcileReport* report) {
  StatusOr<LiveState> live =
      FetchLiveState(*client_, desired_.ns, DesiredKinds(desired_));
  if (!live.ok()) {
    report->lines.push_back("error: " + live.status().message() +
                            "; nothing was changed or deleted");
    report->exit_code = 4;
    return false;
  }
  live_ = std::move(live).value();
  return true;
}

// Commits each expired cluster's teardown to Git first: the spec is removed
// and the status says why. Only then does the safe deletion path run.
bool Reconciler::ExpireClusters(ReconcileReport* report) {
  std::vector<const ClusterResult*> expired;
  for (const ClusterResult& c : ev_.clusters) {
    if (desired_.blocked.count(c.request.name)) continue;
    auto inv = live_.inventories.find(c.request.name);
    int64_t created =
        inv == live_.inventories.end() ? 0 : inv->second.created_at;
    TtlDecision d = DecideTtl(c.request, created, options_.now);
    if (!d.expired) continue;
    if (d.kept) {
      report->lines.push_back(c.request.name +
                              ": expired but kept: " + d.kept_reason);
      continue;
    }
    if (options_.read_only) {
      report->lines.push_back(c.request.name + ": expired at " +
                              FormatRfc3339(d.expires_at) +
                              "; read-only, so the teardown is not committed");
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
    StatusOr<std::string> commit = spec_source_->CommitAndPush(req);
    if (!commit.ok()) {
      report->lines.push_back(
          "error: committing the teardown of " + c.request.name + ": " +
          commit.status().message() + "; it is not deleted");
      report->exit_code = 3;
      continue;
    }
    report->teardown_commits.push_back(*commit);
    report->lines.push_back(message + " (commit " + commit->substr(0, 12) +
                            ")");
    expired_[c.request.name] = message;
    expired.push_back(&c);
  }
  if (expired_.empty()) return false;
  // Continue from the state Git now has: the expired specs are gone.
  for (const auto& [name, reason] : expired_) {
    for (const ClusterResult& c : ev_.clusters) {
      if (c.request.name == name) snapshot_.files.erase(c.request.file);
    }
  }
  Evaluate(report->teardown_commits.back());
  return true;
}

void Reconciler::PlanAndApply(ReconcileReport* report) {
  Plan plan = BuildPlan(*client_, desired_, live_, options_.sync);
  if (options_.ttl_only) {
    std::erase_if(plan.clusters, [&](const ClusterPlan& cp) {
      bool resuming = cp.inventory && cp.inventory->deleting;
      return cp.action != ClusterAction::kDelete ||
             (!expired_.count(cp.name) && !resuming);
    });
  }
  for (const ClusterPlan& cp : plan.clusters) {
    if (cp.action == ClusterAction::kBlocked) {
      report->lines.push_back(cp.name + ": blocked: " + cp.reason);
      errors_[cp.name] = cp.reason;
    }
    if (!cp.error.empty()) errors_[cp.name] = cp.error;
  }
  if (!plan.HasChanges()) return;
  std::vector<ClusterApplyResult> results =
      ExecutePlan(*client_, plan, options_.sync);
  for (size_t i = 0; i < results.size(); ++i) {
    const ClusterPlan& cp = plan.clusters[i];
    const ClusterApplyResult& r = results[i];
    const ApplyCounts& c = r.counts;
    if (cp.action == ClusterAction::kUnchanged ||
        cp.action == ClusterAction::kBlocked)
      continue;
    report->changed = true;
    report->objects_applied += c.created + c.configured;
    report->objects_pruned += c.deleted;
    std::string line = cp.name + ": ";
    if (cp.action == ClusterAction::kDelete) {
      line += r.state == "held"
                  ? "deletion held: " +
                        (cp.reason.empty() ? plan.budget_message : cp.reason)
              : r.state == "deleted"
                  ? "deleted (" + std::to_string(c.deleted) + " objects)"
                  : "deleting (CAPI is tearing it down)";
      if (r.state == "deleted") deleted_.insert(cp.name);
    } else {
      line += std::to_string(c.created) + " created, " +
              std::to_string(c.configured) + " configured, " +
              std::to_string(c.deleted) + " pruned";
    }
    if (!r.errors.empty()) {
      line += "; " + std::to_string(r.errors.size()) +
              " error(s): " + r.errors.front();
      errors_[cp.name] = r.errors.front();
      report->exit_code = std::max(report->exit_code, 5);
    }
    report->lines.push_back(line);
  }
  if (plan.budget_exceeded) report->lines.push_back(plan.budget_message);
}

}  // namespace capigitops
