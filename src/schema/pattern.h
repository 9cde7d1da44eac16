// `pattern:` support: CRDs use Go RE2 syntax, we match with std::regex.
//
// RE2 constructs ECMAScript lacks are translated; patterns that still do not
// compile (Unicode classes \pL, inline flag groups other than a leading (?i)
// or (?s), back references, huge repetitions) are skipped, never fatal.
// Matching runs libstdc++'s breadth-first (polynomial) executor on the whole
// value, so no pattern can backtrack exponentially or recurse per character.
#ifndef CAPIGITOPS_SCHEMA_PATTERN_H_
#define CAPIGITOPS_SCHEMA_PATTERN_H_

#include <optional>
#include <string>
#include <string_view>

namespace capigitops::schema {

struct TranslatedPattern {
  std::string ecmascript;  // anchored for regex_match: [\s\S]*(?:...)[\s\S]*
  bool icase = false;
};

// Translates an RE2 pattern for std::regex ECMAScript, with unanchored search
// semantics (Go's regexp.MatchString) turned into a whole-string match.
// nullopt when the pattern uses RE2 features we cannot express.
std::optional<TranslatedPattern> TranslateRe2(std::string_view re2);

// Whether `value` matches the RE2 `pattern` anywhere. nullopt when the
// pattern cannot be compiled (the check is then skipped by the caller) or
// the value is too long to match cheaply. Compiled patterns are cached by
// their text for the life of the process; thread-safe.
std::optional<bool> MatchesPattern(const std::string& pattern,
                                   const std::string& value);

}  // namespace capigitops::schema

#endif  // CAPIGITOPS_SCHEMA_PATTERN_H_
