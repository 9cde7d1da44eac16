// FieldSet: a set of field paths, the unit of ownership in server-side apply.
//
// Mirrors structured-merge-diff's fieldpath.Set. A path is a sequence of path
// elements already in their FieldsV1 spelling: "f:spec" (struct or map field),
// `k:{"name":"a"}` (list-map entry), `v:"x"` (set item), "i:0" (index). Each
// node records whether the path ending there is a member; children are kept
// only while non-empty, so the tree maps one to one onto FieldsV1 JSON.
#ifndef CAPIGITOPS_SANDBOX_SSA_FIELDSET_H_
#define CAPIGITOPS_SANDBOX_SSA_FIELDSET_H_

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace capigitops::sandbox {

using FieldPath = std::vector<std::string>;

class FieldSet {
 public:
  bool empty() const { return !member_ && children_.empty(); }
  // No-op for the empty path (as in structured-merge-diff).
  void Insert(const FieldPath& path);
  bool Has(const FieldPath& path) const;
  // True when `element` directly below this node is a member.
  bool HasMember(const std::string& element) const;
  // The subset below `element` (paths relative to it), or nullptr.
  const FieldSet* Child(const std::string& element) const;

  FieldSet Union(const FieldSet& other) const;
  // Members of `other` are removed; their children are not (non-recursive).
  FieldSet Difference(const FieldSet& other) const;
  FieldSet Intersection(const FieldSet& other) const;
  // Removes members of `other` together with everything below them.
  FieldSet RecursiveDifference(const FieldSet& other) const;

  // Calls `fn` for every member path: a node's members first, then children,
  // each level in sorted order.
  void ForEach(const std::function<void(const FieldPath&)>& fn) const;

  // FieldsV1 encoding: {"f:a": {".": {}, "f:b": {}}}.
  nlohmann::json ToFieldsV1() const;
  // Decodes FieldsV1; non-object parts are ignored.
  static FieldSet FromFieldsV1(const nlohmann::json& fields);

  bool operator==(const FieldSet& other) const = default;

  // Direct access for schema-aware walks (EnsureNamedFieldsAreMembers).
  const std::map<std::string, FieldSet>& children() const { return children_; }
  std::map<std::string, FieldSet>& mutable_children() { return children_; }
  bool member() const { return member_; }
  void set_member(bool m) { member_ = m; }

 private:
  void ForEachWithPrefix(FieldPath* prefix,
                         const std::function<void(const FieldPath&)>& fn) const;

  bool member_ = false;  // meaningless on the root
  std::map<std::string, FieldSet> children_;
};

// Kube's rendering of a path in conflict messages:
// `.spec.containers[name="a"].image`,
// `.metadata.finalizers[="x"]`.
std::string FieldPathString(const FieldPath& path);

// JSON as Go's encoding/json writes it (compact, <>& escaped): used inside
// k:/v: path elements so they match what kube-apiserver stores.
std::string GoJson(const nlohmann::json& value);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_SSA_FIELDSET_H_
