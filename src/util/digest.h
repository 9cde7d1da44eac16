// SHA-256 as lowercase hex: content hashes of specs, files and names.
#ifndef CAPIGITOPS_UTIL_DIGEST_H_
#define CAPIGITOPS_UTIL_DIGEST_H_

#include <string>
#include <string_view>

namespace capigitops {

// 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

}  // namespace capigitops

#endif  // CAPIGITOPS_UTIL_DIGEST_H_
