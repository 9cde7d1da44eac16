// What a pass depends on besides the clock, in one string: the controller
// compares it between passes and skips one whose inputs did not change.
#include <algorithm>

#include "capigitops/labels.h"
#include "capigitops/loader.h"
#include "capigitops/reconcile.h"
#include "util/digest.h"

namespace capigitops {
namespace {

using nlohmann::json;

const char kFingerprintClusterVersion[] = "cluster.x-k8s.io/v1beta2";

// "name resourceVersion" of every item, sorted: any write to one of them
// (status included) changes its resourceVersion, and so the result.
StatusOr<std::string> ListVersions(KubeApi& kube,
                                   const std::string& api_version,
                                   const std::string& kind,
                                   const std::string& ns,
                                   const std::string& selector) {
  ASSIGN_OR_RETURN(ResourceInfo r, kube.Resolve(api_version, kind));
  ASSIGN_OR_RETURN(std::vector<json> items, kube.List(r, ns, selector));
  std::vector<std::string> lines;
  lines.reserve(items.size());
  for (const json& item : items) {
    const json meta = item.value("metadata", json::object());
    lines.push_back(meta.value("namespace", "") + "/" + meta.value("name", "") +
                    " " + meta.value("resourceVersion", ""));
  }
  std::sort(lines.begin(), lines.end());
  std::string out = kind + "\n";
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

}  // namespace

StatusOr<std::string> PassFingerprint(const PassDeps& deps,
                                      const ReconcileOptions& options) {
  RepoConfig config;
  ASSIGN_OR_RETURN(Snapshot head, deps.spec->Fetch({config.file}));
  auto cfg = head.files.find(config.file);
  if (cfg != head.files.end()) {
    Diagnostics ignored;  // the full pass reports them
    LoadRepoConfig(cfg->first, cfg->second, &config, &ignored);
  }
  const std::string ns =
      options.ns_override.empty() ? config.namespace_name : options.ns_override;
  std::string text = "revision " + head.commit + "\nnamespace " + ns + "\n";
  ASSIGN_OR_RETURN(std::string inventories,
                   ListVersions(*deps.kube, "v1", "ConfigMap", ns,
                                std::string(kInventoryLabel) + "=true"));
  // Clusters carry what status reports (phase, conditions, deletion).
  ASSIGN_OR_RETURN(std::string clusters,
                   ListVersions(*deps.kube, kFingerprintClusterVersion,
                                "Cluster", ns, kManagedBySelector));
  return Sha256Hex(text + inventories + clusters);
}

}  // namespace capigitops
