// A recursive-descent PromQL parser with Prometheus' operator precedence and
// type rules (promql/parser: generated_parser.y and checkAST), enough to
// reject what Prometheus would reject in a rule file. Tokens and tables:
// promql_lex.cc.
#include "deploy/promql.h"

#include <cctype>
#include <regex>

#include "deploy/promql_lex.h"

namespace capigitops::testutil {
namespace promql_internal {
namespace {

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
}  // namespace promql_internal

PromParse ParsePromQL(const std::string& expr) {
  try {
    return promql_internal::Parser(expr).Parse();
  } catch (const promql_internal::PromError& e) {
    PromParse out;
    out.error = e.what();
    return out;
  }
}

}  // namespace capigitops::testutil