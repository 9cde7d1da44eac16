// Building the plan: what to create, update, keep and delete per cluster.
#include <algorithm>
#include <cmath>
#include <functional>
#include <mutex>
#include <optional>

#include "capigitops/duration.h"
#include "capigitops/labels.h"
#include "capigitops/sync.h"
#include "sync/plan_safety.h"
#include "util/parallel.h"

namespace capigitops {
namespace {

using nlohmann::json;

// True when Normalize(live) would drop nothing that `desired` sets, so
// IsSubset(desired, live) gives the same answer without copying the live
// object (with its managed fields, most of its size). Rendered objects never
// set these fields.
bool NormalizeIsMoot(const json& desired) {
  if (desired.contains("status")) return false;
  auto meta = desired.find("metadata");
  if (meta == desired.end() || !meta->is_object()) return true;
  for (const char* key :
       {"managedFields", "resourceVersion", "uid", "generation",
        "creationTimestamp", "selfLink", "deletionGracePeriodSeconds"}) {
    if (meta->contains(key)) return false;
  }
  auto ann = meta->find("annotations");
  return ann == meta->end() || !ann->is_object() ||
         !ann->contains("kubectl.kubernetes.io/last-applied-configuration");
}

// True when `object` has a metadata map whose annotations (if any) are a map
// without `annotation`: then there is nothing to erase before comparing.
bool HasPlainMetadataWithout(const json& object, const char* annotation) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return false;
  auto ann = meta->find("annotations");
  return ann == meta->end() || (ann->is_object() && !ann->contains(annotation));
}

bool LooksUnchanged(const json& desired, const LiveObject& live,
                    const std::string& manager) {
  // The source revision alone is no reason to write: otherwise every commit,
  // our own status commits included, would touch every Cluster. It is
  // updated whenever the object changes for another reason.
  // Copying only objects that carry it (the Cluster) saved a deep copy of
  // every other desired object.
  std::optional<json> copy;
  if (!HasPlainMetadataWithout(desired, kRevisionAnnotation)) {
    copy = desired;
    if ((*copy)["metadata"].contains("annotations")) {
      (*copy)["metadata"]["annotations"].erase(kRevisionAnnotation);
    }
  }
  const json& compared = copy ? *copy : desired;
  // Compared on the encoded live object: decoded only in the rare case that
  // the desired one sets what Normalize drops.
  if (NormalizeIsMoot(compared)
          ? !live.Contains(compared)
          : !IsSubset(compared, Normalize(live.Decode()))) {
    return false;
  }
  // FetchLiveState keeps of the managed fields only the Apply entries' "f:"
  // keys (live_list_encoder.cc); they too are read without decoding.
  return !live.AppliedFieldsOutside(desired, manager);
}

// Applying from a directory without --revision must not erase the revision
// a Git pass recorded: without one of our own, keep the live one.
void KeepLiveRevision(const LiveObject& live, json* desired) {
  json& ann = (*desired)["metadata"]["annotations"];
  if (ann.is_object() && ann.contains(kRevisionAnnotation)) return;
  // Only the annotation is decoded.
  std::optional<json> live_rev =
      live.Get({"metadata", "annotations", kRevisionAnnotation});
  if (live_rev) {
    ann[kRevisionAnnotation] = std::move(*live_rev);
  } else if (ann.is_null()) {
    (*desired)["metadata"].erase("annotations");
  }
}

// createdAt on the Cluster, and for a duration TTL (render writes "ttl"
// only: it does not know createdAt) the expiry it gives, counted from
// createdAt as the TTL is, so the annotation does not move between passes.
json WithCreatedAt(json obj, int64_t created_at) {
  if (obj.value("kind", "") == "Cluster" && created_at > 0) {
    json& ann = obj["metadata"]["annotations"];
    ann[kCreatedAtAnnotation] = FormatRfc3339(created_at);
    auto ttl = ann.find(kTtlAnnotation);
    std::optional<int64_t> secs;
    if (ttl != ann.end() && ttl->is_string()) {
      secs = ParseDuration(ttl->get<std::string>());
    }
    if (secs && *secs > 0 && !ann.contains(kExpiresAtAnnotation)) {
      ann[kExpiresAtAnnotation] = FormatRfc3339(created_at + *secs);
    }
  }
  return obj;
}

// Of a live object, its labels where they are (all HoldAddonLabelRemovals
// reads, through LabelsOf).
json LabelsOnly(const LiveObject& live) {
  std::optional<json> labels = live.Get({"metadata", "labels"});
  if (!labels) return json::object();
  return json{{"metadata", {{"labels", std::move(*labels)}}}};
}

// `objects` are dc's, moved into the plan.
void PlanDesiredCluster(const DesiredCluster& dc, std::vector<json> objects,
                        const LiveState& live, const SyncOptions& options,
                        const std::map<std::string, std::string>& provides,
                        ClusterPlan* cp, std::vector<ObjectChange*>* to_check) {
  auto inv = live.inventories.find(dc.name);
  if (inv != live.inventories.end()) cp->inventory = inv->second;
  int64_t created = cp->inventory && cp->inventory->created_at
                        ? cp->inventory->created_at
                        : options.now;
  std::set<ObjRef> desired_refs;
  for (json& object : objects) {
    ObjectChange oc;
    oc.ref = ObjRef::Of(object);  // read before the move below
    oc.desired = WithCreatedAt(std::move(object), created);
    desired_refs.insert(oc.ref);
    auto found = live.objects.find(oc.ref);
    const LiveObject* l =
        found == live.objects.end() ? nullptr : &found->second;
    if (l) KeepLiveRevision(*l, &oc.desired);
    if (l && oc.ref.kind == "Cluster") {
      HoldAddonLabelRemovals(LabelsOnly(*l), provides,
                             options.allow_addon_removal, &oc.desired, cp);
    }
    if (!l) {
      oc.action = ObjectAction::kCreate;
    } else if (LooksUnchanged(oc.desired, *l, options.field_manager)) {
      oc.action = ObjectAction::kUnchanged;
    } else {
      oc.action = ObjectAction::kUpdate;  // confirmed by a dry run below
    }
    cp->objects.push_back(std::move(oc));
  }
  if (cp->inventory) {
    for (const ObjRef& stale : Stale(cp->inventory->objects, desired_refs)) {
      if (IsCatalogInventory(dc.name) && !options.allow_addon_removal) {
        std::string held = VitalAddonStillSelected(stale, live);
        if (!held.empty()) {  // stays, and stays in the inventory
          cp->addon_removals_held.push_back(held);
          continue;
        }
      }
      ObjectChange oc;
      oc.ref = stale;
      oc.action = ObjectAction::kDelete;
      cp->objects.push_back(std::move(oc));
    }
  }
  for (ObjectChange& oc : cp->objects) {
    if (oc.action == ObjectAction::kUpdate) to_check->push_back(&oc);
  }
  // Say before apply that it cannot work: e.g. OpenStackCluster v1beta2
  // against CAPO v0.14.x, which serves only v1beta1.
  for (const auto& [api_version, kind] : live.unserved) {
    for (const ObjectChange& oc : cp->objects) {
      if (oc.action == ObjectAction::kDelete ||
          oc.ref.api_version != api_version || oc.ref.kind != kind) {
        continue;
      }
      if (!cp->error.empty()) cp->error += "; ";
      cp->error += "the management cluster does not serve " + kind + " in " +
                   api_version +
                   ": install a provider release that serves it, or choose "
                   "the API version the installed one serves (docs/deploy.md)";
      break;
    }
  }
}

// Server defaults must not show as drift: apply with dryRun=All and compare
// what the server would store with what it stores now.
void ConfirmWithDryRun(
    KubeApi& client, const LiveState& live, const SyncOptions& options,
    const std::vector<std::pair<ClusterPlan*, ObjectChange*>>& checks) {
  std::mutex mu;
  DryRunKubeApi dry_run(client);
  dry_run.ParallelFor(checks.size(), [&](size_t i) {
    ObjectChange* oc = checks[i].second;
    ApplyOptions ao;
    ao.field_manager = options.field_manager;
    StatusOr<json> result = dry_run.Apply(oc->desired, ao);
    std::lock_guard<std::mutex> lock(mu);
    // A read-only identity (CI's plan, deploy/components/ci-plan-reader)
    // may not patch, not even as a dry run: the client-side diff stands,
    // as through ReadOnlyKubeApi.
    if (result.status().code() == StatusCode::kPermissionDenied) return;
    if (!result.ok()) {
      checks[i].first->error = result.status().message();
      return;
    }
    json before = Normalize(live.objects.at(oc->ref).Decode());
    json after = Normalize(*result);
    oc->changes = DiffObjects(before, after);
    if (oc->changes.empty()) oc->action = ObjectAction::kUnchanged;
  });
}

// Frees what a planned cluster's plan no longer needs: the desired object
// of everything that will not be applied. An unchanged Cluster keeps its
// labels (ObjectChange::desired).
void DropUnapplied(ClusterPlan* cp) {
  for (ObjectChange& oc : cp->objects) {
    if (oc.action != ObjectAction::kUnchanged || oc.desired.is_null()) continue;
    json labels;
    if (oc.ref.kind == "Cluster" && oc.desired.is_object()) {
      auto meta = oc.desired.find("metadata");
      if (meta != oc.desired.end() && meta->is_object()) {
        auto l = meta->find("labels");
        if (l != meta->end()) labels = std::move(*l);
      }
    }
    oc.desired = labels.is_null()
                     ? json()
                     : json{{"metadata", {{"labels", std::move(labels)}}}};
  }
}

// Keeps a planned cluster's objects to apply encoded until apply decodes
// them one at a time (ObjectChange::desired_encoded): ~12 trees per cluster
// otherwise stay whole from planning to the end of apply. Clusters and the
// catalog's objects stay trees: later steps read them (ListCatalogReach
// reads every object of the catalog's plan).
void EncodeToApply(ClusterPlan* cp) {
  if (IsCatalogInventory(cp->name)) return;
  for (ObjectChange& oc : cp->objects) {
    if ((oc.action != ObjectAction::kCreate &&
         oc.action != ObjectAction::kUpdate) ||
        !oc.desired.is_object() || oc.ref.kind == "Cluster") {
      continue;
    }
    oc.desired_encoded = LiveObject(oc.desired);
    oc.desired = nullptr;
  }
}

// The objects of desired.clusters[i] to plan: rendered now when pending,
// else moved out of `take` (then `desired` itself) or copied.
std::vector<json> ObjectsToPlan(const DesiredState& desired, DesiredState* take,
                                size_t i) {
  const DesiredCluster& dc = desired.clusters[i];
  if (dc.pending)
    return desired.render ? desired.render(dc) : std::vector<json>{};
  if (take != nullptr) return std::move(take->clusters[i].objects);
  return dc.objects;
}

void PlanDeletion(const Inventory& inv, const LiveState& live,
                  ClusterPlan* cp) {
  cp->action = ClusterAction::kDelete;
  cp->inventory = inv;
  cp->owner = inv.owner;
  cp->reason = inv.deleting ? "deletion in progress: " + inv.deletion_reason
                            : "removed from the repository";
  for (const ObjRef& r : inv.objects) {
    ObjectChange oc;
    oc.ref = r;
    oc.action = ObjectAction::kDelete;
    cp->objects.push_back(std::move(oc));
    if (r.kind != "Cluster") continue;
    const std::optional<json> l = live.Find(r);
    if (!l) continue;
    const json ann = l->value("metadata", json::object())
                         .value("annotations", json::object());
    if (ann.value(kDeletionProtectionAnnotation, "") == "true") {
      cp->deletion_held = true;
      cp->reason =
          "deletionProtection is true on the live cluster: nothing is "
          "deleted. To delete it, restore its spec with "
          "deletionProtection: false, let it sync, then remove the file";
    }
  }
}

// Inventoried clusters; the add-on catalog's inventory is not one.
int ManagedClusters(const LiveState& live) {
  return static_cast<int>(live.inventories.size() -
                          live.inventories.count(kCatalogInventoryName));
}

void CheckBudget(const DesiredState& desired, const LiveState& live,
                 const SyncOptions& options, Plan* plan) {
  int deletions = 0;
  for (const ClusterPlan& cp : plan->clusters) {
    if (cp.action == ClusterAction::kDelete && !cp.deletion_held &&
        !(cp.inventory && cp.inventory->deleting) &&
        !IsCatalogInventory(cp.name)) {
      ++deletions;
    }
  }
  int managed = ManagedClusters(live);
  int budget = ClusterDeletionsAllowed(desired, live);
  if (deletions > budget && !options.allow_mass_deletion) {
    plan->budget_exceeded = true;
    plan->budget_message =
        "deletion budget exceeded: this pass would delete " +
        std::to_string(deletions) + " of " + std::to_string(managed) +
        " managed clusters, more than the budget of " + std::to_string(budget) +
        " (safety.deletionBudget in capi-gitops.yaml). Nothing "
        "is deleted. If this is intended, run once with --allow-mass-deletion "
        "or raise "
        "the budget";
  }
}

}  // namespace

int ClusterDeletionsAllowed(const DesiredState& desired,
                            const LiveState& live) {
  int managed = ManagedClusters(live);
  return std::max(desired.budget_max_clusters,
                  static_cast<int>(
                      std::ceil(managed * desired.budget_max_percent / 100.0)));
}

const char* ObjectActionName(ObjectAction a) {
  switch (a) {
    case ObjectAction::kCreate:
      return "create";
    case ObjectAction::kUpdate:
      return "update";
    case ObjectAction::kUnchanged:
      return "unchanged";
    case ObjectAction::kDelete:
      return "delete";
    case ObjectAction::kKeep:
      return "keep";
  }
  return "?";
}

const char* ClusterActionName(ClusterAction a) {
  switch (a) {
    case ClusterAction::kCreate:
      return "create";
    case ClusterAction::kUpdate:
      return "update";
    case ClusterAction::kUnchanged:
      return "unchanged";
    case ClusterAction::kDelete:
      return "delete";
    case ClusterAction::kBlocked:
      return "blocked";
  }
  return "?";
}

int ClusterPlan::Count(ObjectAction a) const {
  return static_cast<int>(
      std::count_if(objects.begin(), objects.end(),
                    [&](const ObjectChange& o) { return o.action == a; }));
}

bool Plan::HasChanges() const {
  for (const ClusterPlan& cp : clusters) {
    if (cp.action != ClusterAction::kUnchanged &&
        cp.action != ClusterAction::kBlocked) {
      return true;
    }
  }
  return false;
}

namespace {

// Clusters rendered and planned at once: enough to keep both cores and the
// dry-run requests busy, few enough that a batch's objects are a small part
// of a pass's memory.
constexpr size_t kPlanBatch = 128;

// BuildPlan; with `take` (then `desired` itself) the desired objects are
// moved into the plan rather than copied.
Plan MakePlan(KubeApi& client, const DesiredState& desired, DesiredState* take,
              const LiveState& live, const SyncOptions& options) {
  Plan plan;
  plan.ns = desired.ns;
  plan.now = options.now;
  plan.prune_allowed = desired.prune_allowed;
  plan.prune_blocked_reason = desired.prune_blocked_reason;
  std::set<std::string> seen;
  // Pending clusters never carry add-on provides labels (ExpandCatalog's
  // objects do, and the catalog is rendered before planning; the one
  // per-cluster set, cluster-secrets, selects capigitops.io/cluster, no
  // add-on label), so this is the same before and after they are rendered.
  const std::map<std::string, std::string> provides =
      AddonProvidesByLabel(desired, live);
  plan.clusters.reserve(desired.clusters.size() + live.inventories.size() +
                        desired.blocked.size());
  for (size_t first = 0; first < desired.clusters.size(); first += kPlanBatch) {
    size_t n = std::min(kPlanBatch, desired.clusters.size() - first);
    // Each cluster is rendered and planned on its own (the live state and
    // `provides` are only read), into its slot; reserved above, so the
    // ClusterPlans do not move while the checks point at them.
    size_t planned = plan.clusters.size();
    for (size_t k = 0; k < n; ++k) {
      const DesiredCluster& dc = desired.clusters[first + k];
      seen.insert(dc.name);
      ClusterPlan& cp = plan.clusters.emplace_back();
      cp.name = dc.name;
      cp.owner = dc.owner;
    }
    std::vector<std::vector<ObjectChange*>> to_check(n);
    ParallelFor(n, [&](size_t k) {
      const DesiredCluster& dc = desired.clusters[first + k];
      ClusterPlan& cp = plan.clusters[planned + k];
      auto moved = live.elsewhere.find(dc.name);
      if (moved != live.elsewhere.end() && !live.inventories.count(dc.name)) {
        HoldNamespaceChange(moved->second, desired.ns, &cp);
        return;
      }
      std::vector<json> objects = ObjectsToPlan(desired, take, first + k);
      if (dc.pending && objects.empty()) {
        // Never happens (a rendered cluster has at least its Cluster), but
        // planned with no objects it would prune its whole inventory.
        cp.action = ClusterAction::kBlocked;
        cp.reason = "its objects could not be rendered";
        auto inv = live.inventories.find(dc.name);
        if (inv != live.inventories.end()) cp.inventory = inv->second;
        return;
      }
      PlanDesiredCluster(dc, std::move(objects), live, options, provides, &cp,
                         &to_check[k]);
    });
    std::vector<std::pair<ClusterPlan*, ObjectChange*>> checks;
    for (size_t k = 0; k < n; ++k) {
      for (ObjectChange* oc : to_check[k])
        checks.emplace_back(&plan.clusters[planned + k], oc);
    }
    ConfirmWithDryRun(client, live, options, checks);
    ParallelFor(plan.clusters.size() - planned, [&](size_t k) {
      DropUnapplied(&plan.clusters[planned + k]);
      EncodeToApply(&plan.clusters[planned + k]);
    });
  }
  for (const auto& [name, reason] : desired.blocked) {
    seen.insert(name);
    ClusterPlan& cp = plan.clusters.emplace_back();
    cp.name = name;
    cp.action = ClusterAction::kBlocked;
    cp.reason = reason + ": the live cluster is left exactly as it is";
    auto inv = live.inventories.find(name);
    if (inv != live.inventories.end()) cp.inventory = inv->second;
  }
  for (const auto& [name, inv] : live.inventories) {
    if (seen.count(name)) continue;
    PlanDeletion(inv, live, &plan.clusters.emplace_back());
    plan.clusters.back().name = name;
  }
  for (ClusterPlan& cp : plan.clusters) {
    if (cp.action == ClusterAction::kBlocked ||
        cp.action == ClusterAction::kDelete)
      continue;
    if (!cp.inventory) {
      cp.action = ClusterAction::kCreate;
    } else if (cp.Count(ObjectAction::kCreate) +
                   cp.Count(ObjectAction::kUpdate) +
                   cp.Count(ObjectAction::kDelete) >
               0) {
      cp.action = ClusterAction::kUpdate;
    }
  }
  if (!plan.prune_allowed) {
    for (ClusterPlan& cp : plan.clusters) {
      if (cp.action == ClusterAction::kDelete) {
        cp.deletion_held = true;
        cp.reason = plan.prune_blocked_reason;
      }
    }
  }
  for (ClusterPlan& cp : plan.clusters) {
    if (IsCatalogInventory(cp.name)) ListCatalogReach(live, plan, &cp);
  }
  CheckBudget(desired, live, options, &plan);
  KeepSharedObjects(client, live, &plan);
  // References, not copies: a pass of 10,000 clusters inventories ~125,000.
  std::set<std::reference_wrapper<const ObjRef>, std::less<ObjRef>> inventoried;
  for (const auto& [name, inv] : live.inventories) {
    inventoried.insert(inv.objects.begin(), inv.objects.end());
  }
  for (const auto& [ref, obj] : live.objects) {
    if (!inventoried.count(ref)) plan.orphans.push_back(ref.ToString());
  }
  std::sort(plan.clusters.begin(), plan.clusters.end(),
            [](const ClusterPlan& a, const ClusterPlan& b) {
              return a.name < b.name;
            });
  return plan;
}

}  // namespace

Plan BuildPlan(KubeApi& client, const DesiredState& desired,
               const LiveState& live, const SyncOptions& options) {
  return MakePlan(client, desired, nullptr, live, options);
}

Plan BuildPlan(KubeApi& client, DesiredState* desired, const LiveState& live,
               const SyncOptions& options) {
  return MakePlan(client, *desired, desired, live, options);
}

}  // namespace capigitops
