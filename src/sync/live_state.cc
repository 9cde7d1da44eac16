// Reading what is live: one LIST per kind, never a request per object.
#include <algorithm>
#include <mutex>

#include "capigitops/labels.h"
#include "capigitops/sync.h"
#include "sync/live_list_encoder.h"
#include "util/memory.h"
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

// What one kind's LIST gave, sorted as its pages arrive so that no parsed
// item outlives its page: the objects, compacted and encoded; inventories
// (ConfigMaps carrying the inventory label), read as such and never
// objects of an inventory; Clusters we manage in another namespace.
struct KindItems {
  std::vector<std::pair<ObjRef, LiveObject>> objects;
  std::vector<StatusOr<Inventory>> inventories;
  std::vector<std::pair<std::string, std::string>> elsewhere;  // name, ns
};

// Compacted and encoded as it was parsed (LiveListEncoder applies the
// rules: the creation time and kubectl's last-applied copy go, and of the
// managed fields only the Apply entries stay, each as its manager and the
// "f:" keys of its fieldsV1, what the planner reads; updates by
// controllers, most of a live object's managed fields, are never read).
void SortItem(ListedItem& item, const ResourceInfo& r, const Kind& kind,
              const std::string& ns, KindItems* out) {
  if (IsCapiCluster(kind) && !item.ns.empty() && item.ns != ns) {
    out->elsewhere.emplace_back(
        item.has_cluster_label ? std::move(item.cluster_label) : item.name,
        std::move(item.ns));
    return;
  }
  // Listing ConfigMaps (the catalog's) also finds the inventories: rare
  // (one a cluster), so read from a tree.
  if (item.inventory) {
    out->inventories.push_back(Inventory::FromConfigMap(item.object.Decode()));
    return;
  }
  out->objects.emplace_back(
      ObjRef{r.ApiVersion(), r.kind, std::move(item.name)},
      std::move(item.object));
}

// Our objects of one kind in `where`, sorted as each page arrives.
Status ListSorted(KubeApi& client, const ResourceInfo& r, const Kind& kind,
                  const std::string& where, const std::string& ns,
                  KindItems* out) {
  *out = KindItems{};  // a retry starts over
  LiveListEncoder encoder(r.ApiVersion(), r.kind, [&](ListedItem& item) {
    SortItem(item, r, kind, ns, out);
  });
  return client.ListEachEvents(r, where, kManagedBySelector, encoder);
}

// LISTs `kinds` concurrently (inventories too when `inventories` is set),
// discovering each group version once: concurrent first uses each fetched
// it, and the no-op plan paid for five copies of the same discovery.
Status ListKinds(KubeApi& client, const std::string& ns,
                 const std::vector<Kind>& kinds,
                 std::vector<StatusOr<Inventory>>* inventories,
                 LiveState* live) {
  std::map<std::string, std::once_flag> discovered;
  for (const Kind& k : kinds) discovered[k.first];
  // The inventories carry our managed-by label too: when ConfigMaps are
  // listed anyway (the add-on catalog's), that one LIST finds them.
  const bool cms_listed = std::find(kinds.begin(), kinds.end(),
                                    Kind{"v1", "ConfigMap"}) != kinds.end();
  const bool own_list = inventories && !cms_listed;
  std::vector<KindItems> items(kinds.size());
  std::vector<Status> results(kinds.size() + (own_list ? 1 : 0),
                              Status::Internal("not run"));
  std::vector<StatusOr<Inventory>> own_inventories;  // their own LIST
  // A few kinds at a time, not all: parsing is CPU work (two cores here),
  // and each kind in flight holds a page of text (ListEachEvents encodes it
  // an item at a time) and what was kept of the items read so far.
  ParallelForBlocking(
      results.size(),
      [&](size_t i) {
        if (i == kinds.size()) {  // the inventories
          StatusOr<ResourceInfo> cms = client.Resolve("v1", "ConfigMap");
          results[i] =
              cms.ok() ? client.ListEach(*cms, ns,
                                         std::string(kInventoryLabel) + "=true",
                                         [&](json& cm) {
                                           own_inventories.push_back(
                                               Inventory::FromConfigMap(cm));
                                         })
                       : cms.status();
          return;
        }
        // Named, not a structured binding: clang before 16 cannot capture
        // one in a lambda, and the fuzz build (clang) compiles this file.
        const std::string& api_version = kinds[i].first;
        const std::string& kind = kinds[i].second;
        std::call_once(discovered[api_version],
                       [&] { (void)client.Resolve(api_version, kind); });
        StatusOr<ResourceInfo> r = client.Resolve(api_version, kind);
        if (!r.ok()) {
          results[i] = r.status();
          return;
        }
        // Clusters in every namespace, in the same one LIST: one we manage
        // outside `ns` means the namespace changed under it.
        const std::string& where =
            IsCapiCluster(kinds[i]) ? kAllNamespaces : ns;
        results[i] = ListSorted(client, *r, kinds[i], where, ns, &items[i]);
        if (where != ns && results[i].code() == StatusCode::kPermissionDenied) {
          // Allowed in `ns` only: no namespace-change detection, as before.
          results[i] = ListSorted(client, *r, kinds[i], ns, ns, &items[i]);
        }
      },
      std::min(kListsInFlight,
               static_cast<unsigned>(std::max(1, client.Concurrency()))));
  if (own_list) {
    RETURN_IF_ERROR(results.back());
    *inventories = std::move(own_inventories);
  }
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (!results[i].ok()) {
      // A kind the server does not serve has no live objects.
      if (results[i].IsNotFound()) {
        live->unserved.insert(kinds[i]);
        continue;
      }
      return results[i].WithContext("reading live state");
    }
    for (auto& [name, obj_ns] : items[i].elsewhere) {
      live->elsewhere[name] = obj_ns;
    }
    if (inventories && cms_listed) {
      for (StatusOr<Inventory>& inv : items[i].inventories) {
        inventories->push_back(std::move(inv));
      }
    }
    for (auto& [ref, obj] : items[i].objects) {
      live->objects.insert_or_assign(std::move(ref), std::move(obj));
    }
    items[i] = KindItems{};
  }
  return Status::Ok();
}

}  // namespace

StatusOr<LiveState> FetchLiveState(KubeApi& client, const std::string& ns,
                                   const std::set<Kind>& kinds) {
  // The inventories are listed alongside the desired kinds, not before
  // them: they only add kinds the repository no longer renders, listed after.
  LiveState live;
  std::vector<StatusOr<Inventory>> inventories;
  RETURN_IF_ERROR(
      ListKinds(client, ns, {kinds.begin(), kinds.end()}, &inventories, &live));
  std::set<Kind> more;
  for (StatusOr<Inventory>& inv : inventories) {
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
  // The LISTs were parsed on worker threads, each into its own malloc
  // arena, and compacted: hand what that freed back to the OS, or the plan
  // that follows grows on top of it.
  ReturnFreedMemory();
  return live;
}

}  // namespace capigitops
