// A PromQL parser for the tests of deploy/'s alert rules: it checks, with
// no Prometheus at hand, that an expression parses and type-checks as
// Prometheus would, and names the metrics it reads. It covers what rules
// use: vector selectors with matchers, range selectors, subqueries, offset
// and @, durations ("1h30m"), number and string literals, functions (with
// their argument and result types), aggregations with by/without (before
// or after the arguments) and their parameters, unary minus, and every
// binary operator with precedence, `bool`, on/ignoring and
// group_left/group_right.
#ifndef CAPIGITOPS_TEST_DEPLOY_PROMQL_H_
#define CAPIGITOPS_TEST_DEPLOY_PROMQL_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace capigitops::testutil {

enum class PromType { kScalar, kString, kInstantVector, kRangeVector };

struct PromParse {
  bool ok = false;
  std::string error;  // "at 12: ..." when !ok
  PromType type = PromType::kScalar;
  std::set<std::string> metrics;  // every metric name a selector reads
};

PromParse ParsePromQL(const std::string& expr);

// A PromQL duration ("30s", "1h30m", "100ms") in milliseconds; nullopt when
// malformed (units out of order, repeated, unknown, or no number).
std::optional<int64_t> ParsePromDuration(const std::string& text);

}  // namespace capigitops::testutil

#endif  // CAPIGITOPS_TEST_DEPLOY_PROMQL_H_
