// metadata.managedFields as a map from manager identity to owned fields.
//
// As in kube's fieldmanager, an Apply entry is identified by (manager,
// subresource) and an Update entry also by its apiVersion, so a manager has
// one Apply entry and one Update entry per API version it wrote with.
#ifndef CAPIGITOPS_SANDBOX_SSA_MANAGED_H_
#define CAPIGITOPS_SANDBOX_SSA_MANAGED_H_

#include <compare>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "ssa_fieldset.h"
#include "ssa_typed.h"

namespace capigitops::sandbox {

struct ManagerKey {
  std::string manager;
  std::string operation;    // "Apply" or "Update"
  std::string api_version;  // empty for Apply entries
  std::string subresource;
  auto operator<=>(const ManagerKey&) const = default;
};

struct ManagerEntry {
  std::string api_version;
  std::string time;  // RFC 3339; empty when unknown
  FieldSet set;
};

using Managers = std::map<ManagerKey, ManagerEntry>;

// Decodes a managedFields array; malformed entries are skipped, entries with
// the same identity are merged.
Managers DecodeManagedFields(const nlohmann::json& managed_fields);
// Encodes in kube's order: operation, time, manager, apiVersion, subresource.
nlohmann::json EncodeManagedFields(const Managers& managers);
// Same entries, API versions and field sets (times ignored).
bool SameOwnership(const Managers& a, const Managers& b);

// Fields kube never records as owned (fieldmanager stripMeta): apiVersion,
// kind, metadata itself and the server-set metadata fields.
const FieldSet& StripSet();

// structured-merge-diff Updater.update: fields in `change` (modified or
// added) owned by managers other than `workflow` are conflicts. Unless there
// are conflicts and !force, they move away from those managers, removed
// fields leave everyone, and emptied entries are dropped. Returns conflicts.
std::map<ManagerKey, FieldSet> TakeOwnership(Managers* managers,
                                             const ManagerKey& workflow,
                                             const Comparison& change,
                                             bool force);

// Records a non-apply write from `before` to `after` by `key` at `now`.
void RecordUpdate(const SsaType& root, const nlohmann::json& before,
                  const nlohmann::json& after, const ManagerKey& key,
                  const std::string& now, const FieldSet& ignored,
                  Managers* managers);

// kube's capManagersManager: beyond `max_updaters` Update entries, the
// oldest ones are merged into an "ancient-changes" entry per API version.
void CapUpdateManagers(Managers* managers, size_t max_updaters = 10);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_SSA_MANAGED_H_
