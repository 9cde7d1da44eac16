// Structural-schema checks for custom resources: unknown fields, types,
// required fields, enums, defaults and pruning. This is the one place to swap
// for the library's schema module (include/capigitops/schema.h) once it lands.
#ifndef CAPIGITOPS_SANDBOX_SCHEMA_ADAPTER_H_
#define CAPIGITOPS_SANDBOX_SCHEMA_ADAPTER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api_status.h"

namespace capigitops::sandbox {

// Paths ("spec.foo", "spec.items[0].bar") of fields that `schema` does not
// declare where it is closed. metadata, apiVersion and kind are implicit.
std::vector<std::string> FindUnknownFields(const json& obj, const json& schema);

// Value violations (types, required, enum, bounds) as 422 causes.
std::vector<StatusCause> ValidateAgainstSchema(const json& obj,
                                               const json& schema);

// Fills absent fields that have a `default` in the schema.
void ApplySchemaDefaults(json* obj, const json& schema);

// Drops fields the schema does not declare.
void PruneUnknownFields(json* obj, const json& schema);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_SCHEMA_ADAPTER_H_
