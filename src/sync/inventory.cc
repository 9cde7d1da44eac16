#include "capigitops/inventory.h"

#include <algorithm>
#include <iterator>

#include "capigitops/duration.h"
#include "capigitops/json.h"
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
               {"objects", yaml::DumpJson(objects)},
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

namespace {

// `obj[key]` when obj is a map and that is a string, else "": a ConfigMap
// someone edited by hand must not throw from json::value.
std::string StringAt(const json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

const json& MapAt(const json& obj, const char* key) {
  static const json kEmpty = json::object();
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find(key);
  return it != obj.end() && it->is_object() ? *it : kEmpty;
}

}  // namespace

StatusOr<Inventory> Inventory::FromConfigMap(const json& cm) {
  const json& data = MapAt(cm, "data");
  const json& meta = MapAt(cm, "metadata");
  Inventory inv;
  inv.cluster = StringAt(data, "cluster");
  std::string name = StringAt(meta, "name");
  if (inv.cluster.empty()) {
    return Status::InvalidArgument("inventory " + name +
                                   " has no cluster name");
  }
  inv.owner = StringAt(MapAt(meta, "labels"), kOwnerLabel);
  // The object list is a flat array of flat objects: 8 levels are plenty,
  // and an edited ConfigMap must not crash the walk below.
  std::string list =
      data.contains("objects") ? StringAt(data, "objects") : "[]";
  StatusOr<json> parsed =
      yaml::ParseJson(list, "inventory " + name, {16 << 20, 8});
  if (!parsed.ok() || !parsed->is_array()) {
    return Status::InvalidArgument(
        "inventory " + name + " has a corrupt object list" +
        (parsed.ok() ? "" : " (" + parsed.status().message() + ")"));
  }
  for (const json& o : *parsed) {
    if (!o.is_object()) continue;
    inv.objects.insert(ObjRef{StringAt(o, "apiVersion"), StringAt(o, "kind"),
                              StringAt(o, "name")});
  }
  inv.revision = StringAt(data, "revision");
  if (auto t = ParseRfc3339(StringAt(data, "createdAt"))) inv.created_at = *t;
  inv.deleting = StringAt(data, "deleting") == "true";
  inv.deletion_reason = StringAt(data, "deletionReason");
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
