#include "app/status_read.h"

#include <filesystem>

#include "capigitops/diagnostic.h"
#include "capigitops/duration.h"
#include "capigitops/yaml.h"
#include "util/file.h"

namespace capigitops {

std::map<std::string, nlohmann::json> ReadStatusFiles(
    const std::string& dir, const RepoConfig& config) {
  std::map<std::string, nlohmann::json> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(
      std::filesystem::path(dir) / config.status_path, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string path = it->path().string();
    if (!it->is_regular_file(ec) || it->path().extension() != ".yaml") {
      continue;
    }
    StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) continue;
    Diagnostics diags;
    std::vector<yaml::Node> docs = yaml::ParseDocuments(*text, path, &diags);
    if (docs.empty() || !diags.empty()) continue;
    nlohmann::json doc = yaml::ToJson(docs[0]);
    if (!doc.is_object() || doc.value("kind", "") != "ClusterStatus") continue;
    const nlohmann::json& meta = doc["metadata"];
    if (!meta.is_object() || !meta["name"].is_string()) continue;
    out[meta["name"].get<std::string>()] =
        doc["status"].is_object() ? doc["status"] : nlohmann::json::object();
  }
  return out;
}

int64_t StatusCreatedAt(const nlohmann::json& status) {
  auto it = status.find("createdAt");
  if (it == status.end() || !it->is_string()) return 0;
  return ParseRfc3339(it->get<std::string>()).value_or(0);
}

}  // namespace capigitops
