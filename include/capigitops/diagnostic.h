// Diagnostic: one problem found in a user's file, pinned to file:line:column.
#ifndef CAPIGITOPS_DIAGNOSTIC_H_
#define CAPIGITOPS_DIAGNOSTIC_H_

#include <string>
#include <vector>

namespace capigitops {

enum class Severity { kError, kWarning };

struct Diagnostic {
  std::string file;   // path relative to the repository root
  int line = 0;       // 1-based; 0 when the problem has no position
  int column = 0;     // 1-based
  std::string field;  // e.g. "spec.nodePools[0].replicas"; may be empty
  std::string message;
  Severity severity = Severity::kError;

  // "clusters/a.yaml:12:7: spec.nodePools[0].replicas: expected an integer"
  std::string ToString() const;
};

using Diagnostics = std::vector<Diagnostic>;

bool HasErrors(const Diagnostics& diags);

}  // namespace capigitops

#endif  // CAPIGITOPS_DIAGNOSTIC_H_
