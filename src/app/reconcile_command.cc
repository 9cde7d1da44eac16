// capi-gitops reconcile --repo URL|PATH [--branch B] [--once] [--read-only] ...
// capi-gitops ttl --repo URL|PATH [...]
#include "app/builtin_policies.h"
#include "app/cli.h"
#include "app/cluster_access.h"
#include "app/pass_setup.h"
#include "app/reconciler.h"

namespace capigitops {
namespace {

int RunPass(const cxxopts::ParseResult& args, const CommandIo& io,
            bool ttl_only) {
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
  Reconciler reconciler(sources.spec.get(), sources.status_or_spec(),
                        client.get(), &BuiltinPolicyFiles(), ro);
  ReconcileReport report = reconciler.RunOnce();
  *io.out << (ttl_only ? "ttl sweep" : "reconcile") << " of "
          << ScrubUrl(args["repo"].as<std::string>()) << " at "
          << (report.revision.empty() ? "?" : report.revision.substr(0, 12))
          << "\n";
  for (const std::string& line : report.lines) *io.out << "  " << line << "\n";
  if (ro.read_only && !ttl_only) {
    for (const auto& [path, text] : report.status_files) {
      *io.out << "\n# " << path << "\n" << text;
    }
  }
  return report.exit_code;
}

}  // namespace

void AddReconcileOptions(cxxopts::Options* options) {
  AddSourceOptions(options);
  options->add_options()("once",
                         "run one pass and exit (the default for reconcile)");
}

int RunReconcile(const cxxopts::ParseResult& args, const CommandIo& io) {
  return RunPass(args, io, false);
}

void AddTtlOptions(cxxopts::Options* options) { AddSourceOptions(options); }

int RunTtl(const cxxopts::ParseResult& args, const CommandIo& io) {
  return RunPass(args, io, true);
}

}  // namespace capigitops
