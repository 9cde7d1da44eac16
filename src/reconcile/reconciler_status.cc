// The last phase of a pass: status/<name>.yaml for every cluster, committed
// in one commit, and only when something in it changed. Built from what the
// pass already knows (the live state read before planning and what the
// executor did); the cluster is not read again.
#include <set>

#include "capigitops/labels.h"
#include "capigitops/writeback.h"
#include "reconcile/reconciler.h"

namespace capigitops {
namespace {

using nlohmann::json;

const char kClusterApiVersion[] = "cluster.x-k8s.io/v1beta2";

// "status: a Provisioned, b Expired and 3 more".
std::string StatusSubject(const std::vector<std::string>& summary) {
  std::string subject = "status:";
  for (size_t i = 0; i < summary.size() && i < 6; ++i) {
    subject += (i ? ", " : " ") + summary[i];
  }
  if (summary.size() > 6)
    subject += " and " + std::to_string(summary.size() - 6) + " more";
  return subject;
}

}  // namespace

// The status files of one pass: what Git has, what changes.
struct Reconciler::StatusBatch {
  FileSet current;
  std::map<std::string, std::optional<std::string>> changes;
  std::vector<std::string> summary;  // "name Phase" of each changed file
  std::map<std::string, const ClusterPassResult*> outcomes;

  const ClusterPassResult* Outcome(const std::string& name) const {
    auto it = outcomes.find(name);
    return it == outcomes.end() ? nullptr : it->second;
  }
};

void Reconciler::EmitStatus(const std::string& name, ClusterStatusInput in,
                            StatusBatch* batch) {
  in.name = name;
  in.now = options_.now;
  auto l = live_.objects.find(ObjRef{kClusterApiVersion, "Cluster", name});
  if (l != live_.objects.end()) {
    in.live_cluster = l->second;
    // The revision the cluster was last changed at, not the newest commit.
    in.applied_revision = l->second["metadata"]
                              .value("annotations", json::object())
                              .value(kRevisionAnnotation, "");
  }
  auto inv = live_.inventories.find(name);
  const ClusterPassResult* outcome = batch->Outcome(name);
  if (inv != live_.inventories.end()) {
    in.created_at = inv->second.created_at;
  } else if (outcome && outcome->outcome == ClusterOutcome::kCreated) {
    in.created_at = options_.sync.now;  // what the executor recorded
  }
  if (in.applied_revision.empty()) in.applied_revision = snapshot_.commit;
  auto e = errors_.find(name);
  if (e != errors_.end()) in.last_error = e->second;
  std::string text = RenderStatusFile(in);
  std::string path = StatusPath(name);
  result_.status_files[path] = text;
  std::string phase = DerivePhase(in);
  result_.phases[name] = phase;
  if (in.request && in.created_at > 0 &&
      ExpiresSoon(DecideTtl(*in.request, in.created_at, in.now), 3600)) {
    result_.expiring_soon++;
  }
  auto old = batch->current.find(path);
  if (old == batch->current.end() || old->second != text) {
    batch->changes[path] = text;
    batch->summary.push_back(name + " " + phase);
  }
}

// Clusters with a spec, broken specs, then live clusters without a spec
// (expired, being deleted or deleted in this pass).
void Reconciler::EmitAllStatus(StatusBatch* batch) {
  std::set<std::string> done;
  for (const ClusterResult& c : ev_.clusters) {
    ClusterStatusInput in;
    in.request = &c.request;
    in.cost = c.cost;
    auto b = desired_.blocked.find(c.request.name);
    if (b != desired_.blocked.end()) {
      in.phase_override = "Blocked";
      in.reason = b->second;
    }
    EmitStatus(c.request.name, in, batch);
    done.insert(c.request.name);
  }
  for (const std::string& name : ev_.repo.broken) {
    if (!done.insert(name).second) continue;
    ClusterStatusInput in;
    in.phase_override = "Blocked";
    in.reason = "its spec has errors; the live cluster is left as it is";
    EmitStatus(name, in, batch);
  }
  for (const auto& [name, inv] : live_.inventories) {
    if (!done.insert(name).second) continue;
    ClusterStatusInput in;
    auto x = expired_.find(name);
    const ClusterPassResult* outcome = batch->Outcome(name);
    if (x != expired_.end()) {
      in.phase_override = "Expired";
      in.reason = x->second;
    } else {
      bool deleted = outcome && outcome->outcome == ClusterOutcome::kDeleted;
      in.phase_override = deleted ? "Deleted" : "Deleting";
      // A deletion this pass started has its reason in the plan; one that
      // was under way already in the inventory.
      in.reason = inv.deletion_reason;
      if (in.reason.empty() && outcome) in.reason = outcome->reason;
    }
    EmitStatus(name, in, batch);
  }
}

void Reconciler::WriteStatus() {
  StatusBatch batch;
  for (const ClusterPassResult& r : result_.clusters) {
    batch.outcomes[r.name] = &r;
  }
  batch.current = snapshot_.files;
  if (deps_.status != deps_.spec) {
    StatusOr<Snapshot> s = deps_.status->Fetch({ev_.repo.config.status_path});
    batch.current = s.ok() ? s->files : FileSet{};
  }
  EmitAllStatus(&batch);
  result_.status_known = true;
  if (batch.changes.empty()) return;
  std::string subject = StatusSubject(batch.summary);
  CommitRequest req = NewCommit(
      options_.status_branch.empty() ? options_.branch : options_.status_branch,
      subject);
  req.changes = batch.changes;
  StatusOr<std::string> commit = deps_.status->CommitAndPush(req);
  if (!commit.ok()) {
    if (result_.git_write.ok()) result_.git_write = commit.status();
    Note("error: committing status: " + commit.status().message(), true);
    return;
  }
  result_.status_commit = *commit;
  if (commit->empty()) {
    Note("status changed for " + std::to_string(batch.changes.size()) +
         " cluster(s); not committed");
  } else {
    Note(subject + " (commit " + commit->substr(0, 12) + ")");
  }
}

PassResult Reconciler::Run() {
  if (FetchSource() && ReadLive()) {
    ExpireClusters();
    PlanAndApply();
    if (!options_.ttl_only) WriteStatus();
  }
  if (result_.notes.empty()) Note("nothing to do");
  return std::move(result_);
}

PassResult RunPass(const PassDeps& deps, const ReconcileOptions& options) {
  return Reconciler(deps, options).Run();
}

}  // namespace capigitops
