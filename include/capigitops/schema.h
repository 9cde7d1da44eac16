// Structural CRD schema: loading CustomResourceDefinitions, and validating,
// defaulting and pruning custom resources against their openAPIV3Schema the
// way kube-apiserver (apiextensions-apiserver) does.
//
// Used by the renderer's tests to check every object against the upstream
// CAPI CRDs, and by capi-sandbox to treat custom resources like a real API
// server (kube-api.md section 5: prune, default, validate).
//
// The API server's order for a create/update (kube-api.md 5.3), for a fake
// server: Validate() the decoded body to find unknown fields (fieldValidation
// Strict/Warn: errors of type FieldValueUnknown), then Prune(),
// ApplyDefaults(), and Validate() again for the 422 causes.
//
// Not covered: `x-kubernetes-validations` (CEL rules) are ignored; admission
// webhooks of the providers are not modelled. All functions are pure and
// thread-safe (the compiled-regex cache is guarded by a mutex).
#ifndef CAPIGITOPS_SCHEMA_H_
#define CAPIGITOPS_SCHEMA_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "capigitops/status.h"

namespace capigitops::schema {

struct CrdVersion {
  std::string name;  // "v1beta2"
  bool served = false;
  bool storage = false;
  bool deprecated = false;
  nlohmann::json schema;  // spec.versions[].schema.openAPIV3Schema
  bool status_subresource = false;
};

struct Crd {
  std::string group;      // "cluster.x-k8s.io"
  std::string kind;       // "Cluster"
  std::string list_kind;  // "ClusterList"
  std::string plural;     // "clusters"
  std::string singular;   // "cluster"
  std::string scope;      // "Namespaced" | "Cluster"
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<CrdVersion> versions;  // in the CRD's order
  nlohmann::json raw;                // the whole CRD object as JSON

  // The version named `v`, or nullptr.
  const CrdVersion* FindVersion(std::string_view v) const;
  // The version with `storage: true` (ParseCrd guarantees exactly one).
  const CrdVersion* StorageVersion() const;
};

// Reads an apiextensions.k8s.io/v1 CustomResourceDefinition given as JSON.
// InvalidArgument when it is not one or lacks group, names or versions.
StatusOr<Crd> ParseCrd(const nlohmann::json& crd_object);

// Reads every *.yaml/*.yml/*.json below `dir` (recursively, in sorted path
// order) and returns every document of kind CustomResourceDefinition; other
// documents are skipped. NotFound when `dir` does not exist; InvalidArgument
// (with the file name) when a file is not valid YAML or holds a bad CRD.
StatusOr<std::vector<Crd>> LoadCrdDirectory(const std::string& dir);

struct SchemaError {
  // JSON path like "spec.template.spec.guestAccelerators[0].count".
  std::string field;
  // kube cause reason: FieldValueRequired, FieldValueInvalid,
  // FieldValueNotSupported (enum), FieldValueTypeInvalid, FieldValueTooLong,
  // FieldValueTooMany, FieldValueDuplicate (list-type set/map),
  // FieldValueUnknown (unknown field).
  std::string type;
  // As kube-apiserver words it: `Required value`,
  // `Unsupported value: "x": supported values: "A", "B"`,
  // `Invalid value: "string": spec.size in body must be of type integer:
  // "string"`, `unknown field "spec.foo"`.
  std::string message;

  // "field: message"
  std::string ToString() const;
};

struct ValidateOptions {
  // Report fields the schema does not declare (kubectl's default
  // fieldValidation=Strict). When false they are accepted silently, as the
  // server does before pruning them with fieldValidation=Ignore.
  bool reject_unknown_fields = true;
};

// Validates one whole object (apiVersion, kind, metadata included) against
// an openAPIV3Schema. `metadata` at the root (and in embedded resources) is
// checked as ObjectMeta, not against the schema. Like the API server, which
// prunes them first, a null in a non-nullable field counts as absent. Errors
// come in a stable order (keys sorted); an empty result means valid.
std::vector<SchemaError> Validate(const nlohmann::json& object,
                                  const nlohmann::json& schema,
                                  const ValidateOptions& options = {});

// Fills absent fields from `default:` recursively, as apiextensions-apiserver
// does: inside defaulted values, list items and additionalProperties values
// too. A null in a non-nullable field that has a default is replaced.
void ApplyDefaults(nlohmann::json* object, const nlohmann::json& schema);

// Removes fields the schema does not declare (pruning), except below
// x-kubernetes-preserve-unknown-fields. Keeps apiVersion/kind, reduces
// metadata to ObjectMeta fields, and drops nulls of non-nullable fields that
// have no default.
void Prune(nlohmann::json* object, const nlohmann::json& schema);

// CRDs by group and kind.
class CrdRegistry {
 public:
  // Replaces an earlier CRD with the same group and kind.
  void Add(Crd crd);
  // Adds every CRD of LoadCrdDirectory(dir).
  Status AddDirectory(const std::string& dir);

  // The CRD for group/kind, or nullptr.
  const Crd* Find(std::string_view group, std::string_view kind) const;

  // Validates `object` against the schema of the version named in its
  // apiVersion ("group/version"). Unknown kind, unknown version and a version
  // that is not served are errors on field "kind" or "apiVersion".
  std::vector<SchemaError> ValidateObject(
      const nlohmann::json& object, const ValidateOptions& options = {}) const;

  const std::vector<Crd>& crds() const { return crds_; }

 private:
  std::vector<Crd> crds_;
};

}  // namespace capigitops::schema

#endif  // CAPIGITOPS_SCHEMA_H_
