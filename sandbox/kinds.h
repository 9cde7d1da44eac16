// The kinds the sandbox serves: built-in core kinds plus CRD kinds, either
// loaded from CRD files or from a built-in list of what capi-gitops emits.
#ifndef CAPIGITOPS_SANDBOX_KINDS_H_
#define CAPIGITOPS_SANDBOX_KINDS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "capigitops/status.h"

namespace capigitops::sandbox {

struct KindVersion {
  std::string name;  // "v1beta2"
  bool served = true;
  bool storage = false;
  nlohmann::json schema;  // openAPIV3Schema; null = no schema checks
  bool status_subresource = false;
};

struct ResourceType {
  std::string group;  // "" for core
  std::string kind;
  std::string list_kind;
  std::string plural;
  std::string singular;
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<KindVersion> versions;
  bool is_crd = false;     // listed under customresourcedefinitions
  bool read_only = false;  // CRDs themselves: get and list only
  nlohmann::json crd;      // the CustomResourceDefinition object, if any

  const KindVersion* FindVersion(const std::string& version) const;
  const KindVersion* StorageVersion() const;
  // "group/version" or "version" for core.
  std::string GroupVersion(const std::string& version) const;
};

class KindRegistry {
 public:
  // Core v1 kinds, Lease and the CRD kind itself.
  KindRegistry();

  void Add(ResourceType type);
  // The type serving `plural` in group/version, or nullptr.
  const ResourceType* Find(const std::string& group, const std::string& version,
                           const std::string& plural) const;
  const ResourceType* FindByKind(const std::string& group,
                                 const std::string& kind) const;
  const std::vector<ResourceType>& types() const { return types_; }
  // Groups in registration order (core "" excluded), each with its served
  // versions, preferred (storage) first.
  std::vector<std::pair<std::string, std::vector<std::string>>> Groups() const;
  // CustomResourceDefinition objects for the apiextensions list.
  std::vector<nlohmann::json> CrdObjects() const;

 private:
  std::vector<ResourceType> types_;
};

// Registers the kinds capi-gitops emits, without schemas.
void AddBuiltinCapiKinds(KindRegistry* registry);

// Reads every CustomResourceDefinition in *.yaml files under `dir`
// (recursively) and registers them with their schemas.
Status LoadCrdDirectory(const std::string& dir, KindRegistry* registry);

// Turns one parsed CustomResourceDefinition object into a ResourceType.
StatusOr<ResourceType> ResourceTypeFromCrd(const nlohmann::json& crd);

// The CustomResourceDefinition object describing `type` (for built-in kinds
// registered without a file).
nlohmann::json SynthesizeCrd(const ResourceType& type);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_KINDS_H_
