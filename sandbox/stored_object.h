// An object as the store keeps it: immutable once stored (a write stores a
// new one), with its JSON text made on first use, so LISTs write items by
// copying text instead of copying and serializing objects, as
// kube-apiserver's watch cache serves lists from objects it already holds.
#ifndef CAPIGITOPS_SANDBOX_STORED_OBJECT_H_
#define CAPIGITOPS_SANDBOX_STORED_OBJECT_H_

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace capigitops::sandbox {

using nlohmann::json;

class StoredObject {
 public:
  explicit StoredObject(json object) : object_(std::move(object)) {}
  StoredObject(const StoredObject&) = delete;
  StoredObject& operator=(const StoredObject&) = delete;

  const json& object() const { return object_; }

  // Appends the object's JSON, as json::dump() writes it, with apiVersion
  // and kind replaced by `api_version` and `kind` (JSON string literals,
  // quoted): the bytes SetTypeMeta on a copy and dump() gave. Safe from
  // any thread; the first call serializes the object.
  void AppendJson(std::string_view api_version, std::string_view kind,
                  std::string* out) const;
  // The size AppendJson adds besides apiVersion and kind, for reserving.
  size_t TextSize() const;

 private:
  struct Text {
    // Every top-level member but apiVersion and kind, as "key":value
    // followed by a comma, in json's (sorted) key order.
    std::string members;
    size_t api_version_at = 0;  // where apiVersion goes among them
    size_t kind_at = 0;         // where kind goes
  };
  const Text& text() const;

  const json object_;
  mutable std::once_flag once_;
  mutable Text text_;
};

using StoredPtr = std::shared_ptr<const StoredObject>;

inline StoredPtr MakeStored(json object) {
  return std::make_shared<const StoredObject>(std::move(object));
}

// The object inside `stored`, sharing its ownership.
inline std::shared_ptr<const json> ObjectOf(const StoredPtr& stored) {
  if (!stored) return nullptr;
  return std::shared_ptr<const json>(stored, &stored->object());
}

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_STORED_OBJECT_H_
