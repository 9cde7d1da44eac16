#ifndef CAPIGITOPS_APP_BUILTIN_POLICIES_H_
#define CAPIGITOPS_APP_BUILTIN_POLICIES_H_

#include "capigitops/loader.h"

namespace capigitops {

// The project's policies/*.yaml (built-in policies and the illustrative price
// table), embedded at build time; keys are "policies/<file>".
const FileSet& BuiltinPolicyFiles();

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_BUILTIN_POLICIES_H_
