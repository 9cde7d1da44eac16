#include "deploy/manifests.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "capigitops/yaml.h"
#include "testing/subprocess.h"

namespace capigitops::testutil {

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(SourcePath(relative), std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<Manifest> ReadManifests(const std::string& relative,
                                    std::vector<std::string>* errors) {
  if (!std::filesystem::is_regular_file(SourcePath(relative))) {
    errors->push_back(relative + ": no such file");
    return {};
  }
  Diagnostics diags;
  std::vector<yaml::Node> docs =
      yaml::ParseDocuments(ReadSourceFile(relative), relative, &diags);
  for (const Diagnostic& d : diags) errors->push_back(d.ToString());
  std::vector<Manifest> out;
  for (const yaml::Node& doc : docs) {
    if (doc.IsNull()) continue;  // an empty document, e.g. after a final ---
    out.push_back({relative, yaml::ToJson(doc)});
  }
  return out;
}

std::vector<std::string> YamlFilesIn(const std::string& relative_dir) {
  std::vector<std::string> names;
  for (const auto& entry :
       std::filesystem::directory_iterator(SourcePath(relative_dir))) {
    if (!entry.is_regular_file()) continue;
    std::string ext = entry.path().extension().string();
    if (ext == ".yaml" || ext == ".yml") {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<Manifest> KustomizationObjects() {
  std::vector<std::string> errors;
  std::vector<Manifest> kust =
      ReadManifests("deploy/kustomization.yaml", &errors);
  std::vector<Manifest> out;
  if (kust.empty()) return out;
  for (const auto& file :
       kust[0].object.value("resources", nlohmann::json::array())) {
    std::vector<Manifest> docs =
        ReadManifests("deploy/" + file.get<std::string>(), &errors);
    out.insert(out.end(), docs.begin(), docs.end());
  }
  return out;
}

const nlohmann::json* FindObject(const std::vector<Manifest>& objects,
                                 const std::string& kind,
                                 const std::string& name) {
  for (const Manifest& m : objects) {
    const nlohmann::json& o = m.object;
    if (o.value("kind", "") == kind &&
        o.value("/metadata/name"_json_pointer, "") == name) {
      return &o;
    }
  }
  return nullptr;
}

const nlohmann::json& PodSpecOf(const nlohmann::json& workload) {
  if (workload.value("kind", "") == "CronJob") {
    return workload["spec"]["jobTemplate"]["spec"]["template"]["spec"];
  }
  return workload["spec"]["template"]["spec"];
}

std::string GroupOf(const std::string& api_version) {
  size_t slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

std::string ResourceOf(const std::string& kind) {
  std::string lower;
  for (char c : kind) {
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (!lower.empty() && lower.back() == 'y') {
    return lower.substr(0, lower.size() - 1) + "ies";
  }
  return lower + "s";
}

std::set<std::string> GrantedVerbs(const nlohmann::json& role,
                                   const std::string& group,
                                   const std::string& resource) {
  std::set<std::string> verbs;
  auto contains = [](const nlohmann::json& list, const std::string& s) {
    return list.is_array() &&
           std::find(list.begin(), list.end(), s) != list.end();
  };
  for (const nlohmann::json& rule :
       role.value("rules", nlohmann::json::array())) {
    if (!contains(rule.value("apiGroups", nlohmann::json()), group)) continue;
    if (!contains(rule.value("resources", nlohmann::json()), resource))
      continue;
    for (const auto& v : rule.value("verbs", nlohmann::json::array())) {
      verbs.insert(v.get<std::string>());
    }
  }
  return verbs;
}

}  // namespace capigitops::testutil
