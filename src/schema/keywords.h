// Reading OpenAPI keywords from a schema node without exceptions.
#ifndef CAPIGITOPS_SCHEMA_KEYWORDS_H_
#define CAPIGITOPS_SCHEMA_KEYWORDS_H_

#include <nlohmann/json.hpp>

namespace capigitops::schema {

// Recursion limit for schema walks: deeper than any real schema, low enough
// that hostile input (capi-sandbox accepts CRDs over HTTP) cannot overflow
// the stack.
inline constexpr int kMaxSchemaDepth = 400;

// The keyword's value, or nullptr (also when `s` is not an object).
inline const nlohmann::json* Keyword(const nlohmann::json& s, const char* k) {
  if (!s.is_object()) return nullptr;
  auto it = s.find(k);
  return it == s.end() ? nullptr : &*it;
}

// A keyword of the given JSON type, or nullptr.
inline const nlohmann::json* ObjectKeyword(const nlohmann::json& s,
                                           const char* k) {
  const nlohmann::json* v = Keyword(s, k);
  return v != nullptr && v->is_object() ? v : nullptr;
}
inline const nlohmann::json* ArrayKeyword(const nlohmann::json& s,
                                          const char* k) {
  const nlohmann::json* v = Keyword(s, k);
  return v != nullptr && v->is_array() ? v : nullptr;
}

inline bool Flag(const nlohmann::json& s, const char* k) {
  const nlohmann::json* v = Keyword(s, k);
  return v != nullptr && v->is_boolean() && v->get<bool>();
}

// The schema of property `name`, or nullptr.
inline const nlohmann::json* PropertySchema(const nlohmann::json& s,
                                            const std::string& name) {
  const nlohmann::json* props = ObjectKeyword(s, "properties");
  if (props == nullptr) return nullptr;
  auto it = props->find(name);
  return it == props->end() ? nullptr : &*it;
}

// `additionalProperties` when it is a schema, or nullptr.
inline const nlohmann::json* AdditionalSchema(const nlohmann::json& s) {
  return ObjectKeyword(s, "additionalProperties");
}

// Unknown fields are kept below x-kubernetes-preserve-unknown-fields and
// `additionalProperties: true`.
inline bool PreservesUnknown(const nlohmann::json& s) {
  return Flag(s, "x-kubernetes-preserve-unknown-fields") ||
         Flag(s, "additionalProperties");
}

}  // namespace capigitops::schema

#endif  // CAPIGITOPS_SCHEMA_KEYWORDS_H_
