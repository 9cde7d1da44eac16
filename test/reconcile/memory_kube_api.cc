#include "reconcile/memory_kube_api.h"

#include <cctype>

namespace capigitops::testing {
namespace {

using nlohmann::json;

MemoryKubeApi::Key KeyOf(const json& obj) {
  const json& meta = obj.at("metadata");
  return {obj.value("apiVersion", ""), obj.value("kind", ""),
          meta.value("namespace", ""), meta.value("name", "")};
}

// "a=b,c=d": every pair must match the object's labels.
bool Matches(const json& obj, const std::string& selector) {
  json labels = obj["metadata"].value("labels", json::object());
  size_t start = 0;
  while (start < selector.size()) {
    size_t comma = selector.find(',', start);
    if (comma == std::string::npos) comma = selector.size();
    std::string term = selector.substr(start, comma - start);
    size_t eq = term.find('=');
    std::string key = term.substr(0, eq);
    if (!labels.contains(key)) return false;
    if (eq != std::string::npos &&
        labels[key].get<std::string>() != term.substr(eq + 1)) {
      return false;
    }
    start = comma + 1;
  }
  return true;
}

}  // namespace

std::vector<std::string> MemoryKubeApi::Names(const std::string& kind) const {
  std::vector<std::string> out;
  for (const auto& [key, obj] : objects) {
    if (std::get<1>(key) == kind) out.push_back(std::get<3>(key));
  }
  return out;
}

StatusOr<ResourceInfo> MemoryKubeApi::Resolve(const std::string& api_version,
                                              const std::string& kind) {
  ResourceInfo r;
  size_t slash = api_version.find('/');
  r.group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  r.version =
      slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  r.kind = kind;
  for (char c : kind) r.plural += static_cast<char>(std::tolower(c));
  r.plural += "s";
  r.namespaced = kind != "Namespace";
  return r;
}

StatusOr<json> MemoryKubeApi::Get(const ResourceInfo& r, const std::string& ns,
                                  const std::string& name) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  auto it =
      objects.find({r.ApiVersion(), r.kind, r.namespaced ? ns : "", name});
  if (it == objects.end()) {
    return Status::NotFound(r.Name() + " " + name + " not found");
  }
  return it->second;
}

StatusOr<std::vector<json>> MemoryKubeApi::List(
    const ResourceInfo& r, const std::string& ns,
    const std::string& label_selector) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::vector<json> out;
  for (const auto& [key, obj] : objects) {
    if (std::get<0>(key) != r.ApiVersion() || std::get<1>(key) != r.kind)
      continue;
    if (!ns.empty() && std::get<2>(key) != ns) continue;
    if (Matches(obj, label_selector)) out.push_back(obj);
  }
  return out;
}

StatusOr<json> MemoryKubeApi::Store(const json& obj, bool dry_run) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (dry_run) return obj;
  ++writes;
  objects[KeyOf(obj)] = obj;
  return obj;
}

StatusOr<json> MemoryKubeApi::Apply(const json& object,
                                    const ApplyOptions& options) {
  return Store(object, options.dry_run);
}

Status MemoryKubeApi::Delete(const ResourceInfo& r, const std::string& ns,
                             const std::string& name,
                             const WriteOptions& options) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (options.dry_run) return Status::Ok();
  if (on_delete) on_delete(r.kind, name);
  ++writes;
  objects.erase({r.ApiVersion(), r.kind, r.namespaced ? ns : "", name});
  return Status::Ok();
}

StatusOr<json> MemoryKubeApi::Create(const ResourceInfo&, const json& obj,
                                     const WriteOptions& options) {
  return Store(obj, options.dry_run);
}

StatusOr<json> MemoryKubeApi::Replace(const ResourceInfo&, const json& obj,
                                      const WriteOptions& options) {
  return Store(obj, options.dry_run);
}

}  // namespace capigitops::testing
