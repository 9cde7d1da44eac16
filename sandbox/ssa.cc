#include "ssa.h"

#include <algorithm>
#include <optional>

#include "ssa_fieldset.h"
#include "ssa_managed.h"
#include "ssa_schema.h"
#include "ssa_typed.h"

namespace capigitops::sandbox {
namespace {

using nlohmann::json;

std::string StringAt(const json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

const json* ManagedFieldsOf(const json& object) {
  if (!object.is_object()) return nullptr;
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return nullptr;
  auto managed = meta->find("managedFields");
  return managed == meta->end() ? nullptr : &*managed;
}

json WithoutManagedFields(json object) {
  if (object.is_object() && object.contains("metadata") &&
      object["metadata"].is_object()) {
    object["metadata"].erase("managedFields");
  }
  return object;
}

void SetManagedFields(const Managers& managers, json* object) {
  const bool has_metadata =
      object->contains("metadata") && (*object)["metadata"].is_object();
  if (managers.empty()) {
    if (has_metadata) (*object)["metadata"].erase("managedFields");
    return;
  }
  if (!has_metadata) (*object)["metadata"] = json::object();
  (*object)["metadata"]["managedFields"] = EncodeManagedFields(managers);
}

// Reset fields of the strategies: the main resource of a kind with a status
// subresource never changes .status; /status never changes .spec.
FieldSet IgnoredFields(const std::string& subresource,
                       bool status_subresource) {
  FieldSet ignored;
  if (subresource == "status") {
    ignored.Insert({"f:spec"});
  } else if (status_subresource) {
    ignored.Insert({"f:status"});
  }
  return ignored;
}

const json* SchemaFor(const json* schema, const json& object) {
  if (schema != nullptr) return schema;
  return BuiltinSchema(StringAt(object, "apiVersion"),
                       StringAt(object, "kind"));
}

// The applied configuration without what the server owns: metadata set by
// the server, and the part the target (sub)resource ignores.
json SanitizeConfig(const ApplyRequest& req) {
  json config = req.applied;
  if (config.contains("metadata") && config["metadata"].is_object()) {
    json& meta = config["metadata"];
    for (const char* field :
         {"managedFields", "resourceVersion", "uid", "creationTimestamp",
          "generation", "selfLink", "deletionTimestamp",
          "deletionGracePeriodSeconds"}) {
      meta.erase(field);
    }
  }
  if (req.subresource == "status") {
    json only = json::object();
    for (const char* field : {"apiVersion", "kind", "status"}) {
      if (config.contains(field)) only[field] = config[field];
    }
    if (config.contains("metadata") && config["metadata"].is_object()) {
      only["metadata"] = json::object();
      for (const char* field : {"name", "namespace"}) {
        if (config["metadata"].contains(field)) {
          only["metadata"][field] = config["metadata"][field];
        }
      }
    }
    return only;
  }
  if (req.status_subresource) config.erase("status");
  return config;
}

// structured-merge-diff Updater.prune: removes what `applier` applied last
// time and no longer applies, unless some manager (applier or updater) still
// owns it. Fields nobody owns outside the old set are left alone.
json Prune(const SsaType& root, const json& merged, const Managers& managers,
           const std::optional<FieldSet>& last) {
  if (!last || last->empty()) return merged;
  auto named = [&](const json& value) {
    FieldSet set;
    StatusOr<FieldSet> computed = ToFieldSet(root, value, /*strict=*/false);
    if (computed.ok()) set = *computed;
    return EnsureNamedFieldsAreMembers(root, set);
  };
  FieldSet last_named = EnsureNamedFieldsAreMembers(root, *last);
  json pruned = RemoveItems(root, merged, last_named);
  // Add back what any manager (including the applier's new set) owns.
  FieldSet managed;
  for (const auto& [key, entry] : managers) managed = managed.Union(entry.set);
  FieldSet merged_set = named(merged);
  pruned = RemoveItems(root, merged,
                       merged_set.Difference(named(pruned).Union(
                           EnsureNamedFieldsAreMembers(root, managed))));
  // Add back what the applier did not own before (dangling items).
  return RemoveItems(
      root, merged,
      merged_set.Difference(named(pruned)).Intersection(last_named));
}

std::vector<FieldConflict> ToConflicts(
    const std::map<ManagerKey, FieldSet>& conflicts, const Managers& managers) {
  std::vector<FieldConflict> out;
  // Not a structured binding: clang 14 (the fuzz build) cannot capture one.
  for (const auto& conflict : conflicts) {
    const ManagerKey& key = conflict.first;
    const ManagerEntry& entry = managers.at(key);
    conflict.second.ForEach([&](const FieldPath& path) {
      out.push_back({key.manager, key.operation, entry.api_version, entry.time,
                     key.subresource, FieldPathString(path)});
    });
  }
  return out;
}

// Creates the "before-first-apply" Update entry that owns every field of an
// object that has no managedFields yet (kube's skipNonAppliedManager).
void OwnExistingFields(const SsaType& root, const json& live,
                       const ApplyRequest& req, const std::string& api_version,
                       const FieldSet& ignored, Managers* managers) {
  ManagerKey key{"before-first-apply", "Update", api_version, req.subresource};
  RecordUpdate(root, json::object(), live, key, req.now, ignored, managers);
}

}  // namespace

StatusOr<ApplyResult> ServerSideApply(const ApplyRequest& req) {
  if (!req.applied.is_object()) {
    return Status::InvalidArgument("apply configuration must be an object");
  }
  if (req.manager.empty()) {
    return Status::InvalidArgument("fieldManager is required for apply patch");
  }
  const SsaType root = SsaType::Object(SchemaFor(req.schema, req.applied));
  const std::string api_version = req.api_version.empty()
                                      ? StringAt(req.applied, "apiVersion")
                                      : req.api_version;
  const bool creating = !req.live.is_object();
  const json live = creating ? json::object() : WithoutManagedFields(req.live);
  const json* live_managed = creating ? nullptr : ManagedFieldsOf(req.live);
  const Managers original =
      live_managed != nullptr ? DecodeManagedFields(*live_managed) : Managers{};
  const FieldSet ignored =
      IgnoredFields(req.subresource, req.status_subresource);

  json config = SanitizeConfig(req);
  StatusOr<FieldSet> config_set = ToFieldSet(root, config, /*strict=*/true);
  if (!config_set.ok()) return config_set.status();

  Managers managers = original;
  if (!creating && managers.empty()) {
    OwnExistingFields(root, live, req, api_version, ignored, &managers);
  }
  json merged = Merge(root, live, config);
  const ManagerKey key{req.manager, "Apply", "", req.subresource};
  std::optional<FieldSet> last;
  if (auto it = managers.find(key); it != managers.end()) last = it->second.set;
  // Until the end the applier's set keeps metadata.name & co., so pruning
  // never strips the object's identity (kube strips them afterwards).
  managers[key] = {api_version, "", config_set->RecursiveDifference(ignored)};
  json pruned = Prune(root, merged, managers, last);

  Comparison change = Compare(root, &live, &pruned);
  change.ExcludeFields(ignored);
  auto conflicts = TakeOwnership(&managers, key, change, req.force);
  ApplyResult result;
  result.created = creating;
  if (!req.force && !conflicts.empty()) {
    result.object = req.live;
    result.conflicts = ToConflicts(conflicts, managers);
    return result;
  }
  if (auto it = managers.find(key); it != managers.end()) {
    it->second.set = it->second.set.Difference(StripSet());
    if (it->second.set.empty()) managers.erase(it);
  }
  if (pruned.is_null()) pruned = json::object();
  DropNulls(&pruned);
  const bool content_changed = creating || pruned != live;
  if (auto it = managers.find(key); it != managers.end()) {
    auto before = original.find(key);
    // kube only stamps the applier's entry when the object changed.
    it->second.time = (content_changed || before == original.end())
                          ? req.now
                          : before->second.time;
  }
  if (!content_changed && SameOwnership(original, managers)) {
    result.object = req.live;
    return result;
  }
  SetManagedFields(managers, &pruned);
  result.object = std::move(pruned);
  result.changed = true;
  return result;
}

json UpdateManagedFields(const UpdateRequest& req) {
  if (!req.after.is_object()) return req.after;
  const SsaType root = SsaType::Object(SchemaFor(req.schema, req.after));
  const bool creating = !req.before.is_object();
  const json before =
      creating ? json::object() : WithoutManagedFields(req.before);
  json after = WithoutManagedFields(req.after);

  // managedFields sent with the write replace the stored ones (the way to
  // reset them), except on subresources.
  const json* sent = ManagedFieldsOf(req.after);
  const json* stored = ManagedFieldsOf(req.before);
  const json* base = stored;
  if (sent != nullptr && sent->is_array() && !sent->empty() &&
      req.subresource.empty()) {
    base = sent;
  }
  const bool tracked = base != nullptr && base->is_array() && !base->empty();
  if (!creating && !tracked) return after;  // kube leaves it untracked
  Managers managers = DecodeManagedFields(base != nullptr ? *base : json());
  const std::string api_version = req.api_version.empty()
                                      ? StringAt(req.after, "apiVersion")
                                      : req.api_version;
  ManagerKey key{req.manager, "Update", api_version, req.subresource};
  RecordUpdate(root, before, after, key, req.now,
               IgnoredFields(req.subresource, req.status_subresource),
               &managers);
  CapUpdateManagers(&managers);
  SetManagedFields(managers, &after);
  return after;
}

json UpdateManagedFieldsAfterUpdate(const json& before, const json& after,
                                    const std::string& manager,
                                    const std::string& now,
                                    const std::string& api_version,
                                    const json* schema) {
  UpdateRequest req;
  req.before = before;
  req.after = after;
  req.manager = manager;
  req.now = now;
  req.api_version = api_version;
  req.schema = schema;
  return UpdateManagedFields(req);
}

}  // namespace capigitops::sandbox

namespace capigitops::sandbox {
namespace {

// kube's printManager: Apply managers by name, Update managers with the API
// version and time they wrote at.
std::string ManagerString(const FieldConflict& c) {
  std::string out = GoJson(c.manager);
  if (!c.subresource.empty()) {
    out += " with subresource " + GoJson(c.subresource);
  }
  if (c.operation == "Update") {
    out += " using " + c.api_version;
    if (!c.time.empty()) out += " at " + c.time;
  }
  return out;
}

}  // namespace

std::string ApplyConflictMessage(const std::vector<FieldConflict>& conflicts) {
  if (conflicts.size() == 1) {
    return "Apply failed with 1 conflict: conflict with " +
           ManagerString(conflicts[0]) + ": " + conflicts[0].field;
  }
  // Grouped by manager, managers sorted, as in kube's getConflictMessage.
  std::map<std::string, std::vector<std::string>> by_manager;
  for (const FieldConflict& c : conflicts) {
    by_manager[ManagerString(c)].push_back(c.field);
  }
  std::string out =
      "Apply failed with " + std::to_string(conflicts.size()) + " conflicts: ";
  bool first = true;
  for (const auto& [manager, fields] : by_manager) {
    if (!first) out += "\n";
    first = false;
    out += "conflicts with " + manager + ":";
    for (const std::string& field : fields) out += "\n- " + field;
  }
  return out;
}

nlohmann::json ApplyConflictStatus(
    const std::vector<FieldConflict>& conflicts) {
  nlohmann::json causes = nlohmann::json::array();
  for (const FieldConflict& c : conflicts) {
    causes.push_back({{"reason", "FieldManagerConflict"},
                      {"message", "conflict with " + ManagerString(c)},
                      {"field", c.field}});
  }
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", nlohmann::json::object()},
          {"status", "Failure"},
          {"message", ApplyConflictMessage(conflicts)},
          {"reason", "Conflict"},
          {"details", {{"causes", causes}}},
          {"code", 409}};
}

}  // namespace capigitops::sandbox
