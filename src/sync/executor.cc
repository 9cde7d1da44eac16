// Carrying out a plan: inventory first, staged server-side apply, then
// pruning and CAPI-ordered cluster deletion.
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "capigitops/duration.h"
#include "capigitops/sync.h"

namespace capigitops {
namespace {

using nlohmann::json;

// Apply stages, as in flux's ssa ReconcileOrder: what others reference first,
// the Cluster that ties it together last.
int StageOf(const std::string& kind) {
  if (kind == "Cluster") return 2;
  if (kind == "KubeadmControlPlane" || kind == "MachineDeployment" ||
      kind == "MachineHealthCheck" ||
      (kind.size() > 7 && kind.compare(kind.size() - 7, 7, "Cluster") == 0)) {
    return 1;
  }
  return 0;  // identities, machine and bootstrap templates, Secrets
}
constexpr int kStages = 3;

struct ClusterRun {
  const ClusterPlan* plan;
  ClusterApplyResult result;
  Inventory inventory;
  bool failed = false;
  std::mutex mu;
};

Status WriteInventory(KubeClient& client, const std::string& ns,
                      const Inventory& inv, const std::string& manager) {
  ApplyOptions ao;
  ao.field_manager = manager;
  return client.Apply(inv.ToConfigMap(ns), ao).status();
}

// Templates still referenced by a live MachineDeployment, KubeadmControlPlane
// or MachineSet (during a rollout) must stay.
std::set<std::string> ReferencedTemplates(KubeClient& client,
                                          const std::string& ns,
                                          const std::string& cluster) {
  std::set<std::string> names;
  auto collect = [&](const json& node, auto&& self) -> void {
    if (node.is_object()) {
      for (auto it = node.begin(); it != node.end(); ++it) {
        if ((it.key() == "infrastructureRef" || it.key() == "configRef") &&
            it->is_object()) {
          names.insert(it->value("kind", "") + "/" + it->value("name", ""));
        }
        self(*it, self);
      }
    } else if (node.is_array()) {
      for (const json& item : node) self(item, self);
    }
  };
  for (auto [gv, kind] :
       {std::pair{"cluster.x-k8s.io/v1beta2", "MachineDeployment"},
        {"cluster.x-k8s.io/v1beta2", "MachineSet"},
        {"controlplane.cluster.x-k8s.io/v1beta2", "KubeadmControlPlane"}}) {
    StatusOr<ResourceInfo> r = client.Resolve(gv, kind);
    if (!r.ok()) continue;
    auto items =
        client.List(*r, ns, "cluster.x-k8s.io/cluster-name=" + cluster);
    if (!items.ok()) {
      names.insert("*");  // unknown: keep everything this pass
      continue;
    }
    for (const json& obj : *items)
      collect(obj.value("spec", json::object()), collect);
  }
  return names;
}

void ApplyStages(KubeClient& client,
                 std::vector<std::unique_ptr<ClusterRun>>& runs,
                 const SyncOptions& options) {
  size_t total = 0;
  for (auto& run : runs) {
    for (const ObjectChange& oc : run->plan->objects) {
      if (oc.action == ObjectAction::kCreate ||
          oc.action == ObjectAction::kUpdate)
        ++total;
    }
  }
  std::atomic<size_t> done{0};
  for (int stage = 0; stage < kStages; ++stage) {
    std::vector<std::pair<ClusterRun*, const ObjectChange*>> work;
    for (auto& run : runs) {
      if (run->failed) continue;  // don't build on a failed stage
      for (const ObjectChange& oc : run->plan->objects) {
        if ((oc.action == ObjectAction::kCreate ||
             oc.action == ObjectAction::kUpdate) &&
            StageOf(oc.ref.kind) == stage) {
          work.emplace_back(run.get(), &oc);
        }
      }
    }
    client.ParallelFor(work.size(), [&](size_t i) {
      auto [run, oc] = work[i];
      ApplyOptions ao;
      ao.field_manager = options.field_manager;
      Status s = client.Apply(oc->desired, ao).status();
      {
        std::lock_guard<std::mutex> lock(run->mu);
        if (s.ok()) {
          (oc->action == ObjectAction::kCreate
               ? run->result.counts.created
               : run->result.counts.configured)++;
        } else {
          run->result.counts.failed++;
          run->result.errors.push_back(s.message());
          run->failed = true;
        }
      }
      size_t n = ++done;
      if (options.progress) options.progress(n, total);
    });
  }
}

void PruneStale(KubeClient& client, const std::string& ns, ClusterRun* run) {
  std::set<std::string> referenced;
  bool looked = false;
  for (const ObjectChange& oc : run->plan->objects) {
    if (oc.action != ObjectAction::kDelete) continue;
    if (!looked && StageOf(oc.ref.kind) == 0) {
      referenced = ReferencedTemplates(client, ns, run->plan->name);
      looked = true;
    }
    if (referenced.count("*") ||
        referenced.count(oc.ref.kind + "/" + oc.ref.name)) {
      continue;  // still in use by a rollout: stays in the inventory
    }
    StatusOr<ResourceInfo> r = client.Resolve(oc.ref.api_version, oc.ref.kind);
    Status s = r.ok() ? client.Delete(*r, ns, oc.ref.name) : Status::Ok();
    if (s.ok()) {
      run->inventory.objects.erase(oc.ref);
      run->result.counts.deleted++;
    } else {
      run->result.counts.failed++;
      run->result.errors.push_back(s.message());
    }
  }
}

// Deletes the Cluster only, waits (bounded) for CAPI to remove it, then the
// rest of the inventory. Resumable: the inventory says "deleting".
void DeleteCluster(KubeClient& client, const std::string& ns,
                   const SyncOptions& options, ClusterRun* run) {
  Inventory& inv = run->inventory;
  const ObjRef* cluster_ref = nullptr;
  for (const ObjRef& r : inv.objects) {
    if (r.kind == "Cluster") cluster_ref = &r;
  }
  if (!inv.deleting) {
    inv.deleting = true;
    inv.deletion_reason = run->plan->reason;
    Status s = WriteInventory(client, ns, inv, options.field_manager);
    if (!s.ok()) {
      run->result.errors.push_back(s.message());
      run->result.counts.failed++;
      return;
    }
  }
  if (cluster_ref != nullptr) {
    StatusOr<ResourceInfo> r =
        client.Resolve(cluster_ref->api_version, "Cluster");
    if (!r.ok()) {
      run->result.errors.push_back(r.status().message());
      return;
    }
    Status s = client.Delete(*r, ns, cluster_ref->name);
    if (!s.ok()) {
      run->result.errors.push_back(s.message());
      run->result.counts.failed++;
      return;
    }
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::seconds(options.wait_seconds);
    while (true) {
      StatusOr<json> got = client.Get(*r, ns, cluster_ref->name);
      if (got.status().IsNotFound()) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        run->result.state =
            "deleting";  // CAPI is still tearing down; resume next pass
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    run->result.counts.deleted++;
  }
  for (const ObjRef& ref : std::set<ObjRef>(inv.objects)) {
    if (ref.kind == "Cluster") continue;
    StatusOr<ResourceInfo> r = client.Resolve(ref.api_version, ref.kind);
    Status s = r.ok() ? client.Delete(*r, ns, ref.name) : Status::Ok();
    if (!s.ok()) {
      run->result.errors.push_back(s.message());
      run->result.counts.failed++;
      return;
    }
    run->result.counts.deleted++;
  }
  ResourceInfo cms{"", "v1", "ConfigMap", "configmaps", true};
  Status s = client.Delete(cms, ns, Inventory::ConfigMapName(inv.cluster));
  if (!s.ok()) run->result.errors.push_back(s.message());
  run->result.state = "deleted";
}

}  // namespace

std::vector<ClusterApplyResult> ExecutePlan(KubeClient& client,
                                            const Plan& plan,
                                            const SyncOptions& options) {
  std::vector<std::unique_ptr<ClusterRun>> runs;
  for (const ClusterPlan& cp : plan.clusters) {
    auto run = std::make_unique<ClusterRun>();
    run->plan = &cp;
    run->result.name = cp.name;
    run->result.counts.unchanged = cp.Count(ObjectAction::kUnchanged);
    if (cp.inventory) run->inventory = *cp.inventory;
    run->inventory.cluster = cp.name;
    if (!cp.owner.empty()) run->inventory.owner = cp.owner;
    runs.push_back(std::move(run));
  }
  // The target namespace must exist before anything is created in it.
  bool creates = false;
  for (const ClusterPlan& cp : plan.clusters)
    creates |= cp.Count(ObjectAction::kCreate) > 0;
  if (creates) {
    ApplyOptions ao;
    ao.field_manager = options.field_manager;
    client.Apply({{"apiVersion", "v1"},
                  {"kind", "Namespace"},
                  {"metadata", {{"name", plan.ns}}}},
                 ao);
  }
  // Record every object we are about to create before creating it, so a crash
  // never leaves an object that no inventory knows.
  std::vector<ClusterRun*> apply_runs;
  for (auto& run : runs) {
    const ClusterPlan& cp = *run->plan;
    if (cp.action == ClusterAction::kBlocked) run->result.state = "blocked";
    if (cp.action != ClusterAction::kCreate &&
        cp.action != ClusterAction::kUpdate)
      continue;
    run->result.state = "applied";
    Inventory before = run->inventory;
    for (const ObjectChange& oc : cp.objects) {
      if (oc.action != ObjectAction::kDelete)
        run->inventory.objects.insert(oc.ref);
    }
    if (run->inventory.created_at == 0) run->inventory.created_at = options.now;
    if (!(before.objects == run->inventory.objects) || !cp.inventory)
      apply_runs.push_back(run.get());
  }
  client.ParallelFor(apply_runs.size(), [&](size_t i) {
    Status s = WriteInventory(client, plan.ns, apply_runs[i]->inventory,
                              options.field_manager);
    if (!s.ok()) {
      apply_runs[i]->failed = true;
      apply_runs[i]->result.errors.push_back(s.message());
    }
  });
  ApplyStages(client, runs, options);

  client.ParallelFor(runs.size(), [&](size_t i) {
    ClusterRun* run = runs[i].get();
    const ClusterPlan& cp = *run->plan;
    if (cp.action == ClusterAction::kDelete) {
      if (!options.prune || !plan.prune_allowed || plan.budget_exceeded ||
          cp.deletion_held) {
        run->result.state = "held";
        return;
      }
      DeleteCluster(client, plan.ns, options, run);
      return;
    }
    if (cp.action != ClusterAction::kUpdate || run->failed || !options.prune ||
        !plan.prune_allowed) {
      return;
    }
    size_t before = run->inventory.objects.size();
    PruneStale(client, plan.ns, run);
    if (run->inventory.objects.size() != before) {
      Status s = WriteInventory(client, plan.ns, run->inventory,
                                options.field_manager);
      if (!s.ok()) run->result.errors.push_back(s.message());
    }
  });
  std::vector<ClusterApplyResult> out;
  for (auto& run : runs) out.push_back(run->result);
  return out;
}

}  // namespace capigitops
