// A recursive-descent PromQL parser with Prometheus' operator precedence and
// type rules (promql/parser: generated_parser.y and checkAST), enough to
// reject what Prometheus would reject in a rule file.
#include "deploy/promql.h"

#include <cctype>
#include <map>
#include <regex>
#include <stdexcept>
#include <vector>

namespace capigitops::testutil {
namespace {

enum class Tok { kEnd, kIdent, kNumber, kString, kDuration, kPunct, kOp };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // a string token: its value, unquoted
  size_t pos = 0;
};

struct PromError : std::runtime_error {
  PromError(size_t pos, const std::string& what)
      : std::runtime_error("at " + std::to_string(pos) + ": " + what) {}
};

bool IdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool IdentChar(char c) {
  return IdentStart(c) || std::isdigit(static_cast<unsigned char>(c));
}
bool Digit(char c) { return std::isdigit(static_cast<unsigned char>(c)); }

// Digits followed by a unit letter: the start of a duration, not a number.
size_t DurationLength(const std::string& s, size_t i) {
  size_t j = i;
  while (j < s.size()) {
    size_t k = j;
    while (k < s.size() && Digit(s[k])) ++k;
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
    if (Digit(c) || (c == '.' && i + 1 < s.size() && Digit(s[i + 1]))) {
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

struct Function {
  std::vector<PromType> args;
  size_t required;  // the rest are optional
  bool variadic;    // the last argument repeats
  PromType result;
};

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

struct BinaryOp {
  int prec;
  bool right_assoc;
  bool comparison;
  bool set;
};

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

class Parser {
 public:
  explicit Parser(const std::string& text) : toks_(Lex(text)) {}

  PromParse Parse() {
    PromParse out;
    out.type = Expr(0);
    if (Peek().kind != Tok::kEnd)
      throw PromError(Peek().pos, "unexpected \"" + Peek().text + "\"");
    out.ok = true;
    out.metrics = metrics_;
    return out;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return toks_[std::min(i_ + ahead, toks_.size() - 1)];
  }
  Token Next() { return toks_[std::min(i_++, toks_.size() - 1)]; }
  bool IsPunct(const char* p, size_t ahead = 0) const {
    return Peek(ahead).kind == Tok::kPunct && Peek(ahead).text == p;
  }
  bool IsIdent(const char* id) const {
    return Peek().kind == Tok::kIdent && Peek().text == id;
  }
  void Expect(const char* p) {
    if (!IsPunct(p))
      throw PromError(Peek().pos, std::string("expected \"") + p +
                                      "\", got \"" + Peek().text + "\"");
    ++i_;
  }

  PromType Expr(int min_prec) {
    PromType lhs = Unary();
    while (true) {
      std::optional<BinaryOp> op = BinaryOpOf(Peek());
      if (!op || op->prec < min_prec) return lhs;
      Token op_tok = Next();
      bool is_bool = false, matching = false, grouping = false;
      if (IsIdent("bool")) {
        if (!op->comparison)
          throw PromError(Peek().pos, "bool modifier on a non-comparison");
        is_bool = true;
        ++i_;
      }
      if (IsIdent("on") || IsIdent("ignoring")) {
        ++i_;
        Labels();
        matching = true;
        if (IsIdent("group_left") || IsIdent("group_right")) {
          if (op->set)
            throw PromError(Peek().pos,
                            "no grouping allowed for \"" + op_tok.text + "\"");
          ++i_;
          if (IsPunct("(")) Labels();
          grouping = true;
        }
      }
      PromType rhs = Expr(op->right_assoc ? op->prec : op->prec + 1);
      lhs = CheckBinary(op_tok, *op, lhs, rhs, is_bool, matching || grouping);
    }
  }

  PromType CheckBinary(const Token& t, const BinaryOp& op, PromType lhs,
                       PromType rhs, bool is_bool, bool matching) {
    for (PromType side : {lhs, rhs}) {
      if (side != PromType::kScalar && side != PromType::kInstantVector)
        throw PromError(t.pos,
                        std::string("binary expression must contain only "
                                    "scalar and instant vector types, not ") +
                            TypeName(side));
    }
    bool scalars = lhs == PromType::kScalar && rhs == PromType::kScalar;
    if (op.set &&
        (lhs != PromType::kInstantVector || rhs != PromType::kInstantVector))
      throw PromError(t.pos, "set operator \"" + t.text +
                                 "\" not allowed in binary scalar expression");
    if (op.comparison && scalars && !is_bool)
      throw PromError(t.pos, "comparisons between scalars must use BOOL");
    if (matching && (lhs == PromType::kScalar || rhs == PromType::kScalar))
      throw PromError(t.pos, "vector matching only allowed between vectors");
    return scalars ? PromType::kScalar : PromType::kInstantVector;
  }

  PromType Unary() {
    if (Peek().kind == Tok::kOp && (Peek().text == "-" || Peek().text == "+")) {
      Token sign = Next();
      PromType t = Expr(6);  // -a^b is -(a^b); -a*b is (-a)*b
      if (t != PromType::kScalar && t != PromType::kInstantVector)
        throw PromError(sign.pos, std::string("unary expression only allowed "
                                              "on scalars and instant "
                                              "vectors, not ") +
                                      TypeName(t));
      return t;
    }
    return Postfix();
  }

  // A primary with its range, subquery, offset and @ modifiers.
  PromType Postfix() {
    bool selector = false;
    PromType t = Primary(&selector);
    bool modifiable = selector;
    if (IsPunct("[")) {
      size_t pos = Next().pos;
      Duration();
      if (IsPunct(":")) {
        ++i_;
        if (Peek().kind == Tok::kDuration) Duration();
        if (t != PromType::kInstantVector)
          throw PromError(pos, std::string("subquery is only allowed on an "
                                           "instant vector, not ") +
                                   TypeName(t));
      } else if (!selector || t != PromType::kInstantVector) {
        throw PromError(pos,
                        "ranges only allowed for vector selectors "
                        "(a subquery needs \"[range:step]\")");
      }
      Expect("]");
      t = PromType::kRangeVector;
      modifiable = true;
    }
    bool offset = false, at = false;
    while (IsIdent("offset") || IsPunct("@")) {
      size_t pos = Peek().pos;
      if (!modifiable)
        throw PromError(pos,
                        "offset and @ must follow a selector or a subquery");
      if (IsIdent("offset")) {
        if (offset) throw PromError(pos, "offset may not be set twice");
        ++i_;
        if (Peek().kind == Tok::kOp && Peek().text == "-") ++i_;
        Duration();
        offset = true;
      } else {
        if (at) throw PromError(pos, "@ may not be set twice");
        ++i_;
        if (IsIdent("start") || IsIdent("end")) {
          ++i_;
          Expect("(");
          Expect(")");
        } else if (Peek().kind == Tok::kNumber) {
          ++i_;
        } else {
          throw PromError(Peek().pos, "@ needs a timestamp, start() or end()");
        }
        at = true;
      }
    }
    return t;
  }

  PromType Primary(bool* selector) {
    const Token& t = Peek();
    switch (t.kind) {
      case Tok::kNumber:
        ++i_;
        return PromType::kScalar;
      case Tok::kString:
        ++i_;
        return PromType::kString;
      case Tok::kDuration:
        throw PromError(t.pos, "a duration (" + t.text + ") is not a value");
      case Tok::kPunct:
        if (t.text == "(") {
          ++i_;
          PromType inner = Expr(0);
          Expect(")");
          return inner;
        }
        if (t.text == "{") {
          *selector = true;
          return Selector("");
        }
        break;
      case Tok::kIdent:
        return Named(selector);
      default:
        break;
    }
    throw PromError(t.pos, "unexpected \"" + t.text + "\"");
  }

  PromType Named(bool* selector) {
    Token name = Next();
    static const std::set<std::string> kKeywords = {
        "by",   "without", "on",  "ignoring", "group_left", "group_right",
        "bool", "offset",  "and", "or",       "unless",     "atan2"};
    if (IsAggregation(name.text) &&
        (IsPunct("(") || IsIdent("by") || IsIdent("without"))) {
      return Aggregation(name);
    }
    if (IsPunct("(")) return Call(name);
    if (kKeywords.count(name.text))
      throw PromError(name.pos, "unexpected keyword \"" + name.text + "\"");
    std::string lower;
    for (char c : name.text) lower += static_cast<char>(std::tolower(c));
    if (lower == "inf" || lower == "nan") return PromType::kScalar;
    *selector = true;
    return Selector(name.text);
  }

  PromType Aggregation(const Token& name) {
    bool grouped = false;
    if (IsIdent("by") || IsIdent("without")) {
      ++i_;
      Labels();
      grouped = true;
    }
    Expect("(");
    const std::string& op = name.text;
    if (op == "topk" || op == "bottomk" || op == "quantile" || op == "limitk" ||
        op == "limit_ratio") {
      Arg(PromType::kScalar, name);
      Expect(",");
    } else if (op == "count_values") {
      Arg(PromType::kString, name);
      Expect(",");
    }
    Arg(PromType::kInstantVector, name);
    Expect(")");
    if (IsIdent("by") || IsIdent("without")) {
      if (grouped)
        throw PromError(Peek().pos, "a second grouping clause for " + op);
      ++i_;
      Labels();
    }
    return PromType::kInstantVector;
  }

  PromType Call(const Token& name) {
    auto f = Functions().find(name.text);
    if (f == Functions().end())
      throw PromError(name.pos, "unknown function \"" + name.text + "\"");
    const Function& fn = f->second;
    Expect("(");
    size_t n = 0;
    while (!IsPunct(")")) {
      if (n > 0) Expect(",");
      if (n >= fn.args.size() && !fn.variadic)
        throw PromError(Peek().pos, "too many arguments to " + name.text);
      Arg(fn.args[std::min(n, fn.args.size() - 1)], name);
      ++n;
    }
    Expect(")");
    if (n < fn.required)
      throw PromError(name.pos, name.text + " needs " +
                                    std::to_string(fn.required) +
                                    " argument(s), got " + std::to_string(n));
    return fn.result;
  }

  void Arg(PromType want, const Token& fn) {
    size_t pos = Peek().pos;
    PromType got = Expr(0);
    if (got != want)
      throw PromError(pos, "expected type " + std::string(TypeName(want)) +
                               " in call to " + fn.text + ", got " +
                               TypeName(got));
  }

  void Labels() {
    Expect("(");
    while (!IsPunct(")")) {
      if (Peek().kind != Tok::kIdent ||
          Peek().text.find(':') != std::string::npos)
        throw PromError(Peek().pos,
                        "expected a label name, got \"" + Peek().text + "\"");
      ++i_;
      if (!IsPunct(")")) Expect(",");
    }
    ++i_;
  }

  PromType Selector(const std::string& name) {
    bool non_empty = !name.empty();
    std::string metric = name;
    if (IsPunct("{")) {
      ++i_;
      while (!IsPunct("}")) {
        Token label = Next();
        if (label.kind != Tok::kIdent ||
            label.text.find(':') != std::string::npos)
          throw PromError(label.pos,
                          "expected a label name, got \"" + label.text + "\"");
        Token op = Next();
        if (op.kind != Tok::kOp || (op.text != "=" && op.text != "!=" &&
                                    op.text != "=~" && op.text != "!~"))
          throw PromError(op.pos, "expected a label matching operator, got \"" +
                                      op.text + "\"");
        Token value = Next();
        if (value.kind != Tok::kString)
          throw PromError(value.pos,
                          "expected a string, got \"" + value.text + "\"");
        bool matches_empty = MatchesEmpty(op, value.text);  // checks regexes
        non_empty = non_empty || !matches_empty;
        if (label.text == "__name__" && op.text == "=") {
          if (!metric.empty())
            throw PromError(label.pos, "metric name set twice");
          metric = value.text;
        }
        if (!IsPunct("}")) Expect(",");
      }
      ++i_;
    }
    if (!non_empty)
      throw PromError(Peek().pos,
                      "vector selector must contain at least one non-empty "
                      "matcher");
    if (!metric.empty()) metrics_.insert(metric);
    return PromType::kInstantVector;
  }

  // Prometheus anchors label regexes: "a|b" is "^(?:a|b)$".
  static bool MatchesEmpty(const Token& op, const std::string& value) {
    if (op.text == "=") return value.empty();
    if (op.text == "!=") return !value.empty();
    std::regex re;
    try {
      re = std::regex(value, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      throw PromError(op.pos, "invalid regular expression \"" + value + "\"");
    }
    bool matches = std::regex_match("", re);
    return op.text == "=~" ? matches : !matches;
  }

  void Duration() {
    Token t = Next();
    if (t.kind != Tok::kDuration || !ParsePromDuration(t.text))
      throw PromError(t.pos, "expected a duration, got \"" + t.text + "\"");
  }

  std::vector<Token> toks_;
  size_t i_ = 0;
  std::set<std::string> metrics_;
};

}  // namespace

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
    while (j < text.size() && Digit(text[j])) ++j;
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

PromParse ParsePromQL(const std::string& expr) {
  try {
    return Parser(expr).Parse();
  } catch (const PromError& e) {
    PromParse out;
    out.error = e.what();
    return out;
  }
}

}  // namespace capigitops::testutil
