// Builders for SchemaError worded like apiextensions-apiserver's field errors
// (k8s.io/apimachinery/pkg/util/validation/field, ErrorBody).
#ifndef CAPIGITOPS_SCHEMA_ERRORS_H_
#define CAPIGITOPS_SCHEMA_ERRORS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "capigitops/schema.h"

namespace capigitops::schema {

// Go's %q for a UTF-8 string: "a\"b\n".
std::string GoQuote(std::string_view s);
// A bad value as kube prints it: strings quoted, numbers and booleans plain,
// objects and lists as JSON.
std::string RenderValue(const nlohmann::json& value);
// The JSON type of a value as kube-openapi names it: "string", "integer",
// "number", "boolean", "object", "array", "null".
std::string JsonTypeName(const nlohmann::json& value);

SchemaError RequiredError(const std::string& field,
                          std::string_view detail = "");
SchemaError NotSupportedError(const std::string& field,
                              const nlohmann::json& value,
                              const nlohmann::json& supported);
// `Invalid value: "<actual type>": <field> in body must be of type <want>:
// "<actual type>"`.
SchemaError TypeError(const std::string& field, std::string_view want,
                      const nlohmann::json& value);
// `Invalid value: <value>: <detail>`.
SchemaError InvalidError(const std::string& field, const nlohmann::json& value,
                         const std::string& detail);
// A `format:` mismatch: `Invalid value: "x": f in body must be of type
// date-time: "x"`.
SchemaError FormatError(const std::string& field, const std::string& format,
                        const nlohmann::json& value);
SchemaError TooLongError(const std::string& field, int64_t max);
SchemaError TooManyError(const std::string& field, int64_t actual, int64_t max);
SchemaError DuplicateError(const std::string& field,
                           const nlohmann::json& value);
SchemaError UnknownFieldError(const std::string& field);

// "spec.size" for messages; "<root>" would read badly, kube leaves it empty.
inline std::string InBody(const std::string& field) {
  return (field.empty() ? std::string("body") : field) + " in body";
}

}  // namespace capigitops::schema

#endif  // CAPIGITOPS_SCHEMA_ERRORS_H_
