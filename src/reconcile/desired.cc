// From an Evaluation to the sync layer's DesiredState.
#include <algorithm>
#include <mutex>

#include "capigitops/json.h"
#include "capigitops/plan_review.h"
#include "capigitops/reconcile.h"
#include "capigitops/render.h"
#include "util/parallel.h"

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
// from `ev`, or moved out of `taken` (then the same object as `ev`);
// with `pending` (TakePendingDesiredState) the clusters have none yet.
DesiredState MakeDesiredState(const Evaluation& ev, Evaluation* taken,
                              bool pending = false) {
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
    if (pending) {
      dc.pending = true;
      d.clusters.push_back(std::move(dc));
      continue;
    }
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

using Kinds = std::set<std::pair<std::string, std::string>>;

RenderOptions RenderOptionsOf(const Evaluation& ev,
                              const std::string& revision) {
  return RenderOptions{revision, ev.ns, &ev.repo.catalog};
}

// Expands each cluster of `ev` (evaluated without `render`) once, as
// Evaluate with `render` would, keeping none of its objects: only its
// render_error, and the kinds of its objects in the result. The catalog is
// expanded and kept when `catalog`. Clusters that cannot be expanded are
// blocked and make the evaluation invalid, as in Evaluate.
Kinds SurveyClusters(Evaluation* ev, const std::string& revision,
                     bool catalog) {
  Kinds kinds;
  std::mutex mu;
  ParallelFor(ev->clusters.size(), [&](size_t i) {
    ClusterResult& r = ev->clusters[i];
    if (r.denied) return;
    StatusOr<std::vector<nlohmann::json>> objects =
        Expand(r.request, ev->repo.config, RenderOptionsOf(*ev, revision));
    if (!objects.ok()) {
      r.render_error = objects.status().message();
      return;
    }
    Kinds mine;
    for (const nlohmann::json& obj : *objects)
      mine.emplace(obj.value("apiVersion", ""), obj.value("kind", ""));
    std::lock_guard<std::mutex> lock(mu);
    kinds.merge(mine);
  });
  if (catalog) {
    auto objects = ExpandCatalog(ev->repo.catalog, ev->ns);
    if (objects.ok()) {
      ev->catalog_objects = std::move(objects).value();
    } else {
      ev->catalog_error = objects.status().message();
      ev->has_errors = true;
    }
  }
  for (const ClusterResult& r : ev->clusters) {
    if (r.denied || !r.render_error.empty()) {
      ev->blocked.insert(r.request.name);
      ev->has_errors = true;
    }
  }
  return kinds;
}

}  // namespace

DesiredState ToDesiredState(const Evaluation& ev) {
  return MakeDesiredState(ev, nullptr);
}

DesiredState TakeDesiredState(Evaluation* ev) {
  return MakeDesiredState(*ev, ev);
}

DesiredState TakePendingDesiredState(Evaluation* ev,
                                     const std::string& revision,
                                     bool catalog) {
  Kinds kinds = SurveyClusters(ev, revision, catalog);
  DesiredState d = MakeDesiredState(*ev, ev, true);
  d.pending_kinds = std::move(kinds);
  d.render = [ev, revision](const DesiredCluster& dc) {
    std::vector<nlohmann::json> out;
    auto it =
        std::lower_bound(ev->clusters.begin(), ev->clusters.end(), dc.name,
                         [](const ClusterResult& c, const std::string& name) {
                           return c.request.name < name;
                         });
    if (it == ev->clusters.end() || it->request.name != dc.name) return out;
    auto objects =
        Expand(it->request, ev->repo.config, RenderOptionsOf(*ev, revision));
    if (!objects.ok()) return out;  // SurveyClusters blocked it
    out = std::move(objects).value();
    RecordAppliedSpec(it->request, &out);
    return out;
  };
  return d;
}

Kinds DesiredKinds(const DesiredState& d) {
  Kinds kinds;
  bool pending = false;
  for (const DesiredCluster& c : d.clusters) {
    pending = pending || c.pending;
    for (const nlohmann::json& obj : c.objects) {
      kinds.emplace(obj.value("apiVersion", ""), obj.value("kind", ""));
    }
  }
  // The union over every pending cluster: exact while d.clusters holds all
  // of them (or none: a source in doubt clears them all), as it does until
  // the live read that asks.
  if (pending) kinds.insert(d.pending_kinds.begin(), d.pending_kinds.end());
  return kinds;
}

}  // namespace capigitops
