#include "ssa_managed.h"

#include <algorithm>
#include <vector>

namespace capigitops::sandbox {
namespace {

using nlohmann::json;

std::string StringField(const json& entry, const char* name) {
  auto it = entry.find(name);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Managers DecodeManagedFields(const json& managed_fields) {
  Managers out;
  if (!managed_fields.is_array()) return out;
  for (const json& entry : managed_fields) {
    if (!entry.is_object()) continue;
    ManagerEntry decoded;
    decoded.api_version = StringField(entry, "apiVersion");
    decoded.time = StringField(entry, "time");
    auto fields = entry.find("fieldsV1");
    if (fields != entry.end()) decoded.set = FieldSet::FromFieldsV1(*fields);
    ManagerKey key{StringField(entry, "manager"),
                   StringField(entry, "operation"), "",
                   StringField(entry, "subresource")};
    if (key.operation != "Apply") key.api_version = decoded.api_version;
    if (decoded.set.empty()) continue;  // owns nothing ([{}] resets)
    auto [it, inserted] = out.emplace(key, decoded);
    if (!inserted) it->second.set = it->second.set.Union(decoded.set);
  }
  return out;
}

json EncodeManagedFields(const Managers& managers) {
  std::vector<std::pair<const ManagerKey*, const ManagerEntry*>> order;
  for (const auto& [key, entry] : managers) order.emplace_back(&key, &entry);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) {
                     const ManagerKey& p = *a.first;
                     const ManagerKey& q = *b.first;
                     if (p.operation != q.operation)
                       return p.operation < q.operation;
                     // RFC 3339 UTC timestamps of one format order as text;
                     // missing is oldest.
                     if (a.second->time != b.second->time)
                       return a.second->time < b.second->time;
                     if (p.manager != q.manager) return p.manager < q.manager;
                     if (a.second->api_version != b.second->api_version) {
                       return a.second->api_version < b.second->api_version;
                     }
                     return p.subresource < q.subresource;
                   });
  json out = json::array();
  for (const auto& [key, entry] : order) {
    json encoded = {{"manager", key->manager},
                    {"operation", key->operation},
                    {"apiVersion", entry->api_version},
                    {"fieldsType", "FieldsV1"},
                    {"fieldsV1", entry->set.ToFieldsV1()}};
    if (!entry->time.empty()) encoded["time"] = entry->time;
    if (!key->subresource.empty()) encoded["subresource"] = key->subresource;
    out.push_back(std::move(encoded));
  }
  return out;
}

bool SameOwnership(const Managers& a, const Managers& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    if (ia->first != ib->first ||
        ia->second.api_version != ib->second.api_version ||
        !(ia->second.set == ib->second.set)) {
      return false;
    }
  }
  return true;
}

const FieldSet& StripSet() {
  static const FieldSet kStrip = [] {
    FieldSet set;
    set.Insert({"f:apiVersion"});
    set.Insert({"f:kind"});
    set.Insert({"f:metadata"});
    for (const char* field :
         {"name", "namespace", "creationTimestamp", "selfLink", "uid",
          "clusterName", "generation", "managedFields", "resourceVersion"}) {
      set.Insert({"f:metadata", std::string("f:") + field});
    }
    return set;
  }();
  return kStrip;
}

std::map<ManagerKey, FieldSet> TakeOwnership(Managers* managers,
                                             const ManagerKey& workflow,
                                             const Comparison& change,
                                             bool force) {
  std::map<ManagerKey, FieldSet> conflicts;
  FieldSet changed = change.modified.Union(change.added);
  for (const auto& [key, entry] : *managers) {
    if (key == workflow) continue;
    FieldSet conflict = entry.set.Intersection(changed);
    if (!conflict.empty()) conflicts.emplace(key, std::move(conflict));
  }
  if (!force && !conflicts.empty()) return conflicts;
  for (auto& [key, entry] : *managers) {
    if (key == workflow) continue;
    auto conflict = conflicts.find(key);
    if (conflict != conflicts.end()) {
      entry.set = entry.set.Difference(conflict->second);
    }
    entry.set = entry.set.Difference(change.removed);
  }
  std::erase_if(*managers,
                [](const auto& kv) { return kv.second.set.empty(); });
  return conflicts;
}

void RecordUpdate(const SsaType& root, const json& before, const json& after,
                  const ManagerKey& key, const std::string& now,
                  const FieldSet& ignored, Managers* managers) {
  Comparison change = Compare(root, &before, &after);
  Comparison excluded = change;
  excluded.ExcludeFields(ignored);
  // kube tracks the write as "current-operation" first, so even the
  // writer's own earlier entry gives up what the write changed.
  ManagerKey current{"current-operation", "", "", ""};
  TakeOwnership(managers, current, excluded, /*force=*/true);
  FieldSet mine = change.modified.Union(change.added)
                      .Difference(change.removed)
                      .RecursiveDifference(ignored)
                      .Difference(StripSet());
  if (mine.empty()) return;
  ManagerEntry& entry = (*managers)[key];
  entry.set = entry.set.Union(mine);
  entry.api_version = key.api_version;
  entry.time = now;
}

void CapUpdateManagers(Managers* managers, size_t max_updaters) {
  std::vector<ManagerKey> updaters;
  for (const auto& [key, entry] : *managers) {
    if (key.operation != "Apply") updaters.push_back(key);
  }
  if (updaters.size() <= max_updaters) return;
  std::stable_sort(updaters.begin(), updaters.end(),
                   [&](const ManagerKey& a, const ManagerKey& b) {
                     const std::string& ta = managers->at(a).time;
                     const std::string& tb = managers->at(b).time;
                     if (ta != tb) return ta < tb;
                     return a < b;
                   });
  std::map<std::string, ManagerKey> first_of_version;
  size_t length = updaters.size();
  for (size_t i = 0; i < updaters.size() && length > max_updaters; ++i) {
    const ManagerKey& key = updaters[i];
    const ManagerEntry entry = managers->at(key);
    const ManagerKey bucket{"ancient-changes", "Update", entry.api_version, ""};
    auto first = first_of_version.find(entry.api_version);
    if (first == first_of_version.end()) {
      first_of_version.emplace(entry.api_version, key);
      continue;
    }
    if (key == bucket) continue;  // kube would merge the bucket into itself
    if (!managers->count(bucket)) {
      // The first (oldest) entry of this version becomes the bucket.
      auto oldest = managers->extract(first->second);
      oldest.key() = bucket;
      managers->insert(std::move(oldest));
    }
    ManagerEntry& merged = managers->at(bucket);
    merged.set = entry.set.Union(merged.set);
    merged.time = entry.time;  // the more recent of the two
    managers->erase(key);
    --length;
  }
}

}  // namespace capigitops::sandbox
