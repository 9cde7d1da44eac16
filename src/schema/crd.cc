// CustomResourceDefinition loading and the group/kind registry.
#include <algorithm>
#include <filesystem>
#include <system_error>

#include "capigitops/schema.h"
#include "capigitops/yaml.h"
#include "util/file.h"

namespace capigitops::schema {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// CRD files are far larger and deeper than user specs: the biggest CAPI CRD
// is ~360 KB with schemas nested a hundred levels deep.
constexpr yaml::Limits kCrdLimits{
    .max_bytes = 32u << 20, .max_depth = 1024, .max_nodes = 20000000};

const json* Member(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string StringMember(const json& obj, const char* key) {
  const json* v = Member(obj, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : "";
}

bool BoolMember(const json& obj, const char* key) {
  const json* v = Member(obj, key);
  return v != nullptr && v->is_boolean() && v->get<bool>();
}

std::vector<std::string> StringList(const json& obj, const char* key) {
  std::vector<std::string> out;
  const json* v = Member(obj, key);
  if (v == nullptr || !v->is_array()) return out;
  for (const json& s : *v) {
    if (s.is_string()) out.push_back(s.get<std::string>());
  }
  return out;
}

StatusOr<CrdVersion> ParseVersion(const json& v, size_t index) {
  CrdVersion out;
  out.name = StringMember(v, "name");
  std::string where = "spec.versions[" + std::to_string(index) + "]";
  if (out.name.empty()) {
    return Status::InvalidArgument(where + ".name: Required value");
  }
  out.served = BoolMember(v, "served");
  out.storage = BoolMember(v, "storage");
  out.deprecated = BoolMember(v, "deprecated");
  const json* schema = Member(v, "schema");
  const json* open_api =
      schema != nullptr ? Member(*schema, "openAPIV3Schema") : nullptr;
  if (open_api == nullptr || !open_api->is_object()) {
    return Status::InvalidArgument(
        where + ".schema.openAPIV3Schema: Required value (version " + out.name +
        ")");
  }
  out.schema = *open_api;
  const json* sub = Member(v, "subresources");
  out.status_subresource = sub != nullptr && Member(*sub, "status") != nullptr;
  return out;
}

Status CheckNames(const Crd& crd) {
  if (crd.group.empty()) {
    return Status::InvalidArgument("spec.group: Required value");
  }
  if (crd.kind.empty()) {
    return Status::InvalidArgument("spec.names.kind: Required value");
  }
  if (crd.plural.empty()) {
    return Status::InvalidArgument("spec.names.plural: Required value");
  }
  if (crd.scope != "Namespaced" && crd.scope != "Cluster") {
    return Status::InvalidArgument("spec.scope: Unsupported value: \"" +
                                   crd.scope +
                                   "\": supported values: \"Cluster\", "
                                   "\"Namespaced\"");
  }
  return Status::Ok();
}

// Every regular file with a manifest extension below `dir`, sorted.
StatusOr<std::vector<fs::path>> ManifestFiles(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::NotFound("CRD directory " + dir + " does not exist");
  }
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string ext = it->path().extension().string();
    if (ext == ".yaml" || ext == ".yml" || ext == ".json") {
      files.push_back(it->path());
    }
  }
  if (ec) {
    return Status::Unavailable("reading " + dir + ": " + ec.message());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Status LoadCrdFile(const fs::path& file, std::vector<Crd>* out) {
  StatusOr<std::string> text = ReadFile(file.string());
  if (!text.ok()) return Status::Unavailable("cannot open " + file.string());
  Diagnostics diags;
  std::vector<yaml::Node> docs =
      yaml::ParseDocuments(*text, file.string(), &diags, kCrdLimits);
  if (HasErrors(diags)) {
    for (const Diagnostic& d : diags) {
      if (d.severity == Severity::kError) {
        return Status::InvalidArgument(d.ToString());
      }
    }
  }
  for (const yaml::Node& doc : docs) {
    json object = yaml::ToJson(doc);
    if (StringMember(object, "kind") != "CustomResourceDefinition") continue;
    StatusOr<Crd> crd = ParseCrd(object);
    if (!crd.ok()) return crd.status().WithContext(file.string());
    out->push_back(std::move(crd).value());
  }
  return Status::Ok();
}

}  // namespace

const CrdVersion* Crd::FindVersion(std::string_view v) const {
  for (const CrdVersion& version : versions) {
    if (version.name == v) return &version;
  }
  return nullptr;
}

const CrdVersion* Crd::StorageVersion() const {
  for (const CrdVersion& version : versions) {
    if (version.storage) return &version;
  }
  return nullptr;
}

StatusOr<Crd> ParseCrd(const json& crd_object) {
  if (StringMember(crd_object, "kind") != "CustomResourceDefinition") {
    return Status::InvalidArgument("not a CustomResourceDefinition");
  }
  std::string api_version = StringMember(crd_object, "apiVersion");
  if (api_version != "apiextensions.k8s.io/v1") {
    return Status::InvalidArgument(
        "apiVersion: Unsupported value: \"" + api_version +
        "\": supported values: \"apiextensions.k8s.io/v1\"");
  }
  const json* spec = Member(crd_object, "spec");
  if (spec == nullptr || !spec->is_object()) {
    return Status::InvalidArgument("spec: Required value");
  }
  Crd crd;
  crd.raw = crd_object;
  crd.group = StringMember(*spec, "group");
  crd.scope = StringMember(*spec, "scope");
  if (const json* names = Member(*spec, "names")) {
    crd.kind = StringMember(*names, "kind");
    crd.list_kind = StringMember(*names, "listKind");
    crd.plural = StringMember(*names, "plural");
    crd.singular = StringMember(*names, "singular");
    crd.short_names = StringList(*names, "shortNames");
    crd.categories = StringList(*names, "categories");
  }
  RETURN_IF_ERROR(CheckNames(crd));
  const json* versions = Member(*spec, "versions");
  if (versions == nullptr || !versions->is_array() || versions->empty()) {
    return Status::InvalidArgument("spec.versions: Required value");
  }
  int storage_count = 0;
  for (size_t i = 0; i < versions->size(); ++i) {
    ASSIGN_OR_RETURN(CrdVersion version, ParseVersion((*versions)[i], i));
    if (version.storage) ++storage_count;
    crd.versions.push_back(std::move(version));
  }
  if (storage_count != 1) {
    return Status::InvalidArgument(
        "spec.versions: Invalid value: must have exactly one version marked "
        "as storage version, found " +
        std::to_string(storage_count));
  }
  return crd;
}

StatusOr<std::vector<Crd>> LoadCrdDirectory(const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<fs::path> files, ManifestFiles(dir));
  std::vector<Crd> crds;
  for (const fs::path& file : files) {
    RETURN_IF_ERROR(LoadCrdFile(file, &crds));
  }
  return crds;
}

std::string SchemaError::ToString() const { return field + ": " + message; }

}  // namespace capigitops::schema
