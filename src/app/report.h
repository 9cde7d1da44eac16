// Shared output helpers of the commands: diagnostics and per-cluster lines.
// Cost and verdicts are formatted by the policy module (FormatCostSummary,
// CostToJson, VerdictToJson), the same way in every command.
#ifndef CAPIGITOPS_APP_REPORT_H_
#define CAPIGITOPS_APP_REPORT_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "capigitops/reconcile.h"

namespace capigitops {

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

void PrintDiagnostics(const Evaluation& ev, std::ostream& out);
// One line per cluster: name, provider, verdict, GPUs, cost, TTL.
void PrintClusterSummary(const Evaluation& ev, std::ostream& out);

nlohmann::json DiagnosticJson(const Diagnostic& d);

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_REPORT_H_
