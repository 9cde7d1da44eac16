#ifndef CAPIGITOPS_UTIL_BASE64_H_
#define CAPIGITOPS_UTIL_BASE64_H_

#include <optional>
#include <string>
#include <string_view>

namespace capigitops {

std::string Base64Encode(std::string_view data);
// Standard alphabet; whitespace is ignored, padding optional. nullopt when
// the text is not base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace capigitops

#endif  // CAPIGITOPS_UTIL_BASE64_H_
