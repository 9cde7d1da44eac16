#include "reconcile/reconciler.h"

#include <algorithm>

#include "capigitops/duration.h"
#include "capigitops/labels.h"
#include "capigitops/writeback.h"

namespace capigitops {
namespace {

using nlohmann::json;

std::string FileStem(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string base = path.substr(slash == std::string::npos ? 0 : slash + 1);
  return base.substr(0, base.rfind('.'));
}

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

// The real messages behind a blocked cluster, as `file:line:column: ...`:
// its own file's errors, its policy denials or failed expansion, and errors
// of files that block every cluster (capi-gitops.yaml, policies).
std::string BlockedErrors(const Evaluation& ev, const std::string& name) {
  std::vector<std::string> lines;
  const std::string clusters = ev.repo.config.clusters_path + "/";
  for (const Diagnostic& d : ev.repo.diags) {
    if (d.severity != Severity::kError) continue;
    bool cluster_file = d.file.rfind(clusters, 0) == 0;
    if (cluster_file && FileStem(d.file) != name) continue;
    lines.push_back(d.ToString());
  }
  for (const ClusterResult& c : ev.clusters) {
    if (c.request.name != name) continue;
    for (const Verdict& v : c.verdicts) {
      if (v.enforce) lines.push_back(v.ToString());
    }
    if (!c.render_error.empty()) {
      lines.push_back(c.request.file + ": " + c.render_error);
    }
  }
  std::string out;
  for (const std::string& l : lines) out += (out.empty() ? "" : "; ") + l;
  return out;
}

// The Cluster object's revision when this plan creates or changes it.
std::string PlannedRevision(const ClusterPlan& cp) {
  for (const ObjectChange& oc : cp.objects) {
    if (oc.ref.kind != "Cluster") continue;
    if (oc.action != ObjectAction::kCreate &&
        oc.action != ObjectAction::kUpdate) {
      return "";
    }
    return oc.desired.value("metadata", json::object())
        .value("annotations", json::object())
        .value(kRevisionAnnotation, "");
  }
  return "";
}

// capi-gitops.yaml first, then only the paths it names, at the same commit.
// A clusters directory that is missing (a wrong paths.clusters, a deleted
// capi-gitops.yaml that named another one) is an error, never an empty
// repository: read as empty, every cluster would be deleted.
StatusOr<Snapshot> FetchSpecs(GitSource& source) {
  const std::string config_file = RepoConfig().file;
  ASSIGN_OR_RETURN(Snapshot head, source.Fetch({config_file}));
  RepoConfig config;
  auto cfg = head.files.find(config_file);
  if (cfg != head.files.end()) {
    Diagnostics ignored;  // Evaluate reports them
    LoadRepoConfig(cfg->first, cfg->second, &config, &ignored);
  }
  ASSIGN_OR_RETURN(Snapshot snap,
                   source.ReadCommit(head.commit, RepoPaths(config)));
  if (!snap.trees.count(config.clusters_path)) {
    return Status::NotFound(
        "there is no directory " + config.clusters_path + "/ at commit " +
        head.commit.substr(0, 12) +
        (cfg == head.files.end()
             ? " (there is no " + config_file + ", so the default is read)"
             : " (paths.clusters in " + config_file + ")") +
        ": a missing clusters directory is an error, not an empty one (to "
        "remove the last cluster, keep a .gitkeep file in it)");
  }
  return snap;
}

}  // namespace

Reconciler::Reconciler(const PassDeps& deps, ReconcileOptions options)
    : deps_(deps), options_(std::move(options)) {}

void Reconciler::Note(std::string text, bool error, std::string cluster) {
  if (cluster.empty()) {
    std::string head = text.substr(0, text.find(": "));
    bool known =
        ev_.repo.broken.count(head) > 0 || live_.inventories.count(head) > 0 ||
        std::any_of(
            ev_.clusters.begin(), ev_.clusters.end(),
            [&](const ClusterResult& c) { return c.request.name == head; });
    if (known && head.size() < text.size()) cluster = head;
  }
  result_.notes.push_back({error, std::move(text), std::move(cluster)});
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
  StatusOr<Snapshot> snap = FetchSpecs(*deps_.spec);
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
  KeepOwnClusters();
  desired_ = TakeDesiredState(&ev_);
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
  BlockForeignInventories();
  return true;
}

// One line in the output and the log, the same text as lastError.
void Reconciler::NoteBlocked(const ClusterPlan& cp) {
  std::string errors = BlockedErrors(ev_, cp.name);
  errors_[cp.name] = errors.empty() ? cp.reason : errors;
  Note(cp.name + ": blocked: " + cp.reason +
           (errors.empty() ? "" : ": " + errors),
       true, cp.name);
}

// A held deletion: why, and how to release it, in output, log and status.
void Reconciler::NoteHeld(const Plan& plan, const ClusterPlan& cp,
                          ClusterPassResult* r) {
  // The plan's reason says why the cluster is to be deleted; a deletion
  // held by the budget must say why it is held.
  if (!cp.deletion_held && plan.budget_exceeded)
    r->reason = plan.budget_message;
  std::string release;
  if (r->reason == plan.budget_message) {
    std::string at =
        held_at_.count(cp.name) ? held_at_[cp.name] : snapshot_.commit;
    release = "approve it in " + std::string(kApprovalsFile) +
              ": an entry of massDeletions with revision: " + at.substr(0, 12) +
              " and " + cp.name + " in its clusters (docs/approvals.md)";
  } else if (!plan.prune_allowed) {
    release =
        "fix the errors of " + plan.prune_blocked_reason.substr(
                                   0, plan.prune_blocked_reason.find(' '));
  } else {
    release =
        "set deletionProtection: false in its spec, let it sync, then "
        "remove the spec again";
  }
  release_[cp.name] = release;
  Note(cp.name + ": deletion held: " + r->reason + " (to release: " + release +
           ")",
       false, cp.name);
}

void Reconciler::PlanAndApply() {
  Plan plan = BuildPlan(*deps_.kube, &desired_, live_, options_.sync);
  DropForeignPlans(&plan);
  if (options_.ttl_only) {
    std::erase_if(plan.clusters, [&](const ClusterPlan& cp) {
      bool resuming = cp.inventory && cp.inventory->deleting;
      return cp.action != ClusterAction::kDelete ||
             (!expired_.count(cp.name) && !resuming);
    });
  }
  ApplyApprovals(&plan);
  std::vector<ClusterApplyResult> applied;
  bool execute = plan.HasChanges();
  if (execute) applied = ExecutePlan(*deps_.kube, plan, options_.sync);
  for (size_t i = 0; i < plan.clusters.size(); ++i) {
    const ClusterPlan& cp = plan.clusters[i];
    for (const std::string& held : cp.addon_removals_held) {
      Note(cp.name + ": add-on removal held: " + held +
           " (removing it uninstalls it; run once with "
           "--allow-addon-removal to let it go)");
    }
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
    if (r.outcome == ClusterOutcome::kBlocked) NoteBlocked(cp);
    if (r.outcome == ClusterOutcome::kHeld) NoteHeld(plan, cp, &r);
    if (!r.status.ok()) errors_[cp.name] = r.status.message();
    if ((r.outcome == ClusterOutcome::kCreated ||
         r.outcome == ClusterOutcome::kUpdated) &&
        r.error_count == 0) {
      std::string rev = PlannedRevision(cp);
      if (!rev.empty()) applied_revision_[cp.name] = rev;
    }
    if (r.executed && r.outcome != ClusterOutcome::kHeld) {
      result_.objects_applied += r.counts.created + r.counts.configured;
      result_.objects_pruned += r.counts.deleted;
      Note(AppliedLine(r), r.error_count > 0, r.name);
    }
    result_.clusters.push_back(std::move(r));
  }
  if (execute && plan.budget_exceeded) Note(plan.budget_message);
}

}  // namespace capigitops
