// The one loader of the repo-directory commands: reads REPO_DIR and goes as
// far as the command's stage (CommandIo::stage) needs. validate evaluates;
// render also expands; plan and apply also connect, read the live state and
// plan.
#ifndef CAPIGITOPS_APP_LOAD_H_
#define CAPIGITOPS_APP_LOAD_H_

#include <memory>
#include <set>

#include "app/cli.h"
#include "capigitops/kube_client.h"
#include "capigitops/reconcile.h"
#include "capigitops/sync.h"

namespace capigitops {

struct Loaded {
  // The repository directory: REPO_DIR, or the one around a spec file given
  // instead (`validate clusters/a.yaml`).
  std::string repo_dir;
  Evaluation ev;
  // --cluster, -l or a spec file: only these clusters are in `ev` and the
  // plan; the others are left as they are live and not shown.
  bool filtered = false;
  std::set<std::string> selected;
  // --policies-from-ref: the ref the policies came from, and what the
  // change under review does to policies and capi-gitops.yaml compared
  // with it (paths; empty when it leaves them alone).
  std::string policies_ref;
  std::vector<std::string> policy_changes;
  // From Stage::kPlan on:
  std::unique_ptr<KubeClient> client;
  DesiredState desired;
  LiveState live;
  Plan plan;
};

// Adds REPO_DIR as the positional argument of a command.
void AddRepoDirArgument(FlagSet* options);

// Adds --cluster and -l, and lets REPO_DIR be a single spec file
// (validate, plan; app/cluster_filter.h).
void AddClusterSelection(FlagSet* options);

// Adds --policies-from-ref (plan and validate of a pull request).
void AddPoliciesFromRefOption(FlagSet* options);

// On failure prints why and returns false with *exit_code set. `sync` is
// what the plan is built with (its `now` is set here). A command with
// AddClusterSelection gets only the selected clusters.
bool LoadForStage(const Args& args, const CommandIo& io, SyncOptions* sync,
                  Loaded* loaded, int* exit_code);

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_LOAD_H_
