// The last phase of a pass: status/<name>.yaml for every cluster, committed
// in one commit, and only when something in it changed.
#include <set>

#include "app/reconciler.h"
#include "capigitops/writeback.h"

namespace capigitops {

using nlohmann::json;

void Reconciler::WriteStatus(ReconcileReport* report) {
  if (report->changed) {
    // Inventories written in this pass carry createdAt and the revision.
    StatusOr<LiveState> after = FetchLiveState(*client_, desired_.ns, {});
    if (after.ok()) live_.inventories = std::move(after->inventories);
  }
  std::map<std::string, json> live_clusters;
  StatusOr<ResourceInfo> r =
      client_->Resolve("cluster.x-k8s.io/v1beta2", "Cluster");
  if (r.ok()) {
    auto items = client_->List(*r, desired_.ns,
                               "app.kubernetes.io/managed-by=capi-gitops");
    if (items.ok()) {
      for (json& c : *items) {
        std::string name = c["metadata"].value("name", "");
        live_clusters[name] = std::move(c);
      }
    }
  }
  FileSet current = snapshot_.files;
  if (status_source_ != spec_source_) {
    StatusOr<Snapshot> s = status_source_->Fetch({ev_.repo.config.status_path});
    current = s.ok() ? s->files : FileSet{};
  }
  std::map<std::string, std::optional<std::string>> changes;
  std::vector<std::string> summary;
  auto emit = [&](const std::string& name, ClusterStatusInput in) {
    in.name = name;
    in.now = options_.now;
    auto l = live_clusters.find(name);
    if (l != live_clusters.end()) {
      in.live_cluster = l->second;
      // The revision the cluster was last changed at, not the newest commit.
      in.applied_revision = l->second["metadata"]
                                .value("annotations", json::object())
                                .value("capigitops.io/revision", "");
    }
    auto inv = live_.inventories.find(name);
    if (inv != live_.inventories.end()) {
      in.created_at = inv->second.created_at;
    }
    if (in.applied_revision.empty()) in.applied_revision = snapshot_.commit;
    auto e = errors_.find(name);
    if (e != errors_.end()) in.last_error = e->second;
    std::string text = RenderStatusFile(in);
    std::string path = StatusPath(name);
    report->status_files[path] = text;
    std::string phase = in.phase_override;
    if (phase.empty() && in.live_cluster) {
      phase =
          in.live_cluster->value("status", json::object()).value("phase", "");
    }
    report->phases[name] = phase.empty() ? "Pending" : phase;
    if (in.request && in.created_at > 0 &&
        ExpiresSoon(DecideTtl(*in.request, in.created_at, in.now), 3600)) {
      report->expiring_soon++;
    }
    auto old = current.find(path);
    if (old == current.end() || old->second != text) {
      changes[path] = text;
      summary.push_back(name + (phase.empty() ? "" : " " + phase));
    }
  };
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
    emit(c.request.name, in);
    done.insert(c.request.name);
  }
  for (const std::string& name : ev_.repo.broken) {
    if (!done.insert(name).second) continue;
    ClusterStatusInput in;
    in.phase_override = "Blocked";
    in.reason = "its spec has errors; the live cluster is left as it is";
    emit(name, in);
  }
  for (const auto& [name, inv] : live_.inventories) {
    if (!done.insert(name).second) continue;
    ClusterStatusInput in;
    auto x = expired_.find(name);
    in.phase_override = x != expired_.end() ? "Expired" : "Deleting";
    in.reason = x != expired_.end() ? x->second : inv.deletion_reason;
    if (deleted_.count(name))
      in.phase_override = x != expired_.end() ? "Expired" : "Deleted";
    emit(name, in);
  }
  if (changes.empty()) return;
  if (options_.read_only) {
    report->lines.push_back("status changed for " +
                            std::to_string(changes.size()) +
                            " cluster(s); read-only, not committed");
    return;
  }
  std::string subject = "status:";
  for (size_t i = 0; i < summary.size() && i < 6; ++i) {
    subject += (i ? ", " : " ") + summary[i];
  }
  if (summary.size() > 6)
    subject += " and " + std::to_string(summary.size() - 6) + " more";
  CommitRequest req = NewCommit(
      options_.status_branch.empty() ? options_.branch : options_.status_branch,
      subject);
  req.changes = changes;
  StatusOr<std::string> commit = status_source_->CommitAndPush(req);
  if (!commit.ok()) {
    report->lines.push_back("error: committing status: " +
                            commit.status().message());
    report->exit_code = std::max(report->exit_code, 3);
    return;
  }
  report->status_commit = *commit;
  if (!commit->empty()) {
    report->lines.push_back(subject + " (commit " + commit->substr(0, 12) +
                            ")");
  }
}

ReconcileReport Reconciler::RunOnce() {
  ReconcileReport report;
  if (!FetchSource(&report)) return report;
  Evaluate(snapshot_.commit);
  if (!ReadLive(&report)) return report;
  if (ExpireClusters(&report) && !ReadLive(&report)) return report;
  PlanAndApply(&report);
  if (!options_.ttl_only) WriteStatus(&report);
  if (report.lines.empty()) report.lines.push_back("nothing to do");
  if (ev_.has_errors && report.exit_code == 0) report.exit_code = 1;
  return report;
}

}  // namespace capigitops
