// The lexer and tables of the test PromQL parser (promql_lex.h), and
// ParsePromDuration.
#include "deploy/promql_lex.h"

#include <cctype>
#include <set>

namespace capigitops::testutil {
namespace promql_internal {
namespace {
bool IdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool IdentChar(char c) {
  return IdentStart(c) || std::isdigit(static_cast<unsigned char>(c));
}
bool IsDigitChar(char c) { return std::isdigit(static_cast<unsigned char>(c)); }

// Digits followed by a unit letter: the start of a duration, not a number.
size_t DurationLength(const std::string& s, size_t i) {
  size_t j = i;
  while (j < s.size()) {
    size_t k = j;
    while (k < s.size() && IsDigitChar(s[k])) ++k;
    if (k == j) break;
    size_t unit =
        s.compare(k, 2, "ms") == 0 ? 2
        : k < s.size() && std::string("smhdwy").find(s[k]) != std::string::npos
            ? 1
            : 0;
    if (unit == 0) break;
    j = k + unit;
  }
  // "5min", "1hx"; a ':' may follow (a subquery's "[5m:1m]").
  if (j < s.size() && s[j] != ':' && IdentChar(s[j])) return 0;
  return j - i;
}

}  // namespace

std::vector<Token> Lex(const std::string& s) {
  std::vector<Token> out;
  size_t i = 0;
  int brackets = 0;  // inside [...], ':' separates a subquery's step
  while (i < s.size()) {
    char c = s[i];
    if (c == '[') ++brackets;
    if (c == ']') --brackets;
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '#') {  // a comment runs to the end of the line
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    Token t;
    t.pos = i;
    if (IsDigitChar(c) ||
        (c == '.' && i + 1 < s.size() && IsDigitChar(s[i + 1]))) {
      if (size_t n = DurationLength(s, i); n > 0) {
        t.kind = Tok::kDuration;
        t.text = s.substr(i, n);
        i += n;
      } else {
        size_t n2 = 0;
        try {
          (void)std::stod(s.substr(i), &n2);
        } catch (const std::exception&) {
          throw PromError(i, "bad number");
        }
        if (i + n2 < s.size() && IdentChar(s[i + n2]))
          throw PromError(
              i, "bad number or duration \"" + s.substr(i, n2 + 1) + "\"");
        t.kind = Tok::kNumber;
        t.text = s.substr(i, n2);
        i += n2;
      }
    } else if (IdentStart(c) && !(c == ':' && brackets > 0)) {
      size_t j = i;
      while (j < s.size() && IdentChar(s[j])) ++j;
      t.kind = Tok::kIdent;
      t.text = s.substr(i, j - i);
      i = j;
    } else if (c == '"' || c == '\'' || c == '`') {
      size_t j = i + 1;
      std::string value;
      while (j < s.size() && s[j] != c) {
        if (s[j] == '\n' && c != '`') throw PromError(j, "newline in string");
        if (s[j] == '\\' && c != '`' && j + 1 < s.size()) {
          char e = s[j + 1];
          value += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          j += 2;
          continue;
        }
        value += s[j++];
      }
      if (j >= s.size()) throw PromError(i, "unterminated string");
      t.kind = Tok::kString;
      t.text = value;
      i = j + 1;
    } else {
      static const char* kOps[] = {"==", "!=", "<=", ">=", "=~", "!~", "+", "-",
                                   "*",  "/",  "%",  "^",  "<",  ">",  "="};
      t.kind = Tok::kOp;
      for (const char* op : kOps) {
        if (s.compare(i, std::string(op).size(), op) == 0) {
          t.text = op;
          break;
        }
      }
      if (t.text.empty()) {
        if (std::string("(){}[],:@").find(c) == std::string::npos)
          throw PromError(i, std::string("unexpected character '") + c + "'");
        t.kind = Tok::kPunct;
        t.text = std::string(1, c);
      }
      i += t.text.size();
    }
    out.push_back(t);
  }
  out.push_back({Tok::kEnd, "", s.size()});
  return out;
}

const char* TypeName(PromType t) {
  switch (t) {
    case PromType::kScalar:
      return "scalar";
    case PromType::kString:
      return "string";
    case PromType::kInstantVector:
      return "instant vector";
    case PromType::kRangeVector:
      return "range vector";
  }
  return "?";
}

const std::map<std::string, Function>& Functions() {
  using T = PromType;
  constexpr T S = T::kScalar, V = T::kInstantVector, M = T::kRangeVector,
              Str = T::kString;
  static const std::map<std::string, Function> kFunctions = [] {
    std::map<std::string, Function> f;
    for (const char* n :
         {"rate", "irate", "increase", "delta", "idelta", "deriv", "resets",
          "changes", "avg_over_time", "min_over_time", "max_over_time",
          "sum_over_time", "count_over_time", "last_over_time",
          "stddev_over_time", "stdvar_over_time", "present_over_time",
          "absent_over_time"}) {
      f[n] = {{M}, 1, false, V};
    }
    f["quantile_over_time"] = {{S, M}, 2, false, V};
    f["predict_linear"] = {{M, S}, 2, false, V};
    f["holt_winters"] = {{M, S, S}, 3, false, V};
    for (const char* n :
         {"abs",  "ceil", "floor",  "exp",  "ln",        "log2",      "log10",
          "sqrt", "sgn",  "absent", "sort", "sort_desc", "timestamp", "acos",
          "asin", "atan", "cos",    "sin",  "tan",       "deg",       "rad"}) {
      f[n] = {{V}, 1, false, V};
    }
    for (const char* n : {"day_of_month", "day_of_week", "day_of_year",
                          "days_in_month", "hour", "minute", "month", "year"}) {
      f[n] = {{V}, 0, false, V};
    }
    f["round"] = {{V, S}, 1, false, V};
    f["clamp"] = {{V, S, S}, 3, false, V};
    f["clamp_min"] = {{V, S}, 2, false, V};
    f["clamp_max"] = {{V, S}, 2, false, V};
    f["histogram_quantile"] = {{S, V}, 2, false, V};
    f["label_replace"] = {{V, Str, Str, Str, Str}, 5, false, V};
    f["label_join"] = {{V, Str, Str, Str}, 3, true, V};
    f["scalar"] = {{V}, 1, false, S};
    f["vector"] = {{S}, 1, false, V};
    f["time"] = {{}, 0, false, S};
    f["pi"] = {{}, 0, false, S};
    return f;
  }();
  return kFunctions;
}

bool IsAggregation(const std::string& s) {
  static const std::set<std::string> kAgg = {
      "sum",    "min",      "max",    "avg",          "group",
      "stddev", "stdvar",   "count",  "count_values", "bottomk",
      "topk",   "quantile", "limitk", "limit_ratio"};
  return kAgg.count(s) > 0;
}

std::optional<BinaryOp> BinaryOpOf(const Token& t) {
  const std::string& s = t.text;
  if (t.kind == Tok::kIdent) {
    if (s == "or") return BinaryOp{1, false, false, true};
    if (s == "and" || s == "unless") return BinaryOp{2, false, false, true};
    if (s == "atan2") return BinaryOp{5, false, false, false};
    return std::nullopt;
  }
  if (t.kind != Tok::kOp) return std::nullopt;
  if (s == "==" || s == "!=" || s == "<" || s == "<=" || s == ">" || s == ">=")
    return BinaryOp{3, false, true, false};
  if (s == "+" || s == "-") return BinaryOp{4, false, false, false};
  if (s == "*" || s == "/" || s == "%") return BinaryOp{5, false, false, false};
  if (s == "^") return BinaryOp{6, true, false, false};
  return std::nullopt;
}

}  // namespace promql_internal

std::optional<int64_t> ParsePromDuration(const std::string& text) {
  static const std::vector<std::pair<std::string, int64_t>> kUnits = {
      {"y", 365LL * 24 * 3600 * 1000},
      {"w", 7LL * 24 * 3600 * 1000},
      {"d", 24LL * 3600 * 1000},
      {"h", 3600LL * 1000},
      {"m", 60LL * 1000},
      {"s", 1000},
      {"ms", 1}};
  int64_t total = 0;
  size_t i = 0, next_unit = 0;
  if (text.empty()) return std::nullopt;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && promql_internal::IsDigitChar(text[j])) ++j;
    if (j == i || j - i > 12) return std::nullopt;
    int64_t n = std::stoll(text.substr(i, j - i));
    size_t unit = kUnits.size();
    for (size_t u = next_unit; u < kUnits.size(); ++u) {
      const std::string& name = kUnits[u].first;
      // "ms" before "m": the longer unit wins where both match.
      if (text.compare(j, name.size(), name) == 0 &&
          (unit == kUnits.size() || name.size() > kUnits[unit].first.size())) {
        unit = u;
      }
    }
    if (unit == kUnits.size()) return std::nullopt;  // unknown or out of order
    total += n * kUnits[unit].second;
    i = j + kUnits[unit].first.size();
    next_unit = unit + 1;
  }
  return total;
}

}  // namespace capigitops::testutil
