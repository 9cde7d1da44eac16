// The lexer and the tables of the test PromQL parser (promql.cc): tokens,
// Prometheus' functions with their argument types, aggregations and binary
// operators with their precedence. For promql.cc only.
#ifndef CAPIGITOPS_TEST_DEPLOY_PROMQL_LEX_H_
#define CAPIGITOPS_TEST_DEPLOY_PROMQL_LEX_H_

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "deploy/promql.h"

namespace capigitops::testutil::promql_internal {

enum class Tok { kEnd, kIdent, kNumber, kString, kDuration, kPunct, kOp };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // a string token: its value, unquoted
  size_t pos = 0;
};

// A parse error at a byte offset of the expression.
struct PromError : std::runtime_error {
  PromError(size_t pos, const std::string& what)
      : std::runtime_error("at " + std::to_string(pos) + ": " + what) {}
};

// The tokens of `s`, ending with a kEnd token; throws PromError.
std::vector<Token> Lex(const std::string& s);

const char* TypeName(PromType t);

struct Function {
  std::vector<PromType> args;
  size_t required;  // the rest are optional
  bool variadic;    // the last argument repeats
  PromType result;
};
const std::map<std::string, Function>& Functions();

bool IsAggregation(const std::string& s);

struct BinaryOp {
  int prec;
  bool right_assoc;
  bool comparison;
  bool set;
};
// The binary operator `t` is, if it is one.
std::optional<BinaryOp> BinaryOpOf(const Token& t);

}  // namespace capigitops::testutil::promql_internal

#endif  // CAPIGITOPS_TEST_DEPLOY_PROMQL_LEX_H_
