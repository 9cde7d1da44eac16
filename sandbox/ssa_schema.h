// SsaType: the structured-merge-diff type model read straight from a CRD's
// openAPIV3Schema (or deduced from the value when there is no schema).
//
// What matters for apply is only the shape of each node: a leaf (scalar,
// atomic list, atomic map, untyped list), a granular map or struct, a set
// (x-kubernetes-list-type: set) or a list-map (x-kubernetes-list-type: map).
// metadata is always typed as ObjectMeta (finalizers a set, ownerReferences a
// list-map keyed by uid), as kube-apiserver does for every kind.
#ifndef CAPIGITOPS_SANDBOX_SSA_SCHEMA_H_
#define CAPIGITOPS_SANDBOX_SSA_SCHEMA_H_

#include <nlohmann/json.hpp>
#include <string>

namespace capigitops::sandbox {

enum class Shape { kLeaf, kMap, kSet, kListMap };

class SsaType {
 public:
  struct FieldInfo;

  // Untyped: objects are granular maps, lists atomic, the rest scalars.
  static SsaType Deduced() { return SsaType(nullptr, false); }
  // The type of a whole object; `schema` is an openAPIV3Schema or nullptr.
  static SsaType Object(const nlohmann::json* schema) {
    return SsaType(schema, true);
  }

  // How `value` is merged and owned under this type. Null counts as an empty
  // map or list where the type is one; a value of the wrong kind is a leaf.
  Shape ShapeOf(const nlohmann::json& value) const;
  // For maps: the type of `key` and whether it is a declared (named) field.
  FieldInfo Field(const std::string& key) const;
  // For lists: the item type.
  SsaType Element() const;
  // Path element of a set or list-map item ("v:..." or "k:{...}"); false and
  // `error` set when the item cannot be keyed.
  bool ItemElement(const nlohmann::json& item, std::string* element,
                   std::string* error) const;
  // Empty when `value` fits this type's kind, else a message such as
  // "expected map, got string" (strict check of applied configurations).
  std::string KindMismatch(const nlohmann::json& value) const;

 private:
  enum class Kind { kDeduced, kScalar, kStruct, kMap, kAtomicMap, kList };
  SsaType(const nlohmann::json* node, bool object_root)
      : node_(node), object_root_(object_root) {}
  Kind kind() const;

  const nlohmann::json* node_;  // nullptr: deduced
  bool object_root_;            // adds apiVersion, kind and typed metadata
};

struct SsaType::FieldInfo {
  SsaType type;
  bool declared;  // a named struct field (owned only through its leaves)
  bool allowed;   // false when the schema is closed and lacks the field
};

// Schemas of the built-in kinds the sandbox serves (ConfigMap, Secret,
// Namespace, coordination.k8s.io Lease), or nullptr for any other kind.
const nlohmann::json* BuiltinSchema(const std::string& api_version,
                                    const std::string& kind);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_SSA_SCHEMA_H_
