// `validate` and `plan` on some clusters only: --cluster NAME (repeatable or
// a comma list), -l SELECTOR (the ClusterRequests' labels) and a single spec
// file given as the path argument. Clusters outside the filter are neither
// shown nor touched: plan leaves them as they are live, so it never reports
// (or, in a later apply, carries out) a deletion for them.
#ifndef CAPIGITOPS_APP_CLUSTER_FILTER_H_
#define CAPIGITOPS_APP_CLUSTER_FILTER_H_

#include <optional>
#include <set>
#include <string>

#include "app/flags.h"
#include "capigitops/reconcile.h"
#include "util/label_selector.h"

namespace capigitops {

struct ClusterFilter {
  std::set<std::string> names;            // --cluster
  std::optional<LabelSelector> selector;  // -l
  std::string file;  // a spec file, relative to the repository root
  bool active() const { return !names.empty() || selector || !file.empty(); }
};

// Adds --cluster and -l/--selector.
void AddClusterFilterOptions(FlagSet* options);

// --cluster and -l from `args`; InvalidArgument for a malformed selector.
StatusOr<ClusterFilter> ParseClusterFilter(const Args& args);

// A path argument that is a file: the repository around it (the nearest
// directory above it holding capi-gitops.yaml, as the path was given or
// relative to the working directory) and the file relative to that.
// NotFound when no directory above it has a capi-gitops.yaml.
struct RepoFile {
  std::string repo_dir;
  std::string file;
};
StatusOr<RepoFile> FindRepoAround(const std::string& path);

// The cluster names `filter` selects among the evaluated specs (and the
// broken ones, which match by name or file only) and `live_only` (live
// clusters without a spec; plan can name them with --cluster). A --cluster
// name that is none of them is InvalidArgument with a did-you-mean, a file
// that holds no cluster spec too. Every criterion given must hold.
StatusOr<std::set<std::string>> SelectClusters(
    const ClusterFilter& filter, const Evaluation& ev,
    const std::set<std::string>& live_only = {});

// Drops from `ev` every cluster not in `selected`, with the diagnostics of
// their files (those of capi-gitops.yaml and policies stay), and recomputes
// has_errors from what is left.
void RestrictEvaluation(const std::set<std::string>& selected, Evaluation* ev);

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_CLUSTER_FILTER_H_
