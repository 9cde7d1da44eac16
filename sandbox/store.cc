// Store: metadata rules follow
// apiserver/pkg/registry/generic/registry/store.go.
#include "store.h"

#include <algorithm>

#include "util.h"

namespace capigitops::sandbox {
namespace {

std::string RvString(uint64_t rv) { return std::to_string(rv); }

// The part of an object whose changes bump metadata.generation.
json GenerationContent(const json& obj) {
  json c = obj;
  c.erase("metadata");
  c.erase("status");
  return c;
}

bool HasFinalizers(const json& obj) {
  const json& meta = obj["metadata"];
  auto it = meta.find("finalizers");
  return it != meta.end() && it->is_array() && !it->empty();
}

bool IsDeleting(const json& obj) {
  return obj["metadata"].contains("deletionTimestamp");
}

}  // namespace

const char* EventTypeName(EventType type) {
  switch (type) {
    case EventType::kAdded:
      return "ADDED";
    case EventType::kModified:
      return "MODIFIED";
    case EventType::kDeleted:
      return "DELETED";
  }
  return "";
}

std::optional<json> Store::Get(const ObjectKey& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second->object();
}

StoredPage Store::ListStored(
    const std::string& group, const std::string& resource,
    const std::string& ns, const std::optional<ObjectKey>& after, size_t limit,
    const std::function<bool(const json&)>& match) const {
  StoredPage page;
  std::lock_guard<std::mutex> lock(mu_);
  page.rv = rv_;
  ObjectKey start{group, resource, ns, ""};
  if (after) start = *after;
  auto it = after ? objects_.upper_bound(start) : objects_.lower_bound(start);
  ObjectKey last;
  for (; it != objects_.end(); ++it) {
    const ObjectKey& k = it->first;
    if (k.group != group || k.resource != resource) break;
    if (!ns.empty() && k.ns != ns) break;
    if (!match(it->second->object())) continue;
    if (limit > 0 && page.items.size() == limit) {
      page.next = last;  // more remain after the last returned item
      break;
    }
    page.items.push_back(it->second);
    last = k;
  }
  return page;
}

ListPage Store::List(const std::string& group, const std::string& resource,
                     const std::string& ns,
                     const std::optional<ObjectKey>& after, size_t limit,
                     const std::function<bool(const json&)>& match) const {
  // Copied after the lock is released, so a large LIST does not hold up
  // every write for the length of its copy.
  StoredPage stored = ListStored(group, resource, ns, after, limit, match);
  ListPage page{{}, stored.rv, std::move(stored.next)};
  page.items.reserve(stored.items.size());
  for (const StoredPtr& obj : stored.items) page.items.push_back(obj->object());
  return page;
}

bool Store::NamespaceExistsLocked(const std::string& ns) const {
  return objects_.count(ObjectKey{"", "namespaces", "", ns}) > 0;
}

ApiOr<WriteResult> Store::Write(const ObjectKey& key, const Mutation& mutation,
                                const WriteOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key);
  ObjectPtr live = it == objects_.end() ? nullptr : ObjectOf(it->second);
  if (!live && !options.allow_create) {
    return NotFoundError(key.group, key.resource, key.name);
  }
  ApiOr<json> next = mutation(live.get());
  if (!next.ok()) return next.error();
  if (!next.value().is_object()) return InternalError("object is not a map");
  if (!live) return Create(key, std::move(next.value()), options.dry_run);
  return Update(key, live, std::move(next.value()), options.dry_run);
}

ApiOr<WriteResult> Store::Create(const ObjectKey& key, json obj, bool dry_run) {
  if (!key.ns.empty() && !NamespaceExistsLocked(key.ns)) {
    return NotFoundError("", "namespaces", key.ns);
  }
  json& meta = obj["metadata"];
  meta["name"] = key.name;
  if (!key.ns.empty()) meta["namespace"] = key.ns;
  meta["uid"] = NewUid();
  meta["creationTimestamp"] = NowRfc3339();
  meta["generation"] = 1;
  meta.erase("deletionTimestamp");
  meta.erase("deletionGracePeriodSeconds");
  WriteResult result;
  result.created = result.changed = true;
  if (dry_run) {
    meta.erase("resourceVersion");
    result.object = std::move(obj);
    return result;
  }
  meta["resourceVersion"] = RvString(++rv_);
  StoredPtr stored = MakeStored(std::move(obj));
  objects_[key] = stored;
  AppendEvent(EventType::kAdded, key, ObjectOf(stored), nullptr);
  result.object = stored->object();
  return result;
}

ApiOr<WriteResult> Store::Update(const ObjectKey& key, const ObjectPtr& live,
                                 json obj, bool dry_run) {
  const json& old_meta = (*live)["metadata"];
  json& meta = obj["metadata"];
  meta["name"] = key.name;
  if (!key.ns.empty()) meta["namespace"] = key.ns;
  for (const char* kept : {"uid", "creationTimestamp", "deletionTimestamp",
                           "deletionGracePeriodSeconds"}) {
    if (old_meta.contains(kept)) {
      meta[kept] = old_meta[kept];
    } else {
      meta.erase(kept);
    }
  }
  if (IsDeleting(*live)) {
    json old_f = old_meta.value("finalizers", json::array());
    for (const json& f : meta.value("finalizers", json::array())) {
      if (std::find(old_f.begin(), old_f.end(), f) == old_f.end()) {
        return InvalidError(
            key.group, key.resource, key.name,
            {{"FieldValueForbidden",
              "Forbidden: no new finalizers can be added if the object is "
              "being deleted, found new finalizers " +
                  f.dump(),
              "metadata.finalizers"}});
      }
    }
  }
  int64_t generation = old_meta.value("generation", int64_t{1});
  if (GenerationContent(obj) != GenerationContent(*live)) ++generation;
  meta["generation"] = generation;
  meta["resourceVersion"] = old_meta.value("resourceVersion", "");
  if (meta.contains("finalizers") && meta["finalizers"].empty()) {
    meta.erase("finalizers");
  }
  WriteResult result;
  if (obj == *live) {
    result.object = std::move(obj);
    return result;
  }
  result.changed = true;
  if (IsDeleting(obj) && !HasFinalizers(obj)) result.deleted = true;
  if (dry_run) {
    result.object = std::move(obj);
    return result;
  }
  meta["resourceVersion"] = RvString(++rv_);
  if (result.deleted) {
    result.object = obj;
    RemoveLocked(key, std::move(obj), /*orphan=*/false);
    return result;
  }
  StoredPtr stored = MakeStored(std::move(obj));
  objects_[key] = stored;
  AppendEvent(EventType::kModified, key, ObjectOf(stored), live);
  result.object = stored->object();
  return result;
}

ApiOr<WriteResult> Store::Delete(const ObjectKey& key,
                                 const DeleteOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) {
    return NotFoundError(key.group, key.resource, key.name);
  }
  ObjectPtr live = ObjectOf(it->second);
  const json& meta = (*live)["metadata"];
  if ((!options.precondition_uid.empty() &&
       options.precondition_uid != meta.value("uid", "")) ||
      (!options.precondition_rv.empty() &&
       options.precondition_rv != meta.value("resourceVersion", ""))) {
    return ConflictError(key.group, key.resource, key.name,
                         "the precondition was not met");
  }
  WriteResult result;
  json obj = *live;
  if (HasFinalizers(obj)) {
    result.object = obj;
    if (IsDeleting(obj)) return result;  // already pending
    obj["metadata"]["deletionTimestamp"] = NowRfc3339();
    obj["metadata"]["deletionGracePeriodSeconds"] = 0;
    obj["metadata"]["generation"] = meta.value("generation", int64_t{1}) + 1;
    result.changed = true;
    if (!options.dry_run) {
      obj["metadata"]["resourceVersion"] = RvString(++rv_);
      StoredPtr stored = MakeStored(obj);
      objects_[key] = stored;
      AppendEvent(EventType::kModified, key, ObjectOf(stored), live);
    }
    result.object = std::move(obj);
    return result;
  }
  result.deleted = result.changed = true;
  if (!options.dry_run) {
    obj["metadata"]["resourceVersion"] = RvString(++rv_);
    RemoveLocked(key, obj, options.orphan);
  }
  result.object = std::move(obj);
  return result;
}

void Store::RemoveLocked(const ObjectKey& key, json final_state, bool orphan) {
  objects_.erase(key);
  std::string uid = final_state["metadata"].value("uid", "");
  AppendEvent(EventType::kDeleted, key,
              std::make_shared<const json>(std::move(final_state)), nullptr);
  std::vector<ObjectKey> dependents;
  for (const auto& [k, obj] : objects_) {
    if (key.resource == "namespaces" && key.group.empty() && k.ns == key.name) {
      dependents.push_back(k);
      continue;
    }
    if (orphan) continue;
    for (const json& ref :
         obj->object()["metadata"].value("ownerReferences", json::array())) {
      if (ref.value("uid", "") == uid) dependents.push_back(k);
    }
  }
  for (const ObjectKey& k : dependents) {
    auto it = objects_.find(k);
    if (it == objects_.end()) continue;
    json obj = it->second->object();
    if (HasFinalizers(obj) && key.resource != "namespaces") {
      if (IsDeleting(obj)) continue;
      obj["metadata"]["deletionTimestamp"] = NowRfc3339();
      obj["metadata"]["resourceVersion"] = RvString(++rv_);
      StoredPtr stored = MakeStored(std::move(obj));
      AppendEvent(EventType::kModified, k, ObjectOf(stored),
                  ObjectOf(it->second));
      it->second = stored;
      continue;
    }
    obj["metadata"]["resourceVersion"] = RvString(++rv_);
    RemoveLocked(k, std::move(obj), false);
  }
}

void Store::AppendEvent(EventType type, const ObjectKey& key, ObjectPtr object,
                        ObjectPtr previous) {
  events_.push_back(
      StoredEvent{rv_, type, key, std::move(object), std::move(previous)});
  while (events_.size() > max_events_) {
    oldest_rv_ = events_.front().rv;
    events_.pop_front();
  }
  cv_.notify_all();
}

uint64_t Store::CurrentRv() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rv_;
}

uint64_t Store::OldestWatchableRv() const {
  std::lock_guard<std::mutex> lock(mu_);
  return oldest_rv_;
}

bool Store::WaitEvents(uint64_t after_rv,
                       std::chrono::steady_clock::time_point deadline,
                       const std::function<bool(const StoredEvent&)>& match,
                       std::vector<StoredEvent>* out, uint64_t* last_rv) const {
  std::unique_lock<std::mutex> lock(mu_);
  if (after_rv < oldest_rv_) return false;
  while (true) {
    auto first = std::upper_bound(
        events_.begin(), events_.end(), after_rv,
        [](uint64_t rv, const StoredEvent& e) { return rv < e.rv; });
    for (auto it = first; it != events_.end(); ++it) {
      if (match(*it)) out->push_back(*it);
      after_rv = it->rv;
    }
    *last_rv = after_rv;
    if (!out->empty() || shutdown_) return true;
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) return true;
  }
}

void Store::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutdown_ = true;
  cv_.notify_all();
}

bool Store::shut_down() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shutdown_;
}

json Store::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  json objects = json::array();
  for (const auto& [k, obj] : objects_) {
    objects.push_back({{"group", k.group},
                       {"resource", k.resource},
                       {"object", obj->object()}});
  }
  return {{"resourceVersion", rv_}, {"objects", objects}};
}

void Store::Restore(const json& snapshot) {
  std::lock_guard<std::mutex> lock(mu_);
  objects_.clear();
  events_.clear();
  rv_ = snapshot.value("resourceVersion", uint64_t{1});
  oldest_rv_ = rv_;
  for (const json& entry : snapshot.value("objects", json::array())) {
    if (!entry.is_object() || !entry.contains("object")) continue;
    const json& obj = entry["object"];
    if (!obj.is_object() || !obj.contains("metadata") ||
        !obj["metadata"].is_object()) {
      continue;
    }
    const json& meta = obj["metadata"];
    ObjectKey key{entry.value("group", ""), entry.value("resource", ""),
                  meta.value("namespace", ""), meta.value("name", "")};
    objects_[key] = MakeStored(obj);
  }
}

}  // namespace capigitops::sandbox
