// capi-gitops: the command table and what every command shares (--help,
// --log-format and -v, a top-level catch); nothing else.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string_view>
#include <vector>

#include "app/cli.h"
#include "util/edit_distance.h"
#include "util/log.h"

namespace capigitops {
namespace {

const Command kCommands[] = {
    {"validate", "check specs, repo config and policies; exit 1 on errors",
     Stage::kValidate, AddValidateOptions, RunValidate},
    {"render", "print the CAPI objects the specs expand to", Stage::kRender,
     AddRenderOptions, RunRender},
    {"plan", "diff the specs against the management cluster", Stage::kPlan,
     AddPlanOptions, RunPlan},
    {"apply", "apply the specs to the management cluster (--prune deletes)",
     Stage::kApply, AddApplyOptions, RunApply},
    {"reconcile", "one GitOps pass: fetch, apply, prune, TTL, status to Git",
     Stage::kReconcile, AddReconcileOptions, RunReconcile},
    {"ttl", "TTL sweep only: commit teardown of expired clusters, delete them",
     Stage::kReconcile, AddTtlOptions, RunTtl},
    {"run", "the controller: loop, webhooks, metrics, leader election",
     Stage::kRun, AddRunOptions, RunController},
    {"get", "list clusters: phase, readiness, cost, expiry (status or live)",
     Stage::kValidate, AddGetOptions, RunGet},
    {"kubeconfig", "print a workload cluster's kubeconfig (from its Secret)",
     Stage::kPlan, AddKubeconfigOptions, RunKubeconfig},
    {"extend", "move a cluster's expiry: edit its ttl/expiresAt line",
     Stage::kValidate, AddExtendOptions, RunExtend},
    {"version", "print the version, Git commit and build date",
     Stage::kValidate, AddVersionOptions, RunVersion},
    {"completion", "print a bash, zsh or fish completion script",
     Stage::kValidate, AddCompletionOptions, RunCompletion},
};

const char kExitCodesHelp[] =
    "Exit codes: 0 success; 1 invalid input or policy denial; 2 usage error;\n"
    "3 repository unreadable; 4 management cluster unreachable or API error;\n"
    "5 apply or delete failed; 6 a deletion is held (protection or budget);\n"
    "10 plan --detailed-exitcode: changes pending. See docs/exit-codes.md.\n";

void PrintUsage(std::ostream& out) {
  out << "capi-gitops " << CAPIGITOPS_VERSION
      << ": GitOps for Cluster API clusters\n\n"
         "Usage: capi-gitops <command> [REPO_DIR] [options]\n\nCommands:\n";
  for (const Command& c : kCommands) {
    out << "  " << c.name << std::string(12 - std::strlen(c.name), ' ')
        << c.summary << "\n";
  }
  out << "\nRun 'capi-gitops <command> --help' for a command's options.\n"
      << kExitCodesHelp;
}

void AddCommonOptions(FlagSet* options) {
  options->add_options("common")("h,help", "show this help")(
      "v,verbose", "more detail in logs")(
      "log-format",
      "logs and errors on stderr as text or json lines "
      "(default: $LOG_FORMAT, else text)",
      flags::value<std::string>());
}

// --log-format as given, else $LOG_FORMAT, else text. Read from argv when
// the flags themselves do not parse, so that even that error is JSON when
// JSON was asked for.
std::string LogFormatName(const Args* args, int argc, char** argv) {
  if (args && args->count("log-format")) {
    return (*args)["log-format"].as<std::string>();
  }
  for (int i = 1; !args && i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--log-format" && i + 1 < argc) return argv[i + 1];
    if (a.rfind("--log-format=", 0) == 0) return std::string(a.substr(13));
  }
  const char* env = std::getenv("LOG_FORMAT");
  return env && *env ? env : "text";
}

int RunCommand(const Command& cmd, int argc, char** argv) {
  std::string program = std::string("capi-gitops ") + cmd.name;
  FlagSet options;
  AddCommonOptions(&options);
  cmd.add_options(&options);
  StatusOr<Args> args = ParseFlags(options, program, cmd.summary, argc, argv);
  LogFormat format = LogFormat::kText;
  bool format_ok = ParseLogFormat(
      LogFormatName(args.ok() ? &*args : nullptr, argc, argv), &format);
  bool verbose = args.ok() && args->count("verbose") > 0;
  Logger log(&std::cerr, format, verbose ? LogLevel::kDebug : LogLevel::kInfo);
  // In JSON, every line a command writes to stderr becomes a record: a log
  // collector then sees nothing but JSON.
  LineLogBuf json_lines(&log, {{"command", cmd.name}});
  std::ostream json_err(&json_lines);
  CommandIo io{&std::cout, &std::cerr, isatty(STDOUT_FILENO) == 1,
               cmd.stage,  kCommands,  AddCommonOptions};
  if (format == LogFormat::kJson) io.err = &json_err;
  io.log = &log;
  if (!args.ok()) {
    *io.err << "capi-gitops " << cmd.name << ": " << args.status().message()
            << "\nRun 'capi-gitops " << cmd.name << " --help' for usage.\n";
    return kExitUsage;
  }
  if (!format_ok) {
    *io.err << "capi-gitops " << cmd.name
            << ": --log-format must be text or json\n";
    return kExitUsage;
  }
  if (args->count("help")) {
    std::cout << FlagHelp(options, program, cmd.summary) << "\n"
              << kExitCodesHelp;
    return kExitOk;
  }
  try {
    return cmd.run(*args, io);
  } catch (const std::exception& e) {  // as a log line, JSON when asked
    *io.err << "capi-gitops " << cmd.name << ": internal error: " << e.what()
            << "\n";
    return kExitApplyFailed;
  }
}

}  // namespace
}  // namespace capigitops

int main(int argc, char** argv) {
  using namespace capigitops;
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 ||
      std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "help") == 0) {
    PrintUsage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  char version[] = "version";
  if (std::strcmp(argv[1], "--version") == 0) argv[1] = version;
  std::vector<std::string> names;
  for (const Command& c : kCommands) {
    if (std::strcmp(argv[1], c.name) == 0) {
      try {
        return RunCommand(c, argc - 1, argv + 1);
      } catch (const std::exception& e) {
        std::cerr << "capi-gitops " << c.name
                  << ": internal error: " << e.what() << "\n";
        return kExitApplyFailed;
      }
    }
    names.push_back(c.name);
  }
  std::cerr << "capi-gitops: unknown command '" << argv[1] << "'";
  std::string guess = SuggestClosest(argv[1], names);
  if (!guess.empty()) std::cerr << ", did you mean '" << guess << "'?";
  std::cerr << "\nRun 'capi-gitops --help' for the list of commands.\n";
  return kExitUsage;
}
