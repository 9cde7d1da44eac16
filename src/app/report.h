// Shared output helpers of the commands: diagnostics and per-cluster lines.
#ifndef CAPIGITOPS_APP_REPORT_H_
#define CAPIGITOPS_APP_REPORT_H_

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "app/cli.h"
#include "app/pipeline.h"

namespace capigitops {

// Reads REPO_DIR (first positional argument, default ".") and evaluates it.
// On a read failure prints the error and returns false with *exit_code set.
bool LoadAndEvaluate(const cxxopts::ParseResult& args, const CommandIo& io,
                     const EvaluateOptions& options, Evaluation* ev,
                     int* exit_code);

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
