// Shared output helpers of the commands: diagnostics and per-cluster lines.
#ifndef CAPIGITOPS_APP_REPORT_H_
#define CAPIGITOPS_APP_REPORT_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/pipeline.h"

namespace capigitops {

// Reads REPO_DIR (first positional argument, default ".") and evaluates it.
// On a read failure prints the error and returns false with *exit_code set.
bool LoadAndEvaluate(const cxxopts::ParseResult& args, const CommandIo& io,
                     const EvaluateOptions& options, Evaluation* ev,
                     int* exit_code);

// A new T that lives until the process exits. Commands that end the process
// keep their large results (the JSON trees of thousands of objects) here:
// freeing them took 10-15 % of a render or no-op plan, and the OS reclaims
// them anyway. Kept reachable from a static, so LeakSanitizer is quiet.
template <typename T>
T& NewKeptUntilExit() {
  static auto* kept = new std::vector<std::unique_ptr<T>>;
  kept->push_back(std::make_unique<T>());
  return *kept->back();
}

// Adds REPO_DIR as the positional argument of a command.
void AddRepoDirArgument(cxxopts::Options* options);

void PrintDiagnostics(const Evaluation& ev, std::ostream& out);
// One line per cluster: name, provider, verdict, GPUs, cost, TTL.
void PrintClusterSummary(const Evaluation& ev, std::ostream& out);
std::string CostText(const CostEstimate& cost);

nlohmann::json DiagnosticJson(const Diagnostic& d);
nlohmann::json VerdictJson(const Verdict& v);
nlohmann::json CostJson(const CostEstimate& cost);

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_REPORT_H_
