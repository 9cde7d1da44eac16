// Shell-style globs for policy patterns: `*` matches any run of characters,
// `?` exactly one; everything else matches itself.
#ifndef CAPIGITOPS_UTIL_GLOB_H_
#define CAPIGITOPS_UTIL_GLOB_H_

#include <string>
#include <string_view>
#include <vector>

namespace capigitops {

bool GlobMatch(std::string_view pattern, std::string_view text);
// True when any pattern matches.
bool GlobMatchAny(const std::vector<std::string>& patterns,
                  std::string_view text);
// Why `pattern` is not a usable glob, or "" when it is. Brackets and braces
// are rejected rather than taken literally: someone writing "n1-[a-z]*"
// expects a character class we do not implement.
std::string GlobError(std::string_view pattern);

}  // namespace capigitops

#endif  // CAPIGITOPS_UTIL_GLOB_H_
