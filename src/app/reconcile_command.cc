// capi-gitops reconcile --repo URL|PATH [--branch B] [--read-only|--dry-run]
// capi-gitops ttl --repo URL|PATH [...]
#include <ostream>

#include "app/builtin_policies.h"
#include "app/cli.h"
#include "app/cluster_access.h"
#include "app/pass_setup.h"
#include "capigitops/reconcile.h"

namespace capigitops {

int ExitCodeFor(const PassResult& result) {
  switch (result.outcome()) {
    case PassOutcome::kSuccess:
      return kExitOk;
    case PassOutcome::kInvalid:
      return kExitInvalid;
    case PassOutcome::kDeletionHeld:
      return kExitDeletionHeld;
    case PassOutcome::kSourceError:
      return kExitSourceError;
    case PassOutcome::kApiError:
      return kExitApiError;
    case PassOutcome::kApplyFailed:
      return kExitApplyFailed;
  }
  return kExitApplyFailed;
}

namespace {

// Each cluster's phase with what changes with the clock alone (time left,
// cost so far): computed now, never committed to the status files.
void PrintClusterClocks(const PassResult& result, std::ostream& out) {
  if (result.phases.empty()) return;
  out << "  clusters:\n";
  for (const auto& [name, phase] : result.phases) {
    out << "    " << name << ": " << phase;
    auto c = result.clocks.find(name);
    if (c != result.clocks.end()) out << ", " << c->second;
    out << "\n";
  }
}

int RunOnePass(const Args& args, const CommandIo& io, bool ttl_only) {
  if (!args.count("repo")) {
    *io.err << "capi-gitops: --repo is required\n";
    return kExitUsage;
  }
  ReconcileOptions ro;
  bool now_pinned = false;
  if (!ParseReconcileOptions(args, io, ttl_only, &ro, &now_pinned)) {
    return kExitUsage;
  }
  int code = kExitOk;
  std::unique_ptr<KubeClient> client = ConnectFromArgs(args, io, &code);
  if (!client) return code;
  PassSources sources = OpenSources(args, ro);
  std::unique_ptr<KubeApi> dry_run;
  std::unique_ptr<WorkloadConnector> workload =
      WorkloadConnectorFor(client.get());
  PassDeps deps{sources.spec, sources.status,
                ClusterView(args, client.get(), &dry_run),
                &BuiltinPolicyFiles(), workload.get()};
  PassResult result = RunPass(deps, ro);
  *io.out << (ttl_only ? "ttl sweep" : "reconcile") << " of "
          << ScrubUrl(args["repo"].as<std::string>()) << " at "
          << (result.revision.empty() ? "?" : result.revision.substr(0, 12))
          << "\n";
  if (args.count("read-only")) {
    *io.out << "  read-only: what the pass would do; nothing was sent to Git "
               "or the cluster but reads\n";
  } else if (args.count("dry-run")) {
    *io.out << "  dry run: the cluster writes were server-side dry runs; "
               "nothing was written to Git or the cluster\n";
  }
  for (const PassNote& note : result.notes) {
    *io.out << "  " << note.text << "\n";
  }
  if (auto* d = dynamic_cast<const DryRunKubeApi*>(dry_run.get())) {
    std::string note = UncheckedNote(*d);
    if (!note.empty()) *io.out << "  " << note;
  }
  PrintClusterClocks(result, *io.out);
  if (WritesNothing(args) && !ttl_only) {
    for (const auto& [path, text] : result.status_files) {
      *io.out << "\n# " << path << "\n" << text;
    }
  }
  return ExitCodeFor(result);
}

}  // namespace

void AddReconcileOptions(FlagSet* options) {
  AddSourceOptions(options);
  options->examples(
      "capi-gitops reconcile --repo ./cluster-repo --read-only\n"
      "capi-gitops reconcile --repo https://git.example.com/platform/clusters "
      "--git-token-env GIT_TOKEN\n"
      "capi-gitops reconcile --repo git@git.example.com:platform/clusters "
      "--ssh-key ~/.ssh/id_ed25519 --known-hosts ~/.ssh/known_hosts");
}

int RunReconcile(const Args& args, const CommandIo& io) {
  return RunOnePass(args, io, false);
}

void AddTtlOptions(FlagSet* options) {
  AddSourceOptions(options);
  options->examples(
      "capi-gitops ttl --repo ./cluster-repo --read-only\n"
      "capi-gitops ttl --repo https://git.example.com/platform/clusters "
      "--git-token-file /var/run/secrets/git/token");
}

int RunTtl(const Args& args, const CommandIo& io) {
  return RunOnePass(args, io, true);
}

}  // namespace capigitops
