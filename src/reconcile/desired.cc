// From an Evaluation to the sync layer's DesiredState.
#include "capigitops/json.h"
#include "capigitops/plan_review.h"
#include "capigitops/reconcile.h"

namespace capigitops {

namespace {

// The plan's "before" side: the Cluster, applied last, carries the spec its
// objects were rendered from (plan_review.h).
void RecordAppliedSpec(const ClusterRequest& req,
                       std::vector<nlohmann::json>* objects) {
  for (nlohmann::json& obj : *objects) {
    if (obj.value("kind", "") != "Cluster") continue;
    obj["metadata"]["annotations"][kAppliedSpecAnnotation] =
        yaml::DumpJson(SpecRecord(req));
  }
}

// ToDesiredState and TakeDesiredState: the rendered objects are copied
// from `ev`, or moved out of `taken` (then the same object as `ev`).
DesiredState MakeDesiredState(const Evaluation& ev, Evaluation* taken) {
  DesiredState d;
  d.ns = ev.ns;
  d.budget_max_clusters = ev.repo.config.deletion_budget.max_clusters;
  d.budget_max_percent = ev.repo.config.deletion_budget.max_percent;
  for (const ClusterResult& c : ev.clusters) {
    if (c.denied) {
      d.blocked[c.request.name] = "denied by policy";
      continue;
    }
    if (!c.render_error.empty()) {
      d.blocked[c.request.name] = "cannot be expanded: " + c.render_error;
      continue;
    }
    DesiredCluster dc;
    dc.name = c.request.name;
    dc.owner = c.request.owner;
    // Rendered into ev.ns already.
    if (taken != nullptr) {
      dc.objects = std::move(taken->clusters[&c - ev.clusters.data()].objects);
    } else {
      dc.objects = c.objects;
    }
    RecordAppliedSpec(c.request, &dc.objects);
    d.clusters.push_back(std::move(dc));
  }
  for (const std::string& name : ev.repo.broken) {
    d.blocked[name] = "its spec has errors";
  }
  // The catalog's objects under an inventory of their own; an empty catalog
  // wants none, so a live one is pruned like a removed cluster.
  if (!ev.catalog_error.empty()) {
    d.blocked[kCatalogInventoryName] =
        "the add-on catalog cannot be expanded: " + ev.catalog_error;
  } else if (!ev.catalog_objects.empty()) {
    DesiredCluster catalog;
    catalog.name = kCatalogInventoryName;
    catalog.owner = "platform";
    catalog.objects = taken != nullptr ? std::move(taken->catalog_objects)
                                       : ev.catalog_objects;
    d.clusters.push_back(std::move(catalog));
  }
  // Errors outside cluster files (capi-gitops.yaml, policies) put the whole
  // source in doubt: nothing is deleted until they are fixed.
  for (const Diagnostic& diag : ev.repo.diags) {
    if (diag.severity != Severity::kError) continue;
    if (diag.file.rfind(ev.repo.config.clusters_path + "/", 0) == 0) continue;
    d.prune_allowed = false;
    d.prune_blocked_reason = diag.file +
                             " has errors: nothing is changed or deleted until "
                             "it is fixed";
    // A broken config or policy file may change what every cluster should
    // look like or be allowed to be: touch nothing.
    for (const DesiredCluster& c : d.clusters)
      d.blocked[c.name] = d.prune_blocked_reason;
    d.clusters.clear();
    break;
  }
  return d;
}

}  // namespace

DesiredState ToDesiredState(const Evaluation& ev) {
  return MakeDesiredState(ev, nullptr);
}

DesiredState TakeDesiredState(Evaluation* ev) {
  return MakeDesiredState(*ev, ev);
}

std::set<std::pair<std::string, std::string>> DesiredKinds(
    const DesiredState& d) {
  std::set<std::pair<std::string, std::string>> kinds;
  for (const DesiredCluster& c : d.clusters) {
    for (const nlohmann::json& obj : c.objects) {
      kinds.emplace(obj.value("apiVersion", ""), obj.value("kind", ""));
    }
  }
  return kinds;
}

}  // namespace capigitops
