// Reading the status files (docs/status-files.md) back, for `get` and
// `extend`: what the reconciler last committed about each cluster.
#ifndef CAPIGITOPS_APP_STATUS_READ_H_
#define CAPIGITOPS_APP_STATUS_READ_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "capigitops/config.h"

namespace capigitops {

// name -> the `status` map of status/<name>.yaml, for every status file in
// the directory config.status_path of the repository directory `dir` (none
// when it does not exist); files that do not parse are skipped.
std::map<std::string, nlohmann::json> ReadStatusFiles(const std::string& dir,
                                                      const RepoConfig& config);

// createdAt of a status map in Unix seconds; 0 when absent or malformed.
int64_t StatusCreatedAt(const nlohmann::json& status);

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_STATUS_READ_H_
