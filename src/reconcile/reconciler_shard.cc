// Sharding (--shard I/N, shard.h): a pass of shard I plans, applies,
// prunes, tears down and writes status only for the clusters of shard I.
//
// The whole repository is still evaluated (policies may weigh every
// cluster), but only this shard's clusters are expanded into objects (and
// the catalog only by its shard), and the whole live state is still read:
// the other shards' inventories keep their shared objects alive
// (KeepSharedObjects), keep their objects from being reported as orphans,
// and count towards the size the deletion budget is taken of. What changes
// is what the pass acts on: the other shards' clusters leave the evaluation
// before anything is expanded, and their live inventories enter the desired
// state as blocked, so the plan leaves them exactly as they are (a cluster
// another shard owns is never "removed from the repository" here), and are
// then dropped from the plan.
//
// A cluster moves shards only when N changes, which takes a new process, so
// only between passes. Its inventory ConfigMap and objects carry no shard:
// the new owner finds its inventory and adopts it as any pass does, and the
// old owner sees it as another shard's, never as removed.
#include <set>

#include "capigitops/shard.h"
#include "reconcile/reconciler.h"

namespace capigitops {
namespace {

std::string ShardFileStem(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string base = path.substr(slash == std::string::npos ? 0 : slash + 1);
  return base.substr(0, base.rfind('.'));
}

}  // namespace

bool Reconciler::Owns(const std::string& name) const {
  return ShardOwns(options_.shard, ev_.ns, name);
}

void Reconciler::KeepOwnClusters() {
  if (!options_.shard.sharded()) return;
  std::set<std::string> foreign;
  for (const ClusterResult& c : ev_.clusters) {
    if (!Owns(c.request.name)) foreign.insert(c.request.name);
  }
  RemoveClusters(foreign, &ev_);
  std::erase_if(ev_.repo.broken,
                [&](const std::string& name) { return !Owns(name); });
  std::erase_if(ev_.blocked,
                [&](const std::string& name) { return !Owns(name); });
  // Shard 0 owns the catalog; the others neither expand, apply nor prune it
  // (FetchSource; its live inventory is blocked in BlockForeignInventories).
  // The pass is invalid for what this shard owns: errors outside cluster
  // files (they concern every shard) and its own clusters' (expansion, and
  // the catalog's, adds its errors after this).
  bool errors = !ev_.blocked.empty();
  const std::string clusters = ev_.repo.config.clusters_path + "/";
  for (const Diagnostic& d : ev_.repo.diags) {
    if (d.severity != Severity::kError) continue;
    if (d.file.rfind(clusters, 0) != 0 || Owns(ShardFileStem(d.file)))
      errors = true;
  }
  ev_.has_errors = errors;
}

void Reconciler::BlockForeignInventories() {
  if (!options_.shard.sharded()) return;
  for (const auto& [name, inv] : live_.inventories) {
    if (Owns(name)) continue;
    desired_.blocked[name] =
        "owned by shard " +
        std::to_string(ShardOf(ev_.ns, name, options_.shard.count)) + "/" +
        std::to_string(options_.shard.count);
  }
}

void Reconciler::DropForeignPlans(Plan* plan) const {
  if (!options_.shard.sharded()) return;
  std::erase_if(plan->clusters,
                [&](const ClusterPlan& cp) { return !Owns(cp.name); });
}

}  // namespace capigitops
