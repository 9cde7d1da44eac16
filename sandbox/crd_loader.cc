// CustomResourceDefinitions as served kinds; files are read by the library's
// schema module.
#include "capigitops/schema.h"
#include "kinds.h"

namespace capigitops::sandbox {
namespace {

using nlohmann::json;

std::vector<std::string> Strings(const json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const json& s : j) {
    if (s.is_string()) out.push_back(s.get<std::string>());
  }
  return out;
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

StatusOr<ResourceType> ResourceTypeFromCrd(const json& crd) {
  if (!crd.is_object() || Str(crd, "kind") != "CustomResourceDefinition") {
    return Status::InvalidArgument("not a CustomResourceDefinition");
  }
  const json spec = crd.value("spec", json::object());
  const json names = spec.value("names", json::object());
  ResourceType t;
  t.group = Str(spec, "group");
  t.kind = Str(names, "kind");
  t.plural = Str(names, "plural");
  t.singular = Str(names, "singular");
  t.list_kind = Str(names, "listKind");
  if (t.list_kind.empty()) t.list_kind = t.kind + "List";
  t.short_names = Strings(names.value("shortNames", json::array()));
  t.categories = Strings(names.value("categories", json::array()));
  t.namespaced = Str(spec, "scope") != "Cluster";
  t.is_crd = true;
  if (t.group.empty() || t.kind.empty() || t.plural.empty()) {
    return Status::InvalidArgument("CRD without group, kind or plural");
  }
  for (const json& v : spec.value("versions", json::array())) {
    KindVersion kv;
    kv.name = Str(v, "name");
    kv.served = v.value("served", false);
    kv.storage = v.value("storage", false);
    if (v.contains("schema") && v["schema"].contains("openAPIV3Schema")) {
      kv.schema = v["schema"]["openAPIV3Schema"];
    }
    kv.status_subresource =
        v.contains("subresources") && v["subresources"].contains("status");
    t.versions.push_back(std::move(kv));
  }
  if (t.versions.empty()) {
    return Status::InvalidArgument("CRD " + t.plural + "." + t.group +
                                   " has no versions");
  }
  json served = crd;
  served.erase("status");
  served["metadata"]["name"] = t.plural + "." + t.group;
  served["status"] = {
      {"conditions",
       json::array({{{"type", "Established"}, {"status", "True"}},
                    {{"type", "NamesAccepted"}, {"status", "True"}}})},
      {"acceptedNames", names},
      {"storedVersions", json::array({t.StorageVersion()->name})}};
  t.crd = std::move(served);
  return t;
}

json SynthesizeCrd(const ResourceType& t) {
  json versions = json::array();
  for (const KindVersion& v : t.versions) {
    json jv = {{"name", v.name},
               {"served", v.served},
               {"storage", v.storage},
               {"schema",
                {{"openAPIV3Schema",
                  {{"type", "object"},
                   {"x-kubernetes-preserve-unknown-fields", true}}}}}};
    if (v.status_subresource) jv["subresources"] = {{"status", json::object()}};
    versions.push_back(jv);
  }
  json names = {{"kind", t.kind},
                {"listKind", t.list_kind},
                {"plural", t.plural},
                {"singular", t.singular}};
  if (!t.categories.empty()) names["categories"] = t.categories;
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", t.plural + "." + t.group}}},
          {"spec",
           {{"group", t.group},
            {"names", names},
            {"scope", t.namespaced ? "Namespaced" : "Cluster"},
            {"versions", versions}}},
          {"status",
           {{"conditions",
             json::array({{{"type", "Established"}, {"status", "True"}}})},
            {"acceptedNames", names}}}};
}

Status LoadCrdDirectory(const std::string& dir, KindRegistry* registry) {
  StatusOr<std::vector<schema::Crd>> crds = schema::LoadCrdDirectory(dir);
  if (!crds.ok()) return crds.status();
  if (crds->empty()) {
    return Status::InvalidArgument("no CustomResourceDefinition in " + dir);
  }
  for (const schema::Crd& crd : *crds) {
    StatusOr<ResourceType> type = ResourceTypeFromCrd(crd.raw);
    if (!type.ok()) return type.status();
    registry->Add(std::move(type).value());
  }
  return Status::Ok();
}

}  // namespace capigitops::sandbox
