// validate's CI formats: GitHub workflow-command annotations (-o github)
// and SARIF 2.1.0 (-o sarif, for code scanning). Load errors and policy
// verdicts are one list of findings, each with a stable rule id.
#ifndef CAPIGITOPS_APP_CI_OUTPUT_H_
#define CAPIGITOPS_APP_CI_OUTPUT_H_

#include <ostream>
#include <string>
#include <vector>

#include "capigitops/reconcile.h"

namespace capigitops {

struct Finding {
  // "load" (spec, capi-gitops.yaml or policy file errors), "render" (the
  // request cannot be expanded), "policy/<policy>/<rule>" (a verdict).
  std::string rule_id;
  bool error = true;  // false: a warning
  std::string file;   // relative to the repository
  int line = 0;       // 1-based; 0 when unknown
  int column = 0;
  std::string message;
};

std::vector<Finding> CollectFindings(const Evaluation& ev);

// `path_prefix` is prepended to each file (the repository directory
// relative to the workspace; "" for "."), as GitHub resolves paths from the
// workspace root.
void PrintGithubAnnotations(const std::vector<Finding>& findings,
                            const std::string& path_prefix, std::ostream& out);
nlohmann::json SarifLog(const std::vector<Finding>& findings,
                        const std::string& path_prefix);

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_CI_OUTPUT_H_
