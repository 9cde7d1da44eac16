#include "app/load.h"

#include <ctime>

#include "app/builtin_policies.h"
#include "app/cluster_access.h"

namespace capigitops {

void AddRepoDirArgument(FlagSet* options) {
  options->add_options()("repo-dir", "repository directory (default: .)",
                         flags::value<std::string>()->default_value("."));
  options->parse_positional({"repo-dir"});
  options->positional_help("[REPO_DIR]");
}

bool LoadForStage(const Args& args, const CommandIo& io, SyncOptions* sync,
                  Loaded* loaded, int* exit_code) {
  StatusOr<FileSet> files =
      ReadRepoDirectory(args["repo-dir"].as<std::string>());
  if (!files.ok()) {
    *io.err << "capi-gitops: " << files.status().message() << "\n";
    *exit_code = kExitSourceError;
    return false;
  }
  bool live = io.stage >= Stage::kPlan;
  EvaluateOptions eo;
  eo.render = io.stage >= Stage::kRender;
  if (args.count("revision")) eo.revision = args["revision"].as<std::string>();
  if (live) eo.ns = args["namespace"].as<std::string>();
  eo.now = static_cast<int64_t>(std::time(nullptr));
  loaded->ev = Evaluate(*files, BuiltinPolicyFiles(), eo);
  if (!live) return true;

  loaded->client = ConnectFromArgs(args, io, exit_code);
  if (!loaded->client) return false;
  loaded->desired = ToDesiredState(loaded->ev);
  StatusOr<LiveState> state = FetchLiveState(
      *loaded->client, loaded->desired.ns, DesiredKinds(loaded->desired));
  if (!state.ok()) {
    *io.err << "capi-gitops: " << state.status().message() << "\n";
    *exit_code = kExitApiError;
    return false;
  }
  loaded->live = std::move(state).value();
  sync->now = eo.now;
  loaded->plan =
      BuildPlan(*loaded->client, loaded->desired, loaded->live, *sync);
  return true;
}

}  // namespace capigitops
