#include "util/glob.h"

namespace capigitops {

// Greedy matching with a single backtrack point: linear in practice and
// never exponential, whatever the pattern.
bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool GlobMatchAny(const std::vector<std::string>& patterns,
                  std::string_view text) {
  for (const std::string& p : patterns) {
    if (GlobMatch(p, text)) return true;
  }
  return false;
}

std::string GlobError(std::string_view pattern) {
  if (pattern.empty()) return "empty pattern";
  for (char c : pattern) {
    if (c == '[' || c == ']' || c == '{' || c == '}') {
      // Appended, not `std::string("'") + c + "..."`: GCC 12 warns about
      // that expression (-Warray-bounds, a false positive) once inlined.
      std::string message = "'";
      message += c;
      message +=
          "' is not supported in patterns: use * (any characters) and ? "
          "(one character)";
      return message;
    }
    if (c == ' ' || c == '\t' || c == '\n') {
      return "patterns may not contain whitespace";
    }
  }
  return "";
}

}  // namespace capigitops
