// RE2 -> ECMAScript translation and the process-wide compiled-regex cache.
#include "schema/pattern.h"

#include <cctype>
#include <memory>
#include <mutex>
#include <regex>
#include <unordered_map>

namespace capigitops::schema {
namespace {

// RE2 rejects larger counted repetitions; they also blow up the NFA.
constexpr int kMaxRepeat = 1000;
constexpr size_t kMaxPatternBytes = 4096;
// The breadth-first executor costs O(value length x NFA states); values this
// long with a pattern are unheard of in CRDs, so the check is skipped.
constexpr size_t kMaxValueBytes = 128 * 1024;
constexpr size_t kMaxCachedPatterns = 20000;

bool IsSyntaxChar(char c) {
  return std::string_view("^$\\.*+?()[]{}|/-").find(c) !=
         std::string_view::npos;
}

// Parses "{n}", "{n,}" or "{n,m}" at s[i]; returns its length or 0 when RE2
// would read the brace as a literal.
size_t RepetitionLength(std::string_view s, size_t i) {
  size_t j = i + 1;
  auto number = [&](int* out) {
    size_t start = j;
    long v = 0;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
      v = v * 10 + (s[j] - '0');
      if (v > 100000) v = 100000;
      ++j;
    }
    *out = static_cast<int>(v);
    return j > start;
  };
  int lo = 0, hi = 0;
  if (!number(&lo)) return 0;
  if (j < s.size() && s[j] == ',') {
    ++j;
    number(&hi);
  }
  if (j >= s.size() || s[j] != '}') return 0;
  if (lo > kMaxRepeat || hi > kMaxRepeat) return std::string_view::npos;
  return j - i + 1;
}

// Translates one escape `\c` (the backslash at s[i]); advances i past it.
bool TranslateEscape(std::string_view s, size_t* i, bool in_class,
                     std::string* out) {
  if (*i + 1 >= s.size()) return false;
  char c = s[*i + 1];
  *i += 2;
  if (std::string_view("dDsSwWntrfv").find(c) != std::string_view::npos) {
    *out += '\\';
    *out += c;
    return true;
  }
  if (!in_class && (c == 'b' || c == 'B')) {
    *out += '\\';
    *out += c;
    return true;
  }
  if (c == 'a') {
    *out += "\\x07";
    return true;
  }
  if (!in_class && c == 'A') {
    *out += '^';
    return true;
  }
  if (!in_class && c == 'z') {
    *out += '$';
    return true;
  }
  if (std::isalnum(static_cast<unsigned char>(c))) {
    return false;  // \pL, \x{..}, \C, octal, back references: unsupported
  }
  if (IsSyntaxChar(c)) *out += '\\';
  *out += c;
  return true;
}

// \Q...\E quotes everything up to \E (or the end).
void TranslateQuoted(std::string_view s, size_t* i, std::string* out) {
  *i += 2;
  while (*i < s.size()) {
    if (s.substr(*i, 2) == "\\E") {
      *i += 2;
      return;
    }
    if (IsSyntaxChar(s[*i])) *out += '\\';
    *out += s[(*i)++];
  }
}

// A bracket expression starting at s[i] == '['; advances i past its ']'.
bool TranslateClass(std::string_view s, size_t* i, std::string* out) {
  *out += '[';
  ++*i;
  if (*i < s.size() && s[*i] == '^') *out += s[(*i)++];
  if (*i < s.size() && s[*i] == ']') {  // a leading ']' is a literal in RE2
    *out += "\\]";
    ++*i;
  }
  while (*i < s.size()) {
    char c = s[*i];
    if (c == ']') {
      *out += ']';
      ++*i;
      return true;
    }
    if (c == '\\') {
      if (!TranslateEscape(s, i, /*in_class=*/true, out)) return false;
      continue;
    }
    if (c == '[' && s.substr(*i, 2) == "[:") {
      size_t end = s.find(":]", *i + 2);
      if (end == std::string_view::npos) return false;
      std::string_view name = s.substr(*i + 2, end - *i - 2);
      if (name.empty() || name[0] == '^') return false;
      if (name == "word") {
        *out += "\\w";
      } else if (name == "ascii") {
        *out += "\\x00-\\x7f";
      } else {
        *out += "[:" + std::string(name) + ":]";
      }
      *i = end + 2;
      continue;
    }
    if (c == '[') {
      *out += "\\[";  // a literal in RE2; std::regex may read "[." or "[="
      ++*i;
      continue;
    }
    *out += c;
    ++*i;
  }
  return false;  // unterminated class
}

// A leading "(?i)", "(?s)" or "(?is)": the only flag groups we support.
size_t LeadingFlags(std::string_view s, TranslatedPattern* out, bool* dotall) {
  if (s.substr(0, 2) != "(?") return 0;
  size_t j = 2;
  while (j < s.size() && (s[j] == 'i' || s[j] == 's')) {
    if (s[j] == 'i') out->icase = true;
    if (s[j] == 's') *dotall = true;
    ++j;
  }
  if (j == 2 || j >= s.size() || s[j] != ')') return 0;
  return j + 1;
}

bool TranslateGroupOpen(std::string_view s, size_t* i, std::string* out) {
  if (s.substr(*i, 3) == "(?:") {
    *out += "(?:";
    *i += 3;
    return true;
  }
  if (s.substr(*i, 2) != "(?") {
    *out += '(';
    ++*i;
    return true;
  }
  size_t name_start = 0;
  if (s.substr(*i, 4) == "(?P<") name_start = *i + 4;
  if (s.substr(*i, 3) == "(?<") name_start = *i + 3;
  if (name_start == 0) return false;  // flag groups, lookarounds
  size_t close = s.find('>', name_start);
  if (close == std::string_view::npos) return false;
  *out += "(?:";  // names do not matter for matching
  *i = close + 1;
  return true;
}

std::shared_ptr<const std::regex> Compile(const std::string& pattern) {
  std::optional<TranslatedPattern> t = TranslateRe2(pattern);
  if (!t) return nullptr;
  auto flags = std::regex::ECMAScript | std::regex::nosubs;
  if (t->icase) flags |= std::regex::icase;
#if defined(__GLIBCXX__)
  // Breadth-first executor: polynomial time, no recursion per character.
  flags |= std::regex_constants::__polynomial;
#endif
  try {
    return std::make_shared<const std::regex>(t->ecmascript, flags);
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

std::optional<TranslatedPattern> TranslateRe2(std::string_view re2) {
  if (re2.size() > kMaxPatternBytes) return std::nullopt;
  TranslatedPattern result;
  bool dotall = false;
  size_t i = LeadingFlags(re2, &result, &dotall);
  std::string out;
  while (i < re2.size()) {
    char c = re2[i];
    bool ok = true;
    if (c == '\\') {
      if (re2.substr(i, 2) == "\\Q") {
        TranslateQuoted(re2, &i, &out);
      } else {
        ok = TranslateEscape(re2, &i, /*in_class=*/false, &out);
      }
    } else if (c == '[') {
      ok = TranslateClass(re2, &i, &out);
    } else if (c == '(') {
      ok = TranslateGroupOpen(re2, &i, &out);
    } else if (c == '{') {
      size_t n = RepetitionLength(re2, i);
      if (n == std::string_view::npos) return std::nullopt;
      if (n == 0) {
        out += "\\{";
        ++i;
      } else {
        out += re2.substr(i, n);
        i += n;
      }
    } else if (c == '}') {
      out += "\\}";
      ++i;
    } else if (c == '.' && dotall) {
      out += "[\\s\\S]";
      ++i;
    } else {
      out += c;
      ++i;
    }
    if (!ok) return std::nullopt;
  }
  // Go's MatchString finds a match anywhere; wrapping turns that into one
  // whole-string match, which the breadth-first executor does in one pass
  // (regex_search would restart at every position). ^ and $ keep their
  // meaning: without multiline they only match at the ends of the value.
  result.ecmascript = "[\\s\\S]*(?:" + out + ")[\\s\\S]*";
  return result;
}

std::optional<bool> MatchesPattern(const std::string& pattern,
                                   const std::string& value) {
  if (value.size() > kMaxValueBytes) return std::nullopt;
  static std::mutex mu;
  // nullptr entries remember patterns that cannot be compiled.
  static auto* cache =
      new std::unordered_map<std::string, std::shared_ptr<const std::regex>>;
  std::shared_ptr<const std::regex> re;
  bool cached = false;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache->find(pattern);
    if (it != cache->end()) {
      cached = true;
      re = it->second;
    }
  }
  if (!cached) {
    re = Compile(pattern);  // outside the lock: compiling can take a while
    std::lock_guard<std::mutex> lock(mu);
    if (cache->size() < kMaxCachedPatterns) cache->emplace(pattern, re);
  }
  if (re == nullptr) return std::nullopt;
  try {
    return std::regex_match(value, *re);
  } catch (const std::exception&) {  // error_complexity, error_stack
    return std::nullopt;
  }
}

}  // namespace capigitops::schema
