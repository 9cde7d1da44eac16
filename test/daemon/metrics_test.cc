#include "capigitops/metrics.h"

#include <gtest/gtest.h>

#include "daemon/prometheus_text.h"

namespace capigitops {
namespace {

TEST(MetricsTest, CountersGaugesAndHistogramsRenderAndParseBack) {
  MetricsRegistry m;
  m.DeclareCounter("passes_total", "Passes by result.");
  m.DeclareGauge("clusters", "Clusters by phase.");
  m.DeclareHistogram("duration_seconds", "Pass duration.", {0.5, 1, 5});
  m.Add("passes_total", {{"result", "success"}});
  m.Add("passes_total", {{"result", "success"}});
  m.Add("passes_total", {{"result", "api_error"}});
  m.Set("clusters", {{"phase", "Provisioned"}}, 3);
  m.Observe("duration_seconds", {}, 0.2);
  m.Observe("duration_seconds", {}, 2);
  m.Observe("duration_seconds", {}, 60);

  std::string text = m.Render();
  EXPECT_NE(text.find("# TYPE passes_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# HELP clusters Clusters by phase.\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE duration_seconds histogram\n"),
            std::string::npos);
  std::map<std::string, double> samples;
  std::string error;
  ASSERT_TRUE(ParsePrometheusText(text, &samples, &error)) << error;
  EXPECT_EQ(samples["passes_total{result=\"success\"}"], 2);
  EXPECT_EQ(samples["passes_total{result=\"api_error\"}"], 1);
  EXPECT_EQ(samples["clusters{phase=\"Provisioned\"}"], 3);
  // Buckets are cumulative and end with +Inf equal to the count.
  EXPECT_EQ(samples["duration_seconds_bucket{le=\"0.5\"}"], 1);
  EXPECT_EQ(samples["duration_seconds_bucket{le=\"1\"}"], 1);
  EXPECT_EQ(samples["duration_seconds_bucket{le=\"5\"}"], 2);
  EXPECT_EQ(samples["duration_seconds_bucket{le=\"+Inf\"}"], 3);
  EXPECT_EQ(samples["duration_seconds_count"], 3);
  EXPECT_DOUBLE_EQ(samples["duration_seconds_sum"], 62.2);
}

TEST(MetricsTest, UnsetCounterShowsZeroAndClearedGaugeDropsOldSeries) {
  MetricsRegistry m;
  m.DeclareCounter("errors_total", "Errors.");
  m.DeclareGauge("clusters", "Clusters by phase.");
  m.Set("clusters", {{"phase", "Deleting"}}, 1);
  m.ClearGauge("clusters");
  m.Set("clusters", {{"phase", "Provisioned"}}, 2);
  std::map<std::string, double> samples;
  std::string error;
  ASSERT_TRUE(ParsePrometheusText(m.Render(), &samples, &error)) << error;
  EXPECT_EQ(samples.count("errors_total"), 1u);
  EXPECT_EQ(samples["errors_total"], 0);
  EXPECT_EQ(samples.count("clusters{phase=\"Deleting\"}"), 0u);
  EXPECT_EQ(samples["clusters{phase=\"Provisioned\"}"], 2);
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  MetricsRegistry m;
  m.DeclareCounter("c_total", "A \"help\" with\nnewline.");
  m.Add("c_total", {{"reason", "say \"hi\"\\now\n"}});
  std::string text = m.Render();
  EXPECT_NE(text.find("c_total{reason=\"say \\\"hi\\\"\\\\now\\n\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# HELP c_total A \"help\" with\\nnewline.\n"),
            std::string::npos)
      << text;
}

TEST(MetricsTest, UndeclaredOrMistypedFamiliesAreIgnored) {
  MetricsRegistry m;
  m.DeclareGauge("g", "A gauge.");
  m.Add("nope");
  m.Observe("g", {}, 1);  // not a histogram
  EXPECT_EQ(m.Value("nope"), 0);
  EXPECT_EQ(m.Render().find("nope"), std::string::npos);
}

TEST(MetricsTest, ParserRejectsLinesWithoutAValue) {
  std::map<std::string, double> samples;
  std::string error;
  EXPECT_FALSE(ParsePrometheusText("ok 1\nbroken\n", &samples, &error));
  EXPECT_NE(error.find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace capigitops
