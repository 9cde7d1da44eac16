// Typed operations of structured-merge-diff on JSON values: field sets,
// merge, compare and item removal, following sigs.k8s.io/structured-merge-diff
// typed/{tofieldset,merge,compare,remove}.go.
#ifndef CAPIGITOPS_SANDBOX_SSA_TYPED_H_
#define CAPIGITOPS_SANDBOX_SSA_TYPED_H_

#include <nlohmann/json.hpp>
#include <string>

#include "capigitops/status.h"
#include "ssa_fieldset.h"
#include "ssa_schema.h"

namespace capigitops::sandbox {

// The set of fields `value` sets: leaves, list-map entries and set items, and
// the keys of (undeclared) map entries. With `strict`, a field the schema
// does not declare, a value of the wrong kind, an item that cannot be keyed or
// a duplicate key is an error (kube answers "field not declared in schema").
StatusOr<FieldSet> ToFieldSet(const SsaType& type, const nlohmann::json& value,
                              bool strict);

// `rhs` merged into `lhs`: maps and associative lists are merged per entry,
// everything else (scalars, atomic lists and maps) is taken from `rhs`.
// Item order of associative lists follows structured-merge-diff.
nlohmann::json Merge(const SsaType& type, const nlohmann::json& lhs,
                     const nlohmann::json& rhs);

struct Comparison {
  FieldSet added, modified, removed;
  void ExcludeFields(const FieldSet& fields);
};
// What changed from `lhs` to `rhs`; either may be nullptr (absent).
Comparison Compare(const SsaType& type, const nlohmann::json* lhs,
                   const nlohmann::json* rhs);

// `value` without the members of `items` (a member removes its whole value).
// Maps and lists left empty become null.
nlohmann::json RemoveItems(const SsaType& type, const nlohmann::json& value,
                           const FieldSet& items);

// `set` where every declared struct field with children is also a member, so
// that pruning removes emptied structs (fieldpath EnsureNamedFieldsAreMembers).
FieldSet EnsureNamedFieldsAreMembers(const SsaType& type, const FieldSet& set);

// Removes null-valued map entries and null list items, recursively.
void DropNulls(nlohmann::json* value);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_SSA_TYPED_H_
