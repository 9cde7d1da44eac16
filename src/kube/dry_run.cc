// DryRunKubeApi: every write becomes dryRun=All, so a dry run is the same
// code path as a real one against another KubeApi. ReadOnlyKubeApi: no
// write is sent at all (--read-only).
#include <nlohmann/json.hpp>

#include "capigitops/kube_api.h"

namespace capigitops {
namespace {

WriteOptions DryRun(WriteOptions options) {
  options.dry_run = true;
  return options;
}

}  // namespace

StatusOr<ResourceInfo> DryRunKubeApi::Resolve(const std::string& api_version,
                                              const std::string& kind) {
  return inner_.Resolve(api_version, kind);
}

void DryRunKubeApi::ForgetDiscovery() { inner_.ForgetDiscovery(); }

StatusOr<nlohmann::json> DryRunKubeApi::Get(const ResourceInfo& r,
                                            const std::string& ns,
                                            const std::string& name) {
  return inner_.Get(r, ns, name);
}

StatusOr<std::vector<nlohmann::json>> DryRunKubeApi::List(
    const ResourceInfo& r, const std::string& ns,
    const std::string& label_selector) {
  return inner_.List(r, ns, label_selector);
}

StatusOr<nlohmann::json> DryRunKubeApi::Apply(const nlohmann::json& object,
                                              const ApplyOptions& options) {
  ApplyOptions dry = options;
  dry.dry_run = true;
  return inner_.Apply(object, dry);
}

Status DryRunKubeApi::Delete(const ResourceInfo& r, const std::string& ns,
                             const std::string& name,
                             const WriteOptions& options) {
  return inner_.Delete(r, ns, name, DryRun(options));
}

StatusOr<nlohmann::json> DryRunKubeApi::Create(const ResourceInfo& r,
                                               const nlohmann::json& obj,
                                               const WriteOptions& options) {
  return inner_.Create(r, obj, DryRun(options));
}

StatusOr<nlohmann::json> DryRunKubeApi::Replace(const ResourceInfo& r,
                                                const nlohmann::json& obj,
                                                const WriteOptions& options) {
  return inner_.Replace(r, obj, DryRun(options));
}

}  // namespace capigitops

namespace capigitops {

StatusOr<ResourceInfo> ReadOnlyKubeApi::Resolve(const std::string& api_version,
                                                const std::string& kind) {
  return inner_.Resolve(api_version, kind);
}

void ReadOnlyKubeApi::ForgetDiscovery() { inner_.ForgetDiscovery(); }

StatusOr<nlohmann::json> ReadOnlyKubeApi::Get(const ResourceInfo& r,
                                              const std::string& ns,
                                              const std::string& name) {
  return inner_.Get(r, ns, name);
}

StatusOr<std::vector<nlohmann::json>> ReadOnlyKubeApi::List(
    const ResourceInfo& r, const std::string& ns,
    const std::string& label_selector) {
  return inner_.List(r, ns, label_selector);
}

StatusOr<nlohmann::json> ReadOnlyKubeApi::Apply(const nlohmann::json& object,
                                                const ApplyOptions&) {
  return object;
}

Status ReadOnlyKubeApi::Delete(const ResourceInfo&, const std::string&,
                               const std::string&, const WriteOptions&) {
  return Status::Ok();
}

StatusOr<nlohmann::json> ReadOnlyKubeApi::Create(const ResourceInfo&,
                                                 const nlohmann::json& obj,
                                                 const WriteOptions&) {
  return obj;
}

StatusOr<nlohmann::json> ReadOnlyKubeApi::Replace(const ResourceInfo&,
                                                  const nlohmann::json& obj,
                                                  const WriteOptions&) {
  return obj;
}

}  // namespace capigitops
