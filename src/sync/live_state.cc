// Reading what is live: one LIST per kind, never a request per object.
#include <mutex>

#include "capigitops/labels.h"
#include "capigitops/sync.h"

namespace capigitops {
namespace {

using nlohmann::json;
using Kind = std::pair<std::string, std::string>;  // apiVersion, kind

// LISTs `kinds` concurrently (inventories too when `inventories` is set),
// discovering each group version once: concurrent first uses each fetched
// it, and the no-op plan paid for five copies of the same discovery.
Status ListKinds(KubeApi& client, const std::string& ns,
                 const std::vector<Kind>& kinds, std::vector<json>* inventories,
                 LiveState* live) {
  std::map<std::string, std::once_flag> discovered;
  for (const Kind& k : kinds) discovered[k.first];
  size_t n = kinds.size() + (inventories ? 1 : 0);
  std::vector<StatusOr<std::vector<json>>> results(n,
                                                   Status::Internal("not run"));
  client.ParallelFor(n, [&](size_t i) {
    if (i == kinds.size()) {  // the inventories
      StatusOr<ResourceInfo> cms = client.Resolve("v1", "ConfigMap");
      results[i] =
          cms.ok()
              ? client.List(*cms, ns, std::string(kInventoryLabel) + "=true")
              : cms.status();
      return;
    }
    const auto& [api_version, kind] = kinds[i];
    std::call_once(discovered[api_version],
                   [&] { (void)client.Resolve(api_version, kind); });
    StatusOr<ResourceInfo> r = client.Resolve(api_version, kind);
    results[i] = r.ok() ? client.List(*r, ns, kManagedBySelector) : r.status();
  });
  if (inventories) {
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
  return live;
}

}  // namespace capigitops
