#include "capigitops/inventory.h"

#include <algorithm>
#include <iterator>

#include "capigitops/duration.h"
#include "capigitops/labels.h"

namespace capigitops {

using nlohmann::json;

ObjRef ObjRef::Of(const json& object) {
  // The name is read in place: copying the metadata of a live object copied
  // its managed fields, for every object of every LIST.
  auto meta = object.find("metadata");
  std::string name = meta != object.end() && meta->is_object()
                         ? meta->value("name", "")
                         : std::string();
  return ObjRef{object.value("apiVersion", ""), object.value("kind", ""),
                std::move(name)};
}

json Inventory::ToConfigMap(const std::string& ns) const {
  json objects = json::array();
  for (const ObjRef& r : this->objects) {
    objects.push_back(
        {{"apiVersion", r.api_version}, {"kind", r.kind}, {"name", r.name}});
  }
  json data = {{"cluster", cluster},
               {"objects", objects.dump()},
               {"revision", revision},
               {"createdAt", created_at ? FormatRfc3339(created_at) : ""},
               {"deleting", deleting ? "true" : "false"},
               {"deletionReason", deletion_reason}};
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata",
           {{"name", ConfigMapName(cluster)},
            {"namespace", ns},
            {"labels",
             {{kManagedByLabel, kManagedByValue},
              {kClusterLabel, cluster},
              {kOwnerLabel, owner},
              {kInventoryLabel, "true"}}}}},
          {"data", data}};
}

StatusOr<Inventory> Inventory::FromConfigMap(const json& cm) {
  const json data = cm.value("data", json::object());
  Inventory inv;
  inv.cluster = data.value("cluster", "");
  std::string name = cm.value("metadata", json::object()).value("name", "");
  if (inv.cluster.empty()) {
    return Status::InvalidArgument("inventory " + name +
                                   " has no cluster name");
  }
  inv.owner = cm.value("metadata", json::object())
                  .value("labels", json::object())
                  .value(kOwnerLabel, "");
  json objects = json::parse(data.value("objects", "[]"), nullptr, false);
  if (!objects.is_array()) {
    return Status::InvalidArgument("inventory " + name +
                                   " has a corrupt object list");
  }
  for (const json& o : objects) {
    if (!o.is_object()) continue;
    inv.objects.insert(ObjRef{o.value("apiVersion", ""), o.value("kind", ""),
                              o.value("name", "")});
  }
  inv.revision = data.value("revision", "");
  if (auto t = ParseRfc3339(data.value("createdAt", ""))) inv.created_at = *t;
  inv.deleting = data.value("deleting", "") == "true";
  inv.deletion_reason = data.value("deletionReason", "");
  return inv;
}

std::set<ObjRef> Stale(const std::set<ObjRef>& old_set,
                       const std::set<ObjRef>& new_set) {
  std::set<ObjRef> out;
  std::set_difference(old_set.begin(), old_set.end(), new_set.begin(),
                      new_set.end(), std::inserter(out, out.end()));
  return out;
}

}  // namespace capigitops
