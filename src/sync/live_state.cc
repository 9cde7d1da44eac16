// Reading what is live: one LIST per kind, never a request per object.
#include <mutex>

#include "capigitops/render.h"
#include "capigitops/sync.h"

namespace capigitops {

using nlohmann::json;

StatusOr<LiveState> FetchLiveState(
    KubeClient& client, const std::string& ns,
    const std::set<std::pair<std::string, std::string>>& kinds) {
  LiveState live;
  ASSIGN_OR_RETURN(ResourceInfo cms, client.Resolve("v1", "ConfigMap"));
  ASSIGN_OR_RETURN(
      std::vector<json> inventories,
      client.List(cms, ns, std::string(kInventoryLabel) + "=true"));
  std::set<std::pair<std::string, std::string>> all = kinds;
  for (const json& cm : inventories) {
    StatusOr<Inventory> inv = Inventory::FromConfigMap(cm);
    if (!inv.ok())
      return inv.status().WithContext("reading inventory in " + ns);
    for (const ObjRef& r : inv->objects) all.emplace(r.api_version, r.kind);
    live.inventories[inv->cluster] = std::move(inv).value();
  }

  std::vector<std::pair<std::string, std::string>> list(all.begin(), all.end());
  std::vector<StatusOr<std::vector<json>>> results(list.size(),
                                                   Status::Internal("not run"));
  std::mutex mu;
  client.ParallelFor(list.size(), [&](size_t i) {
    StatusOr<ResourceInfo> r = client.Resolve(list[i].first, list[i].second);
    if (!r.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      results[i] = r.status();
      return;
    }
    auto items = client.List(
        *r, ns, std::string(kManagedByLabel) + "=" + kManagedByValue);
    std::lock_guard<std::mutex> lock(mu);
    results[i] = std::move(items);
  });
  for (size_t i = 0; i < list.size(); ++i) {
    if (!results[i].ok()) {
      if (results[i].status().IsNotFound()) {
        live.unserved_kinds.insert(list[i].first + "/" + list[i].second);
        continue;
      }
      return results[i].status().WithContext("reading live state");
    }
    for (json& obj : *results[i])
      live.objects[ObjRef::Of(obj)] = std::move(obj);
  }
  return live;
}

}  // namespace capigitops
