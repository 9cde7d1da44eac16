#include "app/load.h"

#include <ctime>
#include <filesystem>
#include <set>
#include <string_view>

#include "app/builtin_policies.h"
#include "app/cluster_access.h"
#include "app/cluster_filter.h"
#include "capigitops/duration.h"
#include "capigitops/git.h"

namespace capigitops {

void AddRepoDirArgument(FlagSet* options) {
  options->add_options()("repo-dir", "repository directory",
                         flags::value<std::string>()->default_value("."));
  options->parse_positional({"repo-dir"});
  options->positional_help("[REPO_DIR]");
}

void AddClusterSelection(FlagSet* options) {
  AddClusterFilterOptions(options);
  options->positional_help("[REPO_DIR | SPEC_FILE]");
}

void AddPoliciesFromRefOption(FlagSet* options) {
  options->add_options()(
      "policies-from-ref",
      "evaluate policies (and capi-gitops.yaml's deletion budget) from this "
      "Git ref, e.g. the pull request's base: origin/main or its commit id",
      flags::value<std::string>()->default_value(""));
}

namespace {

bool IsSpecFile(const std::string& path) {
  for (std::string_view ext : {".yaml", ".yml", ".json"}) {
    if (path.size() > ext.size() &&
        path.compare(path.size() - ext.size(), ext.size(), ext) == 0) {
      return true;
    }
  }
  return false;
}

// The spec files under `dir` of `files`, by path.
FileSet SpecFilesUnder(const FileSet& files, const std::string& dir) {
  FileSet out;
  for (const auto& [path, text] : files) {
    if (path.rfind(dir + "/", 0) == 0 && IsSpecFile(path)) out[path] = text;
  }
  return out;
}

// What a pull request changes in policies and capi-gitops.yaml, against
// its base: the paths that differ, added or removed.
std::vector<std::string> PolicyChanges(const FileSet& base, const FileSet& pr) {
  std::set<std::string> paths;
  for (const auto& [path, text] : base) {
    auto it = pr.find(path);
    if (it == pr.end() || it->second != text) paths.insert(path);
  }
  for (const auto& [path, text] : pr) {
    if (!base.count(path)) paths.insert(path);
  }
  return {paths.begin(), paths.end()};
}

// The base ref's policies (under the base's own paths.policies) and the
// policy-relevant settings of its capi-gitops.yaml, so that a pull request
// cannot loosen the policies its own plan is checked against.
Status LoadBasePolicies(const std::string& dir, const std::string& ref,
                        const FileSet& pr, FileSet* policies,
                        RepoConfig* base_config, Loaded* loaded) {
  const std::string config_file = RepoConfig().file;
  ASSIGN_OR_RETURN(FileSet base, ReadDirectoryAtRef(dir, ref, {config_file}));
  auto cfg = base.find(config_file);
  if (cfg != base.end()) {
    Diagnostics diags;
    if (!LoadRepoConfig(config_file, cfg->second, base_config, &diags)) {
      return Status::InvalidArgument(config_file + " in " + ref +
                                     " has errors");
    }
  }
  ASSIGN_OR_RETURN(FileSet base_policies,
                   ReadDirectoryAtRef(dir, ref, {base_config->policies_path}));
  *policies = SpecFilesUnder(base_policies, base_config->policies_path);
  RepoConfig pr_config;
  auto pr_cfg = pr.find(config_file);
  if (pr_cfg != pr.end()) {
    Diagnostics ignored;  // reported by Evaluate
    LoadRepoConfig(config_file, pr_cfg->second, &pr_config, &ignored);
  }
  FileSet before = *policies,
          after = SpecFilesUnder(pr, pr_config.policies_path);
  if (cfg != base.end()) before[config_file] = cfg->second;
  if (pr_cfg != pr.end()) after[config_file] = pr_cfg->second;
  loaded->policies_ref = ref;
  loaded->policy_changes = PolicyChanges(before, after);
  return Status::Ok();
}

// --cluster, -l and a spec file as the path: the filter, and the repository
// directory to read (the one around the file). False with *exit_code set.
bool ResolveSelection(const Args& args, const CommandIo& io,
                      ClusterFilter* filter, Loaded* loaded, int* exit_code) {
  loaded->repo_dir = args["repo-dir"].as<std::string>();
  if (!args.declared("selector")) return true;  // not AddClusterSelection
  StatusOr<ClusterFilter> f = ParseClusterFilter(args);
  if (!f.ok()) {
    *io.err << "capi-gitops: -l: " << f.status().message() << "\n";
    *exit_code = kExitUsage;
    return false;
  }
  *filter = std::move(f).value();
  std::error_code ec;
  if (std::filesystem::is_regular_file(loaded->repo_dir, ec)) {
    StatusOr<RepoFile> around = FindRepoAround(loaded->repo_dir);
    if (!around.ok()) {
      *io.err << "capi-gitops: " << around.status().message() << "\n";
      *exit_code = kExitSourceError;
      return false;
    }
    loaded->repo_dir = around->repo_dir;
    filter->file = around->file;
  }
  return true;
}

// Narrows loaded->ev to what `filter` selects (`live_only`: live clusters
// without a spec, which plan may name). False with *exit_code set.
bool ApplySelection(const ClusterFilter& filter,
                    const std::set<std::string>& live_only, const CommandIo& io,
                    Loaded* loaded, int* exit_code) {
  if (!filter.active()) return true;
  StatusOr<std::set<std::string>> selected =
      SelectClusters(filter, loaded->ev, live_only);
  if (!selected.ok()) {
    *io.err << "capi-gitops: " << selected.status().message() << "\n";
    *exit_code = kExitInvalid;
    return false;
  }
  loaded->filtered = true;
  loaded->selected = std::move(selected).value();
  if (loaded->selected.empty()) {  // as kubectl get -l: not an error
    *io.err << "note: no cluster matches the selection\n";
  }
  RestrictEvaluation(loaded->selected, &loaded->ev);
  return true;
}

// Plan only the selected clusters: every other live cluster is blocked
// ("left exactly as it is"), so nothing outside the filter is pruned or
// counted against the deletion budget, and its plan is not shown. The
// add-on catalog stays in the desired state (the CNI hold reads it) but is
// not shown either.
// loaded->desired was taken (moved) out of the evaluation before the live
// read, so it is narrowed in place rather than derived again.
void PlanSelected(Loaded* loaded, const SyncOptions& sync) {
  DesiredState& desired = loaded->desired;
  auto unselected = [&](const std::string& name) {
    return !loaded->selected.count(name) && !IsCatalogInventory(name);
  };
  std::erase_if(desired.clusters,
                [&](const DesiredCluster& c) { return unselected(c.name); });
  std::erase_if(desired.blocked,
                [&](const auto& entry) { return unselected(entry.first); });
  for (const auto& [name, inv] : loaded->live.inventories) {
    if (!loaded->selected.count(name) && !IsCatalogInventory(name)) {
      desired.blocked[name] = "not selected";
    }
  }
  loaded->plan = BuildPlan(*loaded->client, &desired, loaded->live, sync);
  std::erase_if(loaded->plan.clusters, [&](const ClusterPlan& cp) {
    return !loaded->selected.count(cp.name);
  });
  loaded->plan.orphans.clear();
}

}  // namespace

bool LoadForStage(const Args& args, const CommandIo& io, SyncOptions* sync,
                  Loaded* loaded, int* exit_code) {
  ClusterFilter filter;
  if (!ResolveSelection(args, io, &filter, loaded, exit_code)) return false;
  const std::string& dir = loaded->repo_dir;
  StatusOr<FileSet> files = ReadRepoDirectory(dir);
  if (!files.ok()) {
    *io.err << "capi-gitops: " << files.status().message() << "\n";
    *exit_code = kExitSourceError;
    return false;
  }
  bool live = io.stage >= Stage::kPlan;
  EvaluateOptions eo;
  // plan and apply expand a batch of clusters at a time while planning
  // (TakePendingDesiredState), never all of them at once.
  eo.render = io.stage == Stage::kRender;
  if (args.count("revision")) eo.revision = args["revision"].as<std::string>();
  if (live) eo.ns = args["namespace"].as<std::string>();
  eo.now = static_cast<int64_t>(std::time(nullptr));
  // plan and apply take --now as reconcile does: a cluster `apply` creates
  // records that time as createdAt, so its TTL runs on the same clock as
  // the reconcile passes of a test or demo.
  if (std::string now = args.count("now") ? args["now"].as<std::string>() : "";
      !now.empty()) {
    std::optional<int64_t> t = ParseRfc3339(now);
    if (!t) {
      *io.err << "capi-gitops: --now \"" << now
              << "\" is not an RFC 3339 time\n";
      *exit_code = kExitUsage;
      return false;
    }
    eo.now = *t;
  }
  std::string ref = args.count("policies-from-ref")
                        ? args["policies-from-ref"].as<std::string>()
                        : "";
  FileSet base_policies;
  RepoConfig base_config;
  if (!ref.empty()) {
    Status s = LoadBasePolicies(dir, ref, *files, &base_policies, &base_config,
                                loaded);
    if (!s.ok()) {
      *io.err << "capi-gitops: --policies-from-ref: " << s.message() << "\n";
      *exit_code = kExitSourceError;
      return false;
    }
    eo.policies = &base_policies;
  }
  loaded->ev = Evaluate(*files, BuiltinPolicyFiles(), eo);
  if (!ref.empty()) {
    loaded->ev.repo.config.deletion_budget = base_config.deletion_budget;
  }
  if (!live) return ApplySelection(filter, {}, io, loaded, exit_code);

  loaded->client = ConnectFromArgs(args, io, exit_code);
  if (!loaded->client) return false;
  loaded->desired = TakePendingDesiredState(&loaded->ev, eo.revision);
  StatusOr<LiveState> state = FetchLiveState(
      *loaded->client, loaded->desired.ns, DesiredKinds(loaded->desired));
  if (!state.ok()) {
    *io.err << "capi-gitops: " << state.status().message() << "\n";
    *exit_code = kExitApiError;
    return false;
  }
  loaded->live = std::move(state).value();
  sync->now = eo.now;
  if (filter.active()) {
    std::set<std::string> live_only;
    for (const auto& [name, inv] : loaded->live.inventories) {
      if (!IsCatalogInventory(name)) live_only.insert(name);
    }
    if (!ApplySelection(filter, live_only, io, loaded, exit_code)) {
      return false;
    }
    PlanSelected(loaded, *sync);
    return true;
  }
  loaded->plan =
      BuildPlan(*loaded->client, &loaded->desired, loaded->live, *sync);
  return true;
}

}  // namespace capigitops
