// The pure core of every command: a repository's files in, per cluster the
// loaded request, its cost, its policy verdicts and (when asked) its CAPI
// objects out. No I/O: callers read the files and the clock.
#ifndef CAPIGITOPS_APP_PIPELINE_H_
#define CAPIGITOPS_APP_PIPELINE_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "capigitops/loader.h"
#include "capigitops/policy.h"
#include "capigitops/spec.h"

namespace capigitops {

struct ClusterResult {
  ClusterRequest request;
  CostEstimate cost;
  std::vector<Verdict> verdicts;
  bool denied = false;                  // an enforce verdict
  std::vector<nlohmann::json> objects;  // when rendered and not denied
  std::string render_error;             // expansion failed (cluster blocked)
};

struct Evaluation {
  LoadedRepo repo;                      // config, requests, broken, diags
  std::vector<ClusterResult> clusters;  // one per loaded request, by name
  // Clusters that must be left exactly as they are live: broken specs,
  // policy denials and failed expansion.
  std::set<std::string> blocked;
  bool has_errors = false;  // load errors, denials or failed expansion
};

struct EvaluateOptions {
  bool render = false;   // expand into CAPI objects
  std::string revision;  // source revision recorded on each Cluster
  int64_t now = 0;       // Unix seconds; for the cost of expiresAt requests
};

// `builtin` holds the project's policies/*.yaml; the repo's policies
// directory adds policies and may override prices (policies/prices.yaml).
Evaluation Evaluate(const FileSet& files, const FileSet& builtin,
                    const EvaluateOptions& options);

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_PIPELINE_H_
