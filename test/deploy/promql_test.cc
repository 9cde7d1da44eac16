// The offline PromQL parser the alert-rule tests rely on: it accepts what
// Prometheus accepts (with the types Prometheus gives) and rejects what
// Prometheus rejects, so a rule that passes here loads in Prometheus.
#include "deploy/promql.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace capigitops::testutil {
namespace {

TEST(PromQLTest, AcceptsWhatRulesUseWithTheirTypes) {
  struct Case {
    std::string expr;
    PromType type;
  };
  const std::vector<Case> cases = {
      {"up", PromType::kInstantVector},
      {"up{job=\"a\", instance!='b', path=~\"/x|/y\", code!~`5..`}",
       PromType::kInstantVector},
      {"{__name__=\"up\"}", PromType::kInstantVector},
      {"{job=~\".+\"}", PromType::kInstantVector},
      {"up{job=\"a\",}", PromType::kInstantVector},
      {"http_requests_total[5m]", PromType::kRangeVector},
      {"http_requests_total[1h30m] offset 1d", PromType::kRangeVector},
      {"up offset -5m", PromType::kInstantVector},
      {"up @ 1700000000", PromType::kInstantVector},
      {"up @ start() offset 1m", PromType::kInstantVector},
      {"rate(http_requests_total{code=\"500\"}[5m])", PromType::kInstantVector},
      {"max_over_time(rate(x[5m])[1h:1m])", PromType::kInstantVector},
      {"rate(x[5m])[30m:]", PromType::kRangeVector},
      {"sum by (job) (rate(x[5m]))", PromType::kInstantVector},
      {"sum(rate(x[5m])) without (instance, pod)", PromType::kInstantVector},
      {"topk(3, sum by (job) (x))", PromType::kInstantVector},
      {"quantile(0.9, x)", PromType::kInstantVector},
      {"count_values(\"version\", build_info)", PromType::kInstantVector},
      {"histogram_quantile(0.99, sum by (le) (rate(d_bucket[5m])))",
       PromType::kInstantVector},
      {"label_replace(up, \"a\", \"$1\", \"job\", \"(.*)\")",
       PromType::kInstantVector},
      {"label_join(up, \"a\", \",\", \"job\", \"instance\")",
       PromType::kInstantVector},
      {"time() - x > 15 * 60", PromType::kInstantVector},
      {"1 + 2 * 3 ^ 2 ^ 2", PromType::kScalar},
      {"-2 ^ 2", PromType::kScalar},
      {"1 < bool 2", PromType::kScalar},
      {"x > bool 0", PromType::kInstantVector},
      {"0 < x - time() < 7200", PromType::kInstantVector},
      {"a / on (job) group_left (team) b", PromType::kInstantVector},
      {"a * ignoring (code) group_right b", PromType::kInstantVector},
      {"a and on (ns) b or c unless d", PromType::kInstantVector},
      {"absent(up{job=\"x\"})", PromType::kInstantVector},
      {"scalar(sum(x))", PromType::kScalar},
      {"vector(1)", PromType::kInstantVector},
      {"round(x, 0.5)", PromType::kInstantVector},
      {"hour()", PromType::kInstantVector},
      {"(x + y)[5m:1m]", PromType::kRangeVector},
      {"+Inf", PromType::kScalar},
      {"-NaN", PromType::kScalar},
      {"1e3 + 0.5 + .5", PromType::kScalar},
      {"job:rate5m:sum", PromType::kInstantVector},
      {"x # a comment\n> 0", PromType::kInstantVector},
      {"\"text\"", PromType::kString},
  };
  for (const Case& c : cases) {
    PromParse p = ParsePromQL(c.expr);
    EXPECT_TRUE(p.ok) << c.expr << ": " << p.error;
    EXPECT_EQ(p.type, c.type) << c.expr;
  }
}

TEST(PromQLTest, NamesEveryMetricItReads) {
  PromParse p = ParsePromQL(
      "sum by (ns) (rate(a_total[5m])) / on (ns) b unless "
      "{__name__=\"c\", job=\"x\"} offset 5m");
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.metrics, (std::set<std::string>{"a_total", "b", "c"}));
  p = ParsePromQL("time() > bool 5");
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_TRUE(p.metrics.empty());
}

TEST(PromQLTest, RejectsMalformedExpressions) {
  const std::vector<std::string> bad = {
      "",
      "up{",
      "up{job=\"a\"",
      "up{job=a}",
      "up{job==\"a\"}",
      "up{job=\"a\" instance=\"b\"}",
      "up{\"a\"}",
      "{}",
      "{job=\"\"}",
      "{job=~\".*\"}",
      "up{job=~\"(\"}",
      "rate(x)",
      "rate(x[5m], 1)",
      "rate(x[5])",
      "rate(x[5min])",
      "x[1m1h]",
      "x[1m1m]",
      "x[5m",
      "nosuch(x)",
      "sum(x",
      "sum by (job) (x) by (job)",
      "sum by job (x)",
      "topk(x)",
      "topk(x, 3)",
      "count_values(x, y)",
      "histogram_quantile(x, y)",
      "x + ",
      "* x",
      "x y",
      "1 < 2",
      "x + bool y",
      "x and 1",
      "1 or x",
      "x and on (a) group_left y",
      "1 + on (a) x",
      "x[5m] + 1",
      "-x[5m]",
      "(x)[5m]",
      "sum(x)[5m]",
      "sum(x) offset 5m",
      "x offset 5m offset 1m",
      "x offset",
      "x @ foo",
      "5m",
      "x > 5m",
      "'unterminated",
      "up{a=\"b\"} $value",
      "by",
      "time(1)",
      "clamp(x, 1)",
      "label_replace(up, 1, \"a\", \"b\", \"c\")",
      "rate(sum(x))",
      "round(x, y)",
      "x{a:b=\"c\"}",
  };
  for (const std::string& expr : bad) {
    PromParse p = ParsePromQL(expr);
    EXPECT_FALSE(p.ok) << "accepted: " << expr;
    if (!p.ok) {
      EXPECT_EQ(p.error.rfind("at ", 0), 0u) << p.error;
    }
  }
}

TEST(PromQLTest, DurationsFollowPrometheusUnits) {
  EXPECT_EQ(ParsePromDuration("30s"), 30000);
  EXPECT_EQ(ParsePromDuration("1h30m"), 5400000);
  EXPECT_EQ(ParsePromDuration("100ms"), 100);
  EXPECT_EQ(ParsePromDuration("1d2h"), (24 + 2) * 3600000LL);
  EXPECT_EQ(ParsePromDuration("2w"), 14 * 24 * 3600000LL);
  EXPECT_EQ(ParsePromDuration("1m5s10ms"), 65010);
  for (const char* bad :
       {"", "5", "m", "5min", "1s1m", "1m1m", "1.5h", "-5m", "5 m", "1ms1s"}) {
    EXPECT_FALSE(ParsePromDuration(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace capigitops::testutil
