// The build, process and per-cluster metrics of /metrics, parsed back from
// the text a scrape gets.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>

#include "capigitops/controller.h"
#include "capigitops/metrics.h"
#include "daemon/prometheus_text.h"

namespace capigitops {
namespace {

std::map<std::string, double> Scrape(MetricsRegistry& m) {
  std::map<std::string, double> samples;
  std::string error;
  EXPECT_TRUE(ParsePrometheusText(m.Render(), &samples, &error)) << error;
  return samples;
}

TEST(ProcessMetricsTest, BuildInfoIsOneLabelledWithVersionAndCommit) {
  MetricsRegistry m;
  DeclareBuildInfo(&m, "1.2.3", "abc1234");
  std::string text = m.Render();
  EXPECT_NE(text.find("# TYPE capigitops_build_info gauge\n"),
            std::string::npos);
  std::map<std::string, double> s = Scrape(m);
  EXPECT_EQ(s["capigitops_build_info{version=\"1.2.3\",commit=\"abc1234\"}"],
            1);
}

TEST(ProcessMetricsTest, ProcessMetricsDescribeThisProcess) {
  MetricsRegistry m;
  DeclareProcessMetrics(&m);
  std::map<std::string, double> s = Scrape(m);
  double now = std::chrono::duration<double>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  EXPECT_GT(s["process_resident_memory_bytes"], 1 << 20);  // > 1 MiB
  EXPECT_GE(s["process_virtual_memory_bytes"],
            s["process_resident_memory_bytes"]);
  EXPECT_GT(s["process_open_fds"], 2);  // stdin, stdout, stderr at least
  EXPECT_GE(s["process_max_fds"], s["process_open_fds"]);
  // The test binary started within the last day, and not in the future.
  EXPECT_LE(s["process_start_time_seconds"], now + 1);
  EXPECT_GT(s["process_start_time_seconds"], now - 86400);
  // CPU time only grows between scrapes.
  double cpu = s["process_cpu_seconds_total"];
  EXPECT_GT(cpu, 0);
  volatile double spin = 0;
  for (int i = 0; i < 20000000; ++i) spin = spin + i;
  std::map<std::string, double> later = Scrape(m);
  EXPECT_GT(later["process_cpu_seconds_total"], cpu);
  EXPECT_EQ(later["process_start_time_seconds"],
            s["process_start_time_seconds"]);
}

TEST(ProcessMetricsTest, ProcStatFieldsAreReadAfterTheCommandName) {
  // A command name with spaces and parentheses, as proc(5) allows.
  std::string stat =
      "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 "
      "3 0 123456 209715200 5120 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 "
      "0 17 1 0 0 0 0 0";
  ProcStat st;
  ASSERT_TRUE(ParseProcStat(stat, &st));
  EXPECT_EQ(st.utime_ticks, 250);
  EXPECT_EQ(st.stime_ticks, 50);
  EXPECT_EQ(st.start_ticks, 123456);
  EXPECT_EQ(st.vsize_bytes, 209715200);
  EXPECT_EQ(st.rss_pages, 5120);
  EXPECT_FALSE(ParseProcStat("4242 (a) S 1 2 3", &st));
  EXPECT_FALSE(ParseProcStat("no parenthesis at all", &st));
}

TEST(ClusterGaugesTest, ExpiryNodesGpusAndUsablePerClusterFollowEachPass) {
  MetricsRegistry m;
  DeclareControllerMetrics(&m);
  PassResult r;
  r.status_known = true;
  ClusterFacts gpu;
  gpu.owner = "ml";
  gpu.expires_at = 1795000000;
  gpu.workload_read = true;
  gpu.nodes = 3;
  gpu.ready_nodes = 2;
  gpu.gpus = 8;
  gpu.usable = true;
  ClusterFacts forever;  // ttl never, workload not read
  forever.owner = "platform";
  r.cluster_facts = {{"gpu-a", gpu}, {"keeper", forever}};
  RecordClusterGauges(r, &m);
  std::map<std::string, double> s = Scrape(m);
  EXPECT_EQ(s["capigitops_cluster_expiry_timestamp_seconds{cluster=\"gpu-a\","
              "owner=\"ml\"}"],
            1795000000);
  EXPECT_EQ(s["capigitops_cluster_nodes{cluster=\"gpu-a\"}"], 3);
  EXPECT_EQ(s["capigitops_cluster_ready_nodes{cluster=\"gpu-a\"}"], 2);
  EXPECT_EQ(s["capigitops_cluster_gpus{cluster=\"gpu-a\"}"], 8);
  EXPECT_EQ(s["capigitops_cluster_usable{cluster=\"gpu-a\"}"], 1);
  for (const auto& [series, value] : s) {
    EXPECT_EQ(series.find("keeper"), std::string::npos) << series;
  }
  // A pass that did not reach status keeps the last breakdown; the next
  // one that did replaces it (gpu-a is gone).
  PassResult failed;
  RecordClusterGauges(failed, &m);
  EXPECT_EQ(Scrape(m).count("capigitops_cluster_gpus{cluster=\"gpu-a\"}"), 1u);
  PassResult next;
  next.status_known = true;
  next.cluster_facts = {{"keeper", forever}};
  RecordClusterGauges(next, &m);
  for (const auto& [series, value] : Scrape(m)) {
    EXPECT_EQ(series.find("gpu-a"), std::string::npos) << series;
  }
}

}  // namespace
}  // namespace capigitops
