// Reading what is live: one LIST per kind, never a request per object.
#include <algorithm>
#include <mutex>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "capigitops/labels.h"
#include "capigitops/sync.h"
#include "util/parallel.h"

namespace capigitops {
namespace {

using nlohmann::json;
using Kind = std::pair<std::string, std::string>;  // apiVersion, kind

const std::string kAllNamespaces;  // "" lists every namespace
constexpr unsigned kListsInFlight = 4;

bool IsCapiCluster(const Kind& k) {
  return k.second == "Cluster" && k.first.rfind("cluster.x-k8s.io/", 0) == 0;
}

// Keeps what the plan, status, reviews and Events read of a live object and
// drops the rest as soon as its LIST returns, so a pass holds one compact
// copy per object: the creation time and kubectl's last-applied copy go,
// and of the managed fields only the Apply entries stay (the planner looks
// for its own manager's), each as its manager and its fieldsV1 as JSON
// text. Updates by controllers, most of a live object's managed fields,
// are never read.
void Compact(json* obj) {
  auto meta = obj->find("metadata");
  if (meta == obj->end() || !meta->is_object()) return;
  for (const char* key : {"creationTimestamp", "selfLink"}) {
    meta->erase(key);
  }
  auto ann = meta->find("annotations");
  if (ann != meta->end() && ann->is_object()) {
    ann->erase("kubectl.kubernetes.io/last-applied-configuration");
  }
  auto fields = meta->find("managedFields");
  if (fields == meta->end()) return;
  json kept = json::array();
  if (fields->is_array()) {
    for (json& mf : *fields) {
      if (!mf.is_object() || mf.value("operation", "") != "Apply") continue;
      auto owned = mf.find("fieldsV1");
      kept.push_back(
          {{"manager", mf.value("manager", "")},
           {"operation", "Apply"},
           {"fieldsV1", owned == mf.end() ? std::string() : owned->dump()}});
    }
  }
  if (kept.empty()) {
    meta->erase(fields);
  } else {
    *fields = std::move(kept);
  }
}

// Our objects of one kind, each compacted as its page arrives.
StatusOr<std::vector<json>> ListCompact(KubeApi& client, const ResourceInfo& r,
                                        const std::string& ns) {
  std::vector<json> items;
  RETURN_IF_ERROR(client.ListEach(r, ns, kManagedBySelector, [&](json& obj) {
    Compact(&obj);
    items.push_back(std::move(obj));
  }));
  return items;
}

// LISTs `kinds` concurrently (inventories too when `inventories` is set),
// discovering each group version once: concurrent first uses each fetched
// it, and the no-op plan paid for five copies of the same discovery.
Status ListKinds(KubeApi& client, const std::string& ns,
                 const std::vector<Kind>& kinds, std::vector<json>* inventories,
                 LiveState* live) {
  std::map<std::string, std::once_flag> discovered;
  for (const Kind& k : kinds) discovered[k.first];
  // The inventories carry our managed-by label too: when ConfigMaps are
  // listed anyway (the add-on catalog's), that one LIST finds them.
  const bool cms_listed = std::find(kinds.begin(), kinds.end(),
                                    Kind{"v1", "ConfigMap"}) != kinds.end();
  size_t n = kinds.size() + (inventories && !cms_listed ? 1 : 0);
  std::vector<StatusOr<std::vector<json>>> results(n,
                                                   Status::Internal("not run"));
  // A few kinds at a time, not all: parsing is CPU work (two cores here),
  // and each kind in flight holds a parsed page of 500 objects in full.
  ParallelForBlocking(
      n,
      [&](size_t i) {
        if (i == kinds.size()) {  // the inventories
          StatusOr<ResourceInfo> cms = client.Resolve("v1", "ConfigMap");
          results[i] = cms.ok()
                           ? client.List(*cms, ns,
                                         std::string(kInventoryLabel) + "=true")
                           : cms.status();
          return;
        }
        const auto& [api_version, kind] = kinds[i];
        std::call_once(discovered[api_version],
                       [&] { (void)client.Resolve(api_version, kind); });
        StatusOr<ResourceInfo> r = client.Resolve(api_version, kind);
        // Clusters in every namespace, in the same one LIST: one we manage
        // outside `ns` means the namespace changed under it.
        const std::string& where =
            IsCapiCluster(kinds[i]) ? kAllNamespaces : ns;
        results[i] = r.ok() ? ListCompact(client, *r, where) : r.status();
        if (r.ok() && where != ns &&
            results[i].status().code() == StatusCode::kPermissionDenied) {
          // Allowed in `ns` only: no namespace-change detection, as before.
          results[i] = ListCompact(client, *r, ns);
        }
      },
      std::min(kListsInFlight,
               static_cast<unsigned>(std::max(1, client.Concurrency()))));
  if (inventories && !cms_listed) {
    if (!results.back().ok()) return results.back().status();
    *inventories = std::move(results.back()).value();
  }
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (!results[i].ok()) {
      // A kind the server does not serve has no live objects.
      if (results[i].status().IsNotFound()) {
        live->unserved.insert(kinds[i]);
        continue;
      }
      return results[i].status().WithContext("reading live state");
    }
    for (json& obj : *results[i]) {
      const json meta = obj.value("metadata", json::object());
      std::string obj_ns = meta.value("namespace", "");
      if (IsCapiCluster(kinds[i]) && !obj_ns.empty() && obj_ns != ns) {
        std::string name = meta.value("labels", json::object())
                               .value(kClusterLabel, meta.value("name", ""));
        live->elsewhere[name] = obj_ns;
        continue;
      }
      // Listing ConfigMaps (the catalog's) also finds the inventories,
      // which are read separately and are never objects of an inventory.
      if (meta.value("labels", json::object()).contains(kInventoryLabel)) {
        if (inventories && cms_listed) inventories->push_back(std::move(obj));
        continue;
      }
      ObjRef ref = ObjRef::Of(obj);  // read before the move below
      live->objects[ref] = std::move(obj);
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<LiveState> FetchLiveState(KubeApi& client, const std::string& ns,
                                   const std::set<Kind>& kinds) {
  // The inventories are listed alongside the desired kinds, not before
  // them: they only add kinds the repository no longer renders, listed after.
  LiveState live;
  std::vector<json> inventories;
  RETURN_IF_ERROR(
      ListKinds(client, ns, {kinds.begin(), kinds.end()}, &inventories, &live));
  std::set<Kind> more;
  for (const json& cm : inventories) {
    StatusOr<Inventory> inv = Inventory::FromConfigMap(cm);
    if (!inv.ok())
      return inv.status().WithContext("reading inventory in " + ns);
    for (const ObjRef& r : inv->objects) {
      if (!kinds.count({r.api_version, r.kind}))
        more.emplace(r.api_version, r.kind);
    }
    std::string name = inv->cluster;  // read before the move below
    live.inventories[name] = std::move(inv).value();
  }
  if (!more.empty()) {
    RETURN_IF_ERROR(
        ListKinds(client, ns, {more.begin(), more.end()}, nullptr, &live));
  }
#if defined(__GLIBC__)
  // The LISTs were parsed on worker threads, each into its own malloc
  // arena, and compacted: hand what that freed back to the OS, or the plan
  // that follows grows on top of it.
  malloc_trim(0);
#endif
  return live;
}

}  // namespace capigitops
