// `metadata` of a custom resource: checked as ObjectMeta, never against the
// CRD schema (apiextensions-apiserver's schema/objectmeta package).
#ifndef CAPIGITOPS_SCHEMA_OBJECTMETA_H_
#define CAPIGITOPS_SCHEMA_OBJECTMETA_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "capigitops/schema.h"

namespace capigitops::schema {

// Checks field types, name/namespace syntax, label and annotation keys and
// values. `path` is "metadata" at the root, longer for embedded resources.
// A root object needs a name (or generateName); embedded ones do not.
void ValidateObjectMeta(const nlohmann::json& meta, const std::string& path,
                        bool require_name, const ValidateOptions& options,
                        std::vector<SchemaError>* errors);

// Drops every key that ObjectMeta does not have.
void PruneObjectMeta(nlohmann::json* meta);

// Validation messages of k8s.io/apimachinery/pkg/util/validation; empty when
// valid.
// object[key] when it is a string, else "".
std::string StringField(const nlohmann::json& object, const char* key);

std::vector<std::string> Dns1123SubdomainErrors(std::string_view value);
std::vector<std::string> Dns1123LabelErrors(std::string_view value);
std::vector<std::string> QualifiedNameErrors(std::string_view value);
std::vector<std::string> LabelValueErrors(std::string_view value);

}  // namespace capigitops::schema

#endif  // CAPIGITOPS_SCHEMA_OBJECTMETA_H_
