// CrdRegistry: finds the CRD and version an object names, then validates.
#include "capigitops/schema.h"
#include "schema/errors.h"
#include "schema/objectmeta.h"

namespace capigitops::schema {
namespace {

using json = nlohmann::json;

}  // namespace

void CrdRegistry::Add(Crd crd) {
  for (Crd& existing : crds_) {
    if (existing.group == crd.group && existing.kind == crd.kind) {
      existing = std::move(crd);
      return;
    }
  }
  crds_.push_back(std::move(crd));
}

Status CrdRegistry::AddDirectory(const std::string& dir) {
  StatusOr<std::vector<Crd>> crds = LoadCrdDirectory(dir);
  if (!crds.ok()) return crds.status();
  for (Crd& crd : *crds) Add(std::move(crd));
  return Status::Ok();
}

const Crd* CrdRegistry::Find(std::string_view group,
                             std::string_view kind) const {
  for (const Crd& crd : crds_) {
    if (crd.group == group && crd.kind == kind) return &crd;
  }
  return nullptr;
}

std::vector<SchemaError> CrdRegistry::ValidateObject(
    const json& object, const ValidateOptions& options) const {
  if (!object.is_object()) return {TypeError("", "object", object)};
  std::string api_version = StringField(object, "apiVersion");
  std::string kind = StringField(object, "kind");
  std::vector<SchemaError> errors;
  if (api_version.empty()) errors.push_back(RequiredError("apiVersion"));
  if (kind.empty()) errors.push_back(RequiredError("kind"));
  if (!errors.empty()) return errors;
  size_t slash = api_version.rfind('/');
  std::string group =
      slash == std::string::npos ? "" : api_version.substr(0, slash);
  std::string version = api_version.substr(slash + 1);  // npos + 1 == 0
  std::string no_match = "no matches for kind " + GoQuote(kind) +
                         " in version " + GoQuote(api_version);
  const Crd* crd = Find(group, kind);
  if (crd == nullptr) {
    return {{"kind", "FieldValueNotSupported",
             "Unsupported value: " + GoQuote(kind) + ": " + no_match}};
  }
  const CrdVersion* v = crd->FindVersion(version);
  if (v == nullptr || !v->served) {
    json served = json::array();
    for (const CrdVersion& candidate : crd->versions) {
      if (candidate.served) served.push_back(group + "/" + candidate.name);
    }
    SchemaError e = NotSupportedError("apiVersion", api_version, served);
    e.message += " (" + no_match +
                 (v == nullptr ? "" : ": the version is not served") + ")";
    return {e};
  }
  return Validate(object, v->schema, options);
}

}  // namespace capigitops::schema
