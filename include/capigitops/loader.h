// Loading a cluster-definition repository: capi-gitops.yaml, clusters/,
// policies/. Everything here but ReadRepoDirectory is pure: it works on a
// FileSet, which comes from a directory or straight from a Git tree.
#ifndef CAPIGITOPS_LOADER_H_
#define CAPIGITOPS_LOADER_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "capigitops/addons.h"
#include "capigitops/config.h"
#include "capigitops/diagnostic.h"
#include "capigitops/file_set.h"
#include "capigitops/spec.h"
#include "capigitops/status.h"

namespace capigitops {

struct LoadedRepo {
  RepoConfig config;
  AddonCatalog catalog;  // addons/ (addons.path), sorted by name
  // Requests that loaded and validated, sorted by name.
  std::vector<ClusterRequest> requests;
  // Cluster names whose spec failed to load or validate. Their live clusters
  // must be left exactly as they are: never pruned, never changed.
  std::set<std::string> broken;
  Diagnostics diags;  // every problem of every file, in file order
};

// Loads capi-gitops.yaml (defaults when absent), the add-on catalog and
// every cluster file; a request naming add-ons the catalog lacks is broken.
LoadedRepo LoadRepo(const FileSet& files);

// Decodes capi-gitops.yaml. Returns false when it has errors.
bool LoadRepoConfig(const std::string& file, std::string_view text,
                    RepoConfig* config, Diagnostics* diags);

// Decodes and validates one ClusterRequest file. Returns nullopt on errors,
// which are appended to `diags` (all of them, not just the first).
// `repo_settings`, when given, is config.providers, shared by every request
// without a spec.providerConfig (LoadRepo makes it once for all of them).
std::optional<ClusterRequest> LoadClusterRequest(
    const std::string& file, std::string_view text, const RepoConfig& config,
    Diagnostics* diags,
    std::shared_ptr<const ProviderSettings> repo_settings = nullptr);

// The paths a repository is read from, all that `config` names:
// capi-gitops.yaml, approvals.yaml, the clusters, policies, status and
// add-on directories. Nothing
// else is read, so an unrelated large file elsewhere costs nothing.
std::vector<std::string> RepoPaths(const RepoConfig& config);

// Reads capi-gitops.yaml and the YAML/JSON files below the configured
// clusters and policies paths of a repository directory. NotFound when `dir`
// does not exist; a missing clusters/ directory is an error too, so that an
// unreadable source is never taken for an empty one.
StatusOr<FileSet> ReadRepoDirectory(const std::string& dir);

}  // namespace capigitops

#endif  // CAPIGITOPS_LOADER_H_
