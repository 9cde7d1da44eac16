// The command-line layer: how far each subcommand runs the pipeline, the
// shared options, and the exit codes (product.md section 4).
#ifndef CAPIGITOPS_APP_CLI_H_
#define CAPIGITOPS_APP_CLI_H_

#include <iosfwd>
#include <span>
#include <string>

#include "app/flags.h"

namespace capigitops {

struct PassResult;
class Logger;

// Exit codes; one table documents them all: docs/exit-codes.md (and
// `capi-gitops --help`). A new code gets a row there.
enum ExitCode {
  kExitOk = 0,
  kExitInvalid = 1,       // invalid spec or policy denial
  kExitUsage = 2,         // bad flags or arguments
  kExitSourceError = 3,   // the repository could not be read
  kExitApiError = 4,      // the management cluster could not be reached
  kExitApplyFailed = 5,   // some objects failed to apply or delete
  kExitDeletionHeld = 6,  // a deletion is held (protection or budget)
  // plan --detailed-exitcode: changes pending. Apart from every error code
  // (as Terraform's 2 is not, here), so CI can tell "changes" from "broken".
  kExitChanges = 10,
};

// The exit code of a pass: the one place a PassResult becomes a number.
int ExitCodeFor(const PassResult& result);

// How far a subcommand runs the pipeline, as in ninja's tool table; the
// shared loader (LoadForStage in load.h) goes as far as the stage says.
enum class Stage { kValidate, kRender, kPlan, kApply, kReconcile, kRun };

struct Command;

struct CommandIo {
  std::ostream* out;
  // Errors and warnings, one line each; with --log-format json each line
  // becomes a JSON record (main.cc), so write plain lines here.
  std::ostream* err;
  bool out_is_tty = false;
  Stage stage = Stage::kValidate;  // the running command's
  // The command table (main.cc) and the options every command has, for
  // `completion`, which generates its scripts from them so they cannot drift.
  std::span<const Command> commands;
  void (*add_common_options)(FlagSet* options) = nullptr;
  // Structured logs (--log-format, -v) on stderr; set by main.cc.
  Logger* log = nullptr;
};

struct Command {
  const char* name;
  const char* summary;
  Stage stage;
  // Adds the subcommand's own options (beyond the common ones).
  void (*add_options)(FlagSet* options);
  int (*run)(const Args& args, const CommandIo& io);
};

// Subcommand implementations (src/app/*_command.cc).
void AddValidateOptions(FlagSet* options);
int RunValidate(const Args& args, const CommandIo& io);
void AddRenderOptions(FlagSet* options);
int RunRender(const Args& args, const CommandIo& io);
void AddPlanOptions(FlagSet* options);
int RunPlan(const Args& args, const CommandIo& io);
void AddApplyOptions(FlagSet* options);
int RunApply(const Args& args, const CommandIo& io);
void AddReconcileOptions(FlagSet* options);
int RunReconcile(const Args& args, const CommandIo& io);
void AddTtlOptions(FlagSet* options);
int RunTtl(const Args& args, const CommandIo& io);
void AddRunOptions(FlagSet* options);
int RunController(const Args& args, const CommandIo& io);
void AddGetOptions(FlagSet* options);
int RunGet(const Args& args, const CommandIo& io);
void AddKubeconfigOptions(FlagSet* options);
int RunKubeconfig(const Args& args, const CommandIo& io);
void AddExtendOptions(FlagSet* options);
int RunExtend(const Args& args, const CommandIo& io);
void AddVersionOptions(FlagSet* options);
int RunVersion(const Args& args, const CommandIo& io);
void AddCompletionOptions(FlagSet* options);
int RunCompletion(const Args& args, const CommandIo& io);

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_CLI_H_
