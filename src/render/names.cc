// Names, labels and object skeletons shared by all builders.
#include "capigitops/json.h"
#include "render/common.h"
#include "util/digest.h"

namespace capigitops::render {

std::string ShortHash(std::string_view data) {
  return Sha256Hex(data).substr(0, 8);
}

std::string BoundedName(const std::string& cluster, const std::string& part) {
  std::string name = cluster + "-" + part;
  if (name.size() <= kMaxNameLength) return name;
  std::string hash = ShortHash(part);
  name.resize(kMaxNameLength - 1 - hash.size());
  // A DNS label may not have a dash before the hash's dash.
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name + "-" + hash;
}

std::string TemplateName(const std::string& cluster, const std::string& part,
                         const nlohmann::json& spec) {
  // The part is hashed too: two pools with equal specs must not share a
  // template when their names are cut below.
  std::string hash = ShortHash(part + "\n" + yaml::DumpJson(spec));
  std::string prefix = cluster + "-" + part;
  if (prefix.size() + 1 + hash.size() > kMaxNameLength) {
    prefix.resize(kMaxNameLength - 1 - hash.size());
    while (!prefix.empty() && prefix.back() == '-') prefix.pop_back();
  }
  return prefix + "-" + hash;
}

nlohmann::json BaseLabels(const ClusterRequest& req) {
  return {{kManagedByLabel, kManagedByValue},
          {kClusterLabel, req.name},
          {kOwnerLabel, req.owner}};
}

nlohmann::json ClusterMemberLabels(const ClusterRequest& req) {
  nlohmann::json labels = BaseLabels(req);
  labels[kCapiClusterNameLabel] = req.name;
  return labels;
}

nlohmann::json NewObject(const std::string& api_version,
                         const std::string& kind, const std::string& name,
                         const std::string& ns, const nlohmann::json& labels) {
  // Built in place: initializer lists copy every nested value once more.
  nlohmann::json obj = nlohmann::json::object();
  obj["apiVersion"] = api_version;
  obj["kind"] = kind;
  nlohmann::json& metadata = obj["metadata"];
  metadata["name"] = name;
  metadata["labels"] = labels;
  if (!ns.empty()) metadata["namespace"] = ns;
  return obj;
}

nlohmann::json Ref(const std::string& group, const std::string& kind,
                   const std::string& name) {
  return {{"apiGroup", group}, {"kind", kind}, {"name", name}};
}

Status FieldError(const std::string& field, const std::string& message) {
  return Status::InvalidArgument(field + ": " + message);
}

std::vector<std::pair<std::string, std::string>> ExternalCloudProviderArgs() {
  return {{"cloud-provider", "external"}};
}

void AppendTo(nlohmann::json* config, const char* key, nlohmann::json item) {
  nlohmann::json& list = (*config)[key];
  if (!list.is_array()) list = nlohmann::json::array();
  list.push_back(std::move(item));
}

StatusOr<std::vector<nlohmann::json>> NoIdentities(const RenderContext&) {
  return std::vector<nlohmann::json>{};
}

}  // namespace capigitops::render
