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

// The revision a live Cluster was last changed at (not the newest commit),
// "" without one; looked up in place, without copying its metadata.
std::string RevisionOf(const json& cluster) {
  auto meta = cluster.find("metadata");
  if (meta == cluster.end() || !meta->is_object()) return "";
  auto ann = meta->find("annotations");
  if (ann == meta->end() || !ann->is_object()) return "";
  auto rev = ann->find(kRevisionAnnotation);
  return rev != ann->end() && rev->is_string() ? rev->get<std::string>() : "";
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

std::string Reconciler::AppliedRevision(const std::string& name) const {
  auto a = applied_revision_.find(name);
  if (a != applied_revision_.end()) return a->second;
  auto l = live_.objects.find(ObjRef{kClusterApiVersion, "Cluster", name});
  if (l == live_.objects.end()) return "";
  // The revision the Cluster was last changed at, not the newest commit;
  // only the annotation is decoded.
  std::optional<json> rev =
      l->second.Get({"metadata", "annotations", kRevisionAnnotation});
  return rev && rev->is_string() ? rev->get<std::string>() : "";
}

void Reconciler::EmitStatus(const std::string& name, ClusterStatusInput in,
                            StatusBatch* batch) {
  in.name = name;
  in.now = options_.now;
  in.ns = desired_.ns;
  const std::vector<int64_t>& leads = ev_.repo.config.notifications.lead_times;
  if (!leads.empty()) in.expiring_window = leads.front();
  std::optional<json> l =
      live_.Find(ObjRef{kClusterApiVersion, "Cluster", name});
  // As AppliedRevision, from the Cluster decoded here (not a second time).
  auto applied = applied_revision_.find(name);
  if (applied != applied_revision_.end()) {
    in.applied_revision = applied->second;
  } else if (l) {
    in.applied_revision = RevisionOf(*l);
  }
  if (l) in.live_cluster = std::move(l);
  auto inv = live_.inventories.find(name);
  const ClusterPassResult* outcome = batch->Outcome(name);
  if (inv != live_.inventories.end()) {
    in.created_at = inv->second.created_at;
  } else if (outcome && outcome->outcome == ClusterOutcome::kCreated) {
    in.created_at = options_.sync.now;  // what the executor recorded
  }
  auto e = errors_.find(name);
  if (e != errors_.end()) in.last_error = e->second;
  auto idle = idle_.find(name);
  if (idle != idle_.end() && idle->second.state != "off" &&
      !expired_.count(name)) {
    in.idle = IdleStatusBlock(idle->second);
  }
  auto w = workload_.find(name);
  if (w != workload_.end() && !in.phase_override.empty() &&
      in.phase_override != "Blocked" && in.phase_override != "DeletionHeld") {
    w = workload_.end();  // Expired or Deleting: no longer worth a verdict
  }
  if (w != workload_.end()) in.workload = w->second;
  std::string text = RenderStatusFile(in);
  std::string path = StatusPath(name);
  result_.status_files[path] = text;
  std::string clock = StatusClock(in);
  if (!clock.empty()) result_.clocks[name] = clock;
  std::string phase = DerivePhase(in);
  result_.phases[name] = phase;
  result_.cluster_facts[name] = ClusterFactsOf(in);
  if (in.request && in.created_at > 0 &&
      ExpiresSoon(DecideTtl(*in.request, in.created_at, in.now),
                  in.expiring_window > 0 ? in.expiring_window : 3600)) {
    result_.expiring_soon++;
  }
  auto old = batch->current.find(path);
  if (old == batch->current.end() || old->second != text) {
    batch->changes[path] = text;
    batch->summary.push_back(name + " " + phase);
  }
}

// The status file of a cluster that is gone leaves Git in this commit, so
// `git log -- status/<name>.yaml` ends with the deletion.
void Reconciler::RemoveStatus(const std::string& name, StatusBatch* batch) {
  std::string path = StatusPath(name);
  result_.phases.erase(name);  // gone: no longer counted by phase
  if (!batch->current.count(path)) return;
  batch->changes[path] = std::nullopt;
  batch->summary.push_back(name + " Deleted");
}

// Clusters with a spec, broken specs, then live clusters without a spec
// (expired, being deleted, held or deleted in this pass), then status files
// of clusters that are gone altogether.
void Reconciler::EmitAllStatus(StatusBatch* batch) {
  std::set<std::string> done;
  for (const ClusterResult& c : ev_.clusters) {
    ClusterStatusInput in;
    in.request = &c.request;
    in.cost = c.cost;
    auto b = desired_.blocked.find(c.request.name);
    if (b != desired_.blocked.end()) {
      in.phase_override = "Blocked";
      in.reason = b->second + "; the live cluster is left as it is";
    }
    EmitStatus(c.request.name, in, batch);
    done.insert(c.request.name);
  }
  for (const std::string& name : ev_.repo.broken) {
    if (!done.insert(name).second) continue;
    ClusterStatusInput in;
    in.phase_override = "Blocked";
    in.reason = "its spec has errors; the live cluster is left as it is";
    in.last_known = StatusInGit(CurrentStatus(), StatusPath(name));
    EmitStatus(name, in, batch);
  }
  for (const auto& [name, inv] : live_.inventories) {
    if (IsCatalogInventory(name)) continue;  // no cluster, no status file
    if (!Owns(name)) continue;               // another shard's to report
    if (!done.insert(name).second) continue;
    EmitGoneSpec(name, inv, batch);
  }
  // With capi-gitops.yaml or a policy in error the specs may not all have
  // loaded: no file is taken for stale then.
  if (!desired_.prune_allowed) return;
  std::string prefix = ev_.repo.config.status_path + "/";
  for (const auto& [path, text] : batch->current) {
    if (path.rfind(prefix, 0) != 0 || !path.ends_with(".yaml")) continue;
    std::string name =
        path.substr(prefix.size(), path.size() - 5 - prefix.size());
    if (name.find('/') != std::string::npos || !Owns(name)) continue;
    if (done.insert(name).second) RemoveStatus(name, batch);
  }
}

// A live cluster whose spec is gone: expired (teardown committed), being
// deleted, held, or deleted in this pass (its status file goes).
void Reconciler::EmitGoneSpec(const std::string& name, const Inventory& inv,
                              StatusBatch* batch) {
  ClusterStatusInput in;
  auto x = expired_.find(name);
  const ClusterPassResult* outcome = batch->Outcome(name);
  ClusterOutcome o = outcome ? outcome->outcome : ClusterOutcome::kDeleting;
  if (o == ClusterOutcome::kDeleted) {
    RemoveStatus(name, batch);
    return;
  }
  if (o == ClusterOutcome::kHeld) {
    in.phase_override = "DeletionHeld";
    in.reason = outcome->reason;
    auto r = release_.find(name);
    if (r != release_.end()) in.release = r->second;
    auto h = held_at_.find(name);
    if (h != held_at_.end()) in.held_at_revision = h->second;
  } else if (x != expired_.end()) {
    in.phase_override = "Expired";
    in.reason = x->second;
  } else {
    in.phase_override = "Deleting";
    // A deletion this pass started has its reason in the plan; one that
    // was under way already in the inventory.
    in.reason = inv.deletion_reason;
    if (in.reason.empty() && outcome) in.reason = outcome->reason;
  }
  EmitStatus(name, in, batch);
}

// `capi-gitops ttl` commits the status of the clusters it tore down or
// deleted (Deleting, or the file removed once gone), so that no status file
// keeps saying Expired or Provisioned until the next reconcile; everything
// else is the reconcile pass's to report.
void Reconciler::KeepOnlyTtlStatus(StatusBatch* batch) {
  std::set<std::string> touched;
  for (const auto& [name, outcome] : batch->outcomes) touched.insert(name);
  for (const auto& [name, reason] : expired_) touched.insert(name);
  std::erase_if(batch->changes, [&](const auto& change) {
    for (const std::string& name : touched) {
      if (change.first == StatusPath(name)) return false;
    }
    return true;
  });
  std::erase_if(batch->summary, [&](const std::string& line) {
    return !touched.count(line.substr(0, line.find(' ')));
  });
}

void Reconciler::WriteStatus() {
  StatusBatch batch;
  for (const ClusterPassResult& r : result_.clusters) {
    batch.outcomes[r.name] = &r;
  }
  batch.current = CurrentStatus();
  EmitAllStatus(&batch);
  if (options_.ttl_only) KeepOnlyTtlStatus(&batch);
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
    // A TTL sweep commits only the status of what it tore down: the
    // workload clusters are not read for it. Otherwise each is read once,
    // for both the idle decisions and the status file's `usable`; idle
    // teardowns are committed to Git before apply deletes anything.
    if (!options_.ttl_only) {
      ReadWorkloads();
      DecideIdleClusters();
    }
    PlanAndApply();
    ForgetRemovedWorkloads();
    WriteStatus();
    if (!options_.ttl_only) SendNotifications();
    RecordEvents();
  }
  if (result_.notes.empty()) Note("nothing to do");
  return std::move(result_);
}

PassResult RunPass(const PassDeps& deps, const ReconcileOptions& options) {
  return Reconciler(deps, options).Run();
}

}  // namespace capigitops
