// Carrying out a plan: inventory first, staged server-side apply, then
// pruning and CAPI-ordered cluster deletion.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <queue>
#include <thread>

#include "capigitops/apply_order.h"
#include "capigitops/duration.h"
#include "capigitops/sync.h"

namespace capigitops {
namespace {

using nlohmann::json;

struct ClusterRun {
  const ClusterPlan* plan;
  ClusterApplyResult result;
  Inventory inventory;
  bool failed = false;
  std::mutex mu;
};

Status WriteInventory(KubeApi& client, const std::string& ns,
                      const Inventory& inv, const std::string& manager) {
  ApplyOptions ao;
  ao.field_manager = manager;
  return client.Apply(inv.ToConfigMap(ns), ao).status();
}

// Templates still referenced by a live MachineDeployment, KubeadmControlPlane
// or MachineSet (during a rollout) must stay.
std::set<std::string> ReferencedTemplates(KubeApi& client,
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

// Applies every cluster's inventory and staged objects. Each cluster moves
// through its own steps (inventory write, then stages 0, 1, 2) while the
// others are in theirs: a barrier per stage across all clusters left slots
// idle at the end of every stage, and at 10 ms of API latency most of the
// run was such tails. The order within a cluster is kept: a step starts only
// when the previous one succeeded completely.
class StagedApply {
 public:
  StagedApply(KubeApi& client, const std::string& ns,
              const SyncOptions& options)
      : client_(client), ns_(ns), options_(options) {}

  // `write_inventory`: runs whose inventory must be written first.
  void Run(const std::vector<std::unique_ptr<ClusterRun>>& runs,
           const std::set<ClusterRun*>& write_inventory) {
    size_t tasks = 0;
    for (size_t i = 0; i < runs.size(); ++i) {
      ClusterRun* run = runs[i].get();
      size_t objects = 0;
      for (const ObjectChange& oc : run->plan->objects) objects += Applies(oc);
      total_ += objects;
      tasks += objects + 1;
      bool inventory = write_inventory.count(run) > 0;
      std::lock_guard<std::mutex> lock(mu_);
      ++active_;
      if (inventory) {
        states_[run] = {i, 0, 1};
        ready_.push({0, i, run, nullptr});
      } else {
        states_[run] = {i, 0, 0};
        AdvanceLocked(run);
      }
    }
    // One call per task at most; each takes whatever is ready next, so the
    // client's --concurrency threads stay busy until the last step is done.
    client_.ParallelFor(tasks, [&](size_t) { RunOne(); });
  }

 private:
  struct Task {
    int step;  // 0: the inventory, 1 + stage: an object of that stage
    size_t order;
    ClusterRun* run;
    const ObjectChange* change;  // null for the inventory
    // Later steps first, so clusters finish early and in order.
    bool operator<(const Task& o) const {
      return step != o.step ? step < o.step : order > o.order;
    }
  };
  struct RunState {
    size_t order = 0;
    int step = 0;
    size_t pending = 0;
  };

  static bool Applies(const ObjectChange& oc) {
    return oc.action == ObjectAction::kCreate ||
           oc.action == ObjectAction::kUpdate;
  }

  // Queues the next step of `run` that has work, or retires the run.
  void AdvanceLocked(ClusterRun* run) {
    RunState& st = states_[run];
    while (!run->failed && st.step < kApplyStages) {
      ++st.step;
      for (const ObjectChange& oc : run->plan->objects) {
        if (Applies(oc) &&
            static_cast<int>(ApplyStageOf(oc.ref.kind)) == st.step - 1) {
          ready_.push({st.step, st.order, run, &oc});
          ++st.pending;
        }
      }
      if (st.pending > 0) {
        cv_.notify_all();
        return;
      }
    }
    --active_;
    cv_.notify_all();
  }

  void RunOne() {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !ready_.empty() || active_ == 0; });
      if (ready_.empty()) return;
      task = ready_.top();
      ready_.pop();
    }
    Status s = task.change ? ApplyObject(task) : Inventory(task);
    std::lock_guard<std::mutex> lock(mu_);
    if (!s.ok()) task.run->failed = true;
    if (--states_[task.run].pending == 0) AdvanceLocked(task.run);
  }

  Status Inventory(const Task& task) {
    Status s = WriteInventory(client_, ns_, task.run->inventory,
                              options_.field_manager);
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(task.run->mu);
      task.run->result.errors.push_back(s);
    }
    return s;
  }

  Status ApplyObject(const Task& task) {
    ApplyOptions ao;
    ao.field_manager = options_.field_manager;
    Status s = client_.Apply(task.change->DesiredObject(), ao).status();
    {
      std::lock_guard<std::mutex> lock(task.run->mu);
      ApplyCounts& counts = task.run->result.counts;
      if (s.ok()) {
        (task.change->action == ObjectAction::kCreate ? counts.created
                                                      : counts.configured)++;
      } else {
        counts.failed++;
        task.run->result.errors.push_back(s);
      }
    }
    size_t n = ++done_;
    if (options_.progress) options_.progress(n, total_);
    return s;
  }

  KubeApi& client_;
  const std::string ns_;
  const SyncOptions& options_;
  size_t total_ = 0;
  std::atomic<size_t> done_{0};
  std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  std::priority_queue<Task> ready_;
  std::map<ClusterRun*, RunState> states_;
  size_t active_ = 0;  // runs with steps queued or in flight
};

void PruneStale(KubeApi& client, const std::string& ns, ClusterRun* run) {
  std::set<std::string> referenced;
  bool looked = false;
  for (const ObjectChange& oc : run->plan->objects) {
    if (oc.action == ObjectAction::kKeep) {
      // Shared and still needed by another cluster, whose inventory lists
      // it: it leaves this inventory without being deleted.
      run->inventory.objects.erase(oc.ref);
      continue;
    }
    if (oc.action != ObjectAction::kDelete) continue;
    if (!looked && ApplyStageOf(oc.ref.kind) == ApplyStage::kReferenced) {
      referenced = ReferencedTemplates(client, ns, run->plan->name);
      looked = true;
    }
    if (referenced.count("*") ||
        referenced.count(oc.ref.kind + "/" + oc.ref.name)) {
      continue;  // still in use by a rollout: stays in the inventory
    }
    StatusOr<ResourceInfo> r = client.Resolve(oc.ref.api_version, oc.ref.kind);
    Status s = r.ok() ? client.Delete(*r, ns, oc.ref.name, {}) : Status::Ok();
    if (s.ok()) {
      run->inventory.objects.erase(oc.ref);
      run->result.counts.deleted++;
    } else {
      run->result.counts.failed++;
      run->result.errors.push_back(s);
    }
  }
}

// Deletes the Cluster only, waits (bounded) for CAPI to remove it, then the
// rest of the inventory. Resumable: the inventory says "deleting".
void DeleteCluster(KubeApi& client, const std::string& ns,
                   const SyncOptions& options, ClusterRun* run) {
  // Until every step has succeeded: the next pass resumes from the inventory.
  run->result.state = ClusterApplyState::kDeleting;
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
      run->result.errors.push_back(s);
      run->result.counts.failed++;
      return;
    }
  }
  // The cluster's controllers (its autoscaler) go first: one left running
  // while CAPI tears the cluster down could scale it up again.
  for (const ObjRef& ref : std::set<ObjRef>(inv.objects)) {
    if (ApplyStageOf(ref.kind) != ApplyStage::kControllers) continue;
    StatusOr<ResourceInfo> r = client.Resolve(ref.api_version, ref.kind);
    Status s = r.ok() ? client.Delete(*r, ns, ref.name, {}) : Status::Ok();
    if (!s.ok()) {
      run->result.errors.push_back(s);
      run->result.counts.failed++;
      return;
    }
  }
  if (cluster_ref != nullptr) {
    StatusOr<ResourceInfo> r =
        client.Resolve(cluster_ref->api_version, "Cluster");
    if (!r.ok()) {
      run->result.errors.push_back(r.status());
      return;
    }
    Status s = client.Delete(*r, ns, cluster_ref->name, {});
    if (!s.ok()) {
      run->result.errors.push_back(s);
      run->result.counts.failed++;
      return;
    }
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::seconds(options.wait_seconds);
    while (true) {
      StatusOr<json> got = client.Get(*r, ns, cluster_ref->name);
      if (got.status().IsNotFound()) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        // CAPI is still tearing down; resume next pass
        run->result.state = ClusterApplyState::kDeleting;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    run->result.counts.deleted++;
  }
  std::set<ObjRef> shared;  // still needed by another cluster: kept
  for (const ObjectChange& oc : run->plan->objects) {
    if (oc.action == ObjectAction::kKeep) shared.insert(oc.ref);
  }
  for (const ObjRef& ref : std::set<ObjRef>(inv.objects)) {
    if (ref.kind == "Cluster" || shared.count(ref)) continue;
    if (ApplyStageOf(ref.kind) == ApplyStage::kControllers) {
      run->result.counts.deleted++;  // deleted before the Cluster
      continue;
    }
    StatusOr<ResourceInfo> r = client.Resolve(ref.api_version, ref.kind);
    Status s = r.ok() ? client.Delete(*r, ns, ref.name, {}) : Status::Ok();
    if (!s.ok()) {
      run->result.errors.push_back(s);
      run->result.counts.failed++;
      return;
    }
    run->result.counts.deleted++;
  }
  ResourceInfo cms{"", "v1", "ConfigMap", "configmaps", true};
  Status s = client.Delete(cms, ns, Inventory::ConfigMapName(inv.cluster), {});
  if (!s.ok()) run->result.errors.push_back(s);
  run->result.state = ClusterApplyState::kDeleted;
}

}  // namespace

const char* ClusterApplyStateName(ClusterApplyState s) {
  switch (s) {
    case ClusterApplyState::kUnchanged:
      return "unchanged";
    case ClusterApplyState::kApplied:
      return "applied";
    case ClusterApplyState::kDeleting:
      return "deleting";
    case ClusterApplyState::kDeleted:
      return "deleted";
    case ClusterApplyState::kBlocked:
      return "blocked";
    case ClusterApplyState::kHeld:
      return "held";
  }
  return "?";
}

std::vector<ClusterApplyResult> ExecutePlan(KubeApi& client, const Plan& plan,
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
  std::set<ClusterRun*> write_inventory;
  for (auto& run : runs) {
    const ClusterPlan& cp = *run->plan;
    if (cp.action == ClusterAction::kBlocked)
      run->result.state = ClusterApplyState::kBlocked;
    if (cp.action != ClusterAction::kCreate &&
        cp.action != ClusterAction::kUpdate)
      continue;
    run->result.state = ClusterApplyState::kApplied;
    Inventory before = run->inventory;
    for (const ObjectChange& oc : cp.objects) {
      if (oc.action != ObjectAction::kDelete)
        run->inventory.objects.insert(oc.ref);
    }
    if (run->inventory.created_at == 0) run->inventory.created_at = options.now;
    if (!(before.objects == run->inventory.objects) || !cp.inventory)
      write_inventory.insert(run.get());
  }
  StagedApply(client, plan.ns, options).Run(runs, write_inventory);

  client.ParallelFor(runs.size(), [&](size_t i) {
    ClusterRun* run = runs[i].get();
    const ClusterPlan& cp = *run->plan;
    if (cp.action == ClusterAction::kDelete) {
      if (!options.prune || !plan.prune_allowed || plan.budget_exceeded ||
          cp.deletion_held) {
        run->result.state = ClusterApplyState::kHeld;
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
      if (!s.ok()) run->result.errors.push_back(s);
    }
  });
  std::vector<ClusterApplyResult> out;
  for (auto& run : runs) out.push_back(run->result);
  return out;
}

}  // namespace capigitops
