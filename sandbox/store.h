// In-memory object storage with kube-apiserver's metadata rules: uid,
// monotonic resourceVersion, generation, finalizer-driven deletion, and an
// event history that watches read from.
#ifndef CAPIGITOPS_SANDBOX_STORE_H_
#define CAPIGITOPS_SANDBOX_STORE_H_

#include <chrono>
#include <compare>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api_status.h"
#include "stored_object.h"

namespace capigitops::sandbox {

struct ObjectKey {
  std::string group;
  std::string resource;  // plural
  std::string ns;        // "" for cluster-scoped objects
  std::string name;
  auto operator<=>(const ObjectKey&) const = default;
};

enum class EventType { kAdded, kModified, kDeleted };
const char* EventTypeName(EventType type);

struct StoredEvent {
  uint64_t rv = 0;
  EventType type = EventType::kAdded;
  ObjectKey key;
  std::shared_ptr<const json> object;
  std::shared_ptr<const json> previous;  // for MODIFIED; null otherwise
};

// Computes the object to store from the live one (nullptr when absent).
// Runs under the store lock, so read-modify-write is atomic.
using Mutation = std::function<ApiOr<json>(const json* live)>;

struct WriteOptions {
  bool dry_run = false;
  bool allow_create = false;  // else a missing object is NotFound
};

struct WriteResult {
  json object;
  bool created = false;
  bool deleted = false;  // the last finalizer went away
  bool changed = false;
};

struct DeleteOptions {
  bool dry_run = false;
  std::string precondition_uid;
  std::string precondition_rv;
  bool orphan = false;  // keep dependents (propagationPolicy=Orphan)
};

struct ListPage {
  std::vector<json> items;
  uint64_t rv = 0;
  std::optional<ObjectKey> next;  // set when `limit` cut the list short
};

// A page of the stored objects themselves, shared rather than copied.
struct StoredPage {
  std::vector<StoredPtr> items;
  uint64_t rv = 0;
  std::optional<ObjectKey> next;  // set when `limit` cut the list short
};

class Store {
 public:
  explicit Store(size_t max_events = 100000) : max_events_(max_events) {}

  std::optional<json> Get(const ObjectKey& key) const;
  // Objects of group/resource (in `ns` unless empty), in key order, starting
  // after `after`, at most `limit` (0 = all) that satisfy `match`.
  ListPage List(const std::string& group, const std::string& resource,
                const std::string& ns, const std::optional<ObjectKey>& after,
                size_t limit,
                const std::function<bool(const json&)>& match) const;
  // List without copies: the stored objects, which never change.
  StoredPage ListStored(const std::string& group, const std::string& resource,
                        const std::string& ns,
                        const std::optional<ObjectKey>& after, size_t limit,
                        const std::function<bool(const json&)>& match) const;
  ApiOr<WriteResult> Write(const ObjectKey& key, const Mutation& mutation,
                           const WriteOptions& options);
  ApiOr<WriteResult> Delete(const ObjectKey& key, const DeleteOptions& options);

  uint64_t CurrentRv() const;
  // The oldest resourceVersion a watch can resume from.
  uint64_t OldestWatchableRv() const;
  // Appends events after `after_rv` that pass `match` to `out`, waiting until
  // there is one, `deadline` passes or the store shuts down. Returns false
  // when `after_rv` is older than the retained history (410 Expired).
  bool WaitEvents(uint64_t after_rv,
                  std::chrono::steady_clock::time_point deadline,
                  const std::function<bool(const StoredEvent&)>& match,
                  std::vector<StoredEvent>* out, uint64_t* last_rv) const;
  // Wakes and ends every waiting watch.
  void Shutdown();
  bool shut_down() const;

  // {"resourceVersion": N, "objects": [{"group","resource","object"}...]}
  json Snapshot() const;
  void Restore(const json& snapshot);

 private:
  using ObjectPtr = std::shared_ptr<const json>;
  ApiOr<WriteResult> Create(const ObjectKey& key, json obj, bool dry_run);
  ApiOr<WriteResult> Update(const ObjectKey& key, const ObjectPtr& live,
                            json obj, bool dry_run);
  // Removes the object and, unless orphaned, its dependents.
  void RemoveLocked(const ObjectKey& key, json final_state, bool orphan);
  void AppendEvent(EventType type, const ObjectKey& key, ObjectPtr object,
                   ObjectPtr previous);
  bool NamespaceExistsLocked(const std::string& ns) const;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::map<ObjectKey, StoredPtr> objects_;
  std::deque<StoredEvent> events_;
  size_t max_events_;
  uint64_t rv_ = 1;
  uint64_t oldest_rv_ = 1;
  bool shutdown_ = false;
};

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_STORE_H_
