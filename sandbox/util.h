// Small helpers shared by the sandbox: time stamps, ids, base64.
#ifndef CAPIGITOPS_SANDBOX_UTIL_H_
#define CAPIGITOPS_SANDBOX_UTIL_H_

#include <chrono>
#include <string>
#include <string_view>

namespace capigitops::sandbox {

// RFC 3339 UTC with second precision: "2026-01-02T03:04:05Z".
std::string Rfc3339(std::chrono::system_clock::time_point t);
std::string NowRfc3339();
// A random RFC 4122 version-4 UUID.
std::string NewUid();
// `bytes` random bytes as lowercase hex.
std::string RandomHex(size_t bytes);
std::string Base64Encode(std::string_view data);
// Returns false on malformed input.
bool Base64Decode(std::string_view text, std::string* out);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_UTIL_H_
