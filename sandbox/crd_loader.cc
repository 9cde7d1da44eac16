// Reads CustomResourceDefinition files. This is the one place to swap for
// schema::LoadCrdDirectory once the library's schema module lands.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "capigitops/yaml.h"
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
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::InvalidArgument("CRD directory " + dir + " not found");
  }
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() == ".yaml" || p.extension() == ".yml") files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  int loaded = 0;
  for (const fs::path& p : files) {
    std::ifstream in(p);
    std::stringstream text;
    text << in.rdbuf();
    Diagnostics diags;
    yaml::Limits limits;
    limits.max_bytes = 16 << 20;
    limits.max_nodes = 4000000;
    limits.max_depth = 200;
    for (const yaml::Node& doc :
         yaml::ParseDocuments(text.str(), p.string(), &diags, limits)) {
      json obj = yaml::ToJson(doc);
      if (!obj.is_object() ||
          obj.value("kind", "") != "CustomResourceDefinition")
        continue;
      StatusOr<ResourceType> type = ResourceTypeFromCrd(obj);
      if (!type.ok()) return type.status().WithContext(p.string());
      registry->Add(std::move(type).value());
      ++loaded;
    }
    if (HasErrors(diags)) {
      return Status::InvalidArgument(diags.front().ToString());
    }
  }
  if (loaded == 0) {
    return Status::InvalidArgument("no CustomResourceDefinition in " + dir);
  }
  return Status::Ok();
}

}  // namespace capigitops::sandbox
