// Adapter from the handlers to the library's structural-schema module
// (include/capigitops/schema.h).
#include "schema_adapter.h"

#include "capigitops/schema.h"

namespace capigitops::sandbox {
namespace {

constexpr char kUnknown[] = "FieldValueUnknown";

}  // namespace

std::vector<std::string> FindUnknownFields(const json& obj,
                                           const json& schema) {
  std::vector<std::string> out;
  if (schema.is_null()) return out;
  for (const schema::SchemaError& e : schema::Validate(obj, schema)) {
    if (e.type == kUnknown) out.push_back(e.field);
  }
  return out;
}

std::vector<StatusCause> ValidateAgainstSchema(const json& obj,
                                               const json& schema) {
  std::vector<StatusCause> out;
  if (schema.is_null()) return out;
  schema::ValidateOptions options;
  options.reject_unknown_fields = false;
  for (const schema::SchemaError& e : schema::Validate(obj, schema, options)) {
    if (e.type != kUnknown) out.push_back({e.type, e.message, e.field});
  }
  return out;
}

void ApplySchemaDefaults(json* obj, const json& schema) {
  if (!schema.is_null()) schema::ApplyDefaults(obj, schema);
}

void PruneUnknownFields(json* obj, const json& schema) {
  if (!schema.is_null()) schema::Prune(obj, schema);
}

}  // namespace capigitops::sandbox
