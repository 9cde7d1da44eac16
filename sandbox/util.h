// Small helpers shared by the sandbox: time stamps and ids. Base64 and the
// RFC 3339 format are the library's (util/base64.h, capigitops/duration.h).
#ifndef CAPIGITOPS_SANDBOX_UTIL_H_
#define CAPIGITOPS_SANDBOX_UTIL_H_

#include <string>

#include "capigitops/duration.h"
#include "util/base64.h"

namespace capigitops::sandbox {

// The current time as RFC 3339 UTC with second precision:
// "2026-01-02T03:04:05Z".
std::string NowRfc3339();
// A random RFC 4122 version-4 UUID.
std::string NewUid();
// `bytes` random bytes as lowercase hex.
std::string RandomHex(size_t bytes);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_UTIL_H_
