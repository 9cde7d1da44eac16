// Text nested far deeper than any parser's stack allows, for the nesting
// tests of the YAML layer and of the CLI (issue #15).
#ifndef CAPIGITOPS_TEST_TESTING_DEEP_TEXT_H_
#define CAPIGITOPS_TEST_TESTING_DEEP_TEXT_H_

#include <string>

namespace capigitops::testutil {

// Deep enough that a recursive descent would overflow the stack.
inline constexpr int kDeep = 100000;

// `s` repeated `n` times.
inline std::string Repeat(const std::string& s, int n) {
  std::string out;
  out.reserve(s.size() * n);
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace capigitops::testutil

#endif  // CAPIGITOPS_TEST_TESTING_DEEP_TEXT_H_
