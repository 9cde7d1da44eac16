// Comparing desired and live objects without metadata noise or status.
#ifndef CAPIGITOPS_DIFF_H_
#define CAPIGITOPS_DIFF_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace capigitops {

// A copy without server-managed metadata (managedFields, resourceVersion,
// uid, generation, creationTimestamp, ...) and without status.
nlohmann::json Normalize(const nlohmann::json& object);

// True when every field set in `desired` has the same value in `live`.
// Lists must have the same length and their items match pairwise, so a
// server default inside a list item is not a change. Cheap: no request.
bool IsSubset(const nlohmann::json& desired, const nlohmann::json& live);

struct FieldChange {
  std::string path;       // "spec.template.spec.instanceType"
  nlohmann::json before;  // null when added
  nlohmann::json after;   // null when removed
};

// Field-level differences from `before` to `after` (both normalized).
std::vector<FieldChange> DiffObjects(const nlohmann::json& before,
                                     const nlohmann::json& after);

}  // namespace capigitops

#endif  // CAPIGITOPS_DIFF_H_
