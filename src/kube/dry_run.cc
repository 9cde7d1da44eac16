// DryRunKubeApi: every write becomes dryRun=All, so a dry run is the same
// code path as a real one against another KubeApi. ReadOnlyKubeApi: no
// write is sent at all (--read-only).
#include <nlohmann/json.hpp>

#include "capigitops/json.h"
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

Status DryRunKubeApi::ListEachEvents(const ResourceInfo& r,
                                     const std::string& ns,
                                     const std::string& label_selector,
                                     yaml::JsonItemSax& items) {
  return inner_.ListEachEvents(r, ns, label_selector, items);
}

bool DryRunKubeApi::SkipUnchecked(const std::string& ns) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ns.empty() || missing_namespaces_.count(ns) == 0) return false;
  ++unchecked_writes_;
  return true;
}

DryRunKubeApi::UncheckedWrites DryRunKubeApi::Unchecked() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {{missing_namespaces_.begin(), missing_namespaces_.end()},
          unchecked_writes_};
}

StatusOr<nlohmann::json> DryRunKubeApi::Apply(const nlohmann::json& object,
                                              const ApplyOptions& options) {
  const std::string kind = object.value("kind", "");
  const nlohmann::json meta =
      object.value("metadata", nlohmann::json::object());
  if (kind == "Namespace" && object.value("apiVersion", "") == "v1") {
    // The dry-run apply stores nothing, so remember a namespace it would
    // have created: the writes into it cannot be checked by the server.
    std::string name = meta.value("name", "");
    StatusOr<ResourceInfo> r = inner_.Resolve("v1", "Namespace");
    if (r.ok() && inner_.Get(*r, "", name).status().IsNotFound()) {
      std::lock_guard<std::mutex> lock(mu_);
      missing_namespaces_.insert(name);
    }
  } else if (SkipUnchecked(meta.value("namespace", ""))) {
    return object;
  }
  ApplyOptions dry = options;
  dry.dry_run = true;
  return inner_.Apply(object, dry);
}

Status DryRunKubeApi::Delete(const ResourceInfo& r, const std::string& ns,
                             const std::string& name,
                             const WriteOptions& options) {
  if (SkipUnchecked(ns)) return Status::Ok();
  return inner_.Delete(r, ns, name, DryRun(options));
}

StatusOr<nlohmann::json> DryRunKubeApi::Create(const ResourceInfo& r,
                                               const nlohmann::json& obj,
                                               const WriteOptions& options) {
  if (SkipUnchecked(obj.value("metadata", nlohmann::json::object())
                        .value("namespace", ""))) {
    return obj;
  }
  return inner_.Create(r, obj, DryRun(options));
}

StatusOr<nlohmann::json> DryRunKubeApi::Replace(const ResourceInfo& r,
                                                const nlohmann::json& obj,
                                                const WriteOptions& options) {
  if (SkipUnchecked(obj.value("metadata", nlohmann::json::object())
                        .value("namespace", ""))) {
    return obj;
  }
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

Status ReadOnlyKubeApi::ListEachEvents(const ResourceInfo& r,
                                       const std::string& ns,
                                       const std::string& label_selector,
                                       yaml::JsonItemSax& items) {
  return inner_.ListEachEvents(r, ns, label_selector, items);
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
