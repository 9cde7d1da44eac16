// The inventory: what capi-gitops applied for each ClusterRequest, recorded
// durably in the management cluster (one ConfigMap per cluster). Only
// inventory objects are ever deleted; labels alone are never enough.
#ifndef CAPIGITOPS_INVENTORY_H_
#define CAPIGITOPS_INVENTORY_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "capigitops/labels.h"
#include "capigitops/status.h"

namespace capigitops {

// One object, identified without its namespace (all live in the target one).
struct ObjRef {
  std::string api_version;
  std::string kind;
  std::string name;

  static ObjRef Of(const nlohmann::json& object);
  std::string ToString() const { return kind + "/" + name; }
  bool operator<(const ObjRef& o) const {
    return std::tie(api_version, kind, name) <
           std::tie(o.api_version, o.kind, o.name);
  }
  bool operator==(const ObjRef& o) const {
    return api_version == o.api_version && kind == o.kind && name == o.name;
  }
};

// The inventory of the add-on catalog's objects (HelmChartProxies,
// ClusterResourceSets and their ConfigMaps), which belong to no cluster. Its
// name cannot be a cluster's (those have no dots), and TTL, status, budgets
// and plan reviews skip it.
inline constexpr char kCatalogInventoryName[] = "addons.catalog";
inline bool IsCatalogInventory(const std::string& name) {
  return name == kCatalogInventoryName;
}

struct Inventory {
  std::string cluster;
  std::set<ObjRef> objects;
  std::string revision;  // source revision last applied
  std::string owner;
  int64_t created_at = 0;  // Unix seconds of the first apply
  // The cluster is being deleted: its Cluster object was deleted and the
  // rest follows once CAPI has removed it (resumable across passes).
  bool deleting = false;
  std::string deletion_reason;

  static std::string ConfigMapName(const std::string& cluster) {
    return "capi-gitops-inventory-" + cluster;
  }
  nlohmann::json ToConfigMap(const std::string& ns) const;
  static StatusOr<Inventory> FromConfigMap(const nlohmann::json& cm);
};

// Objects in `old_set` that are not in `new_set`.
std::set<ObjRef> Stale(const std::set<ObjRef>& old_set,
                       const std::set<ObjRef>& new_set);

}  // namespace capigitops

#endif  // CAPIGITOPS_INVENTORY_H_
