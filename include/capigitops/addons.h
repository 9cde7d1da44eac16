// The add-on catalog: addons/<name>.yaml, one `kind: Addon` per file, written
// once by the platform team. Each add-on says what it provides, for which
// providers, and how it reaches a workload cluster: a Helm chart through
// CAAPH (HelmChartProxy) or plain manifests through a ClusterResourceSet.
//
// A plain value type and a pure loader, like ClusterRequest (spec.h): render
// turns the catalog into objects and the Cluster labels that select them.
#ifndef CAPIGITOPS_ADDONS_H_
#define CAPIGITOPS_ADDONS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "capigitops/config.h"
#include "capigitops/diagnostic.h"
#include "capigitops/file_set.h"
#include "capigitops/spec.h"
#include "capigitops/yaml.h"

namespace capigitops {

// What an add-on does for a workload cluster. The sandbox and status read it
// from the objects' addons.capigitops.io/provides label.
enum class AddonProvides { kCni, kCcm, kCsi, kGpu, kOther };
const char* AddonProvidesName(AddonProvides p);  // "cni", "ccm", ...
std::optional<AddonProvides> ParseAddonProvides(std::string_view s);

// CAAPH's spec.reconcileStrategy; immutable once created.
enum class ReconcileStrategy { kInstallOnce, kContinuous };
const char* ReconcileStrategyName(ReconcileStrategy s);

struct HelmDelivery {
  std::string repo_url;
  std::string chart;
  std::string version;       // exact semver, e.g. v3.29.1 or 25.3.0
  std::string release_name;  // empty: CAAPH's generated name
  std::string namespace_name;
  std::string values;  // a Go template over .Cluster (CAAPH valuesTemplate)
  ReconcileStrategy strategy = ReconcileStrategy::kInstallOnce;
};

// One ConfigMap of a ClusterResourceSet: a manifest file of the catalog
// (addons/<dir>/<file>.yaml) or the add-on's inline YAML.
struct AddonManifest {
  std::string source;  // repository path, or "<addon file>#inline"
  std::string key;     // data key in the ConfigMap, e.g. calico.yaml
  std::string text;
};

struct Addon {
  std::string file;  // repository-relative path, e.g. addons/calico.yaml
  std::string name;
  AddonProvides provides = AddonProvides::kOther;
  std::set<Provider> providers;
  std::optional<HelmDelivery> helm;      // exactly one of helm and
  std::vector<AddonManifest> manifests;  // manifests is set
  yaml::Mark mark;                       // of metadata.name

  bool IsHelm() const { return helm.has_value(); }
  bool AppliesTo(Provider p) const { return providers.count(p) > 0; }
};

struct AddonCatalog {
  std::vector<Addon> addons;  // sorted by name
  const Addon* Find(std::string_view name) const;
  bool empty() const { return addons.empty(); }
};

// The label on a Cluster that selects add-on `name`:
// addons.capigitops.io/<name>, value "true".
std::string AddonLabelKey(const std::string& name);

// Decodes and validates one add-on file. `files` is the whole repository,
// for manifest files the add-on names. Returns nullopt on errors, which are
// appended to `diags` with file:line and a hint.
std::optional<Addon> LoadAddon(const std::string& file, std::string_view text,
                               const FileSet& files, Diagnostics* diags);

// Every add-on file directly in config.addons_path (manifest files live in
// its subdirectories), plus the catalog-wide checks: unique names, and the
// repository's default CNI naming a cni add-on of the catalog.
AddonCatalog LoadAddonCatalog(const FileSet& files, const RepoConfig& config,
                              Diagnostics* diags);

// The add-ons `req` names in spec.addons exist in the catalog, provide what
// the field says and apply to its provider. Appends errors at the spec's
// lines; returns false when there were any.
bool CheckAddonChoice(const ClusterRequest& req, const AddonCatalog& catalog,
                      const RepoConfig& config, Diagnostics* diags);

}  // namespace capigitops

#endif  // CAPIGITOPS_ADDONS_H_
