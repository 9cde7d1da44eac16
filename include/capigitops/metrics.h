// A small Prometheus metrics registry: counters, gauges and histograms with
// labels, rendered in the text exposition format (version 0.0.4) that
// Prometheus scrapes from /metrics. Thread-safe.
#ifndef CAPIGITOPS_METRICS_H_
#define CAPIGITOPS_METRICS_H_

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace capigitops {

// Label name/value pairs, in the order they are rendered.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class MetricsRegistry {
 public:
  // Families are declared once, before use; using an undeclared family is a
  // programming error and is ignored.
  void DeclareCounter(const std::string& name, const std::string& help);
  void DeclareGauge(const std::string& name, const std::string& help);
  // `buckets` are the upper bounds, ascending; +Inf is added.
  void DeclareHistogram(const std::string& name, const std::string& help,
                        std::vector<double> buckets);

  void Add(const std::string& name, const MetricLabels& labels = {},
           double delta = 1);
  void Set(const std::string& name, const MetricLabels& labels, double value);
  void Set(const std::string& name, double value) { Set(name, {}, value); }
  // Drops every series of a gauge, before setting a fresh breakdown (for
  // example clusters by phase, where a phase may disappear).
  void ClearGauge(const std::string& name);
  void Observe(const std::string& name, const MetricLabels& labels,
               double value);

  // A counter's or gauge's current value (0 when unset); for tests and logs.
  double Value(const std::string& name, const MetricLabels& labels = {}) const;

  // Runs `collect` at the start of every Render, outside the registry's
  // lock, so that values read at scrape time (the process metrics) are
  // current. Collectors run one scrape at a time.
  void AddCollector(std::function<void(MetricsRegistry&)> collect);

  // The whole registry in the text exposition format, after running the
  // collectors.
  std::string Render();

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series {
    double value = 0;                   // counters and gauges
    std::vector<double> bucket_counts;  // histograms: per bound, cumulative
    double sum = 0;
    double count = 0;
  };
  struct Family {
    Type type;
    std::string help;
    std::vector<double> buckets;
    std::map<MetricLabels, Series> series;
  };

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  std::mutex collect_mu_;  // one scrape's collectors at a time
  std::vector<std::function<void(MetricsRegistry&)>> collectors_;
};

// capigitops_build_info{version,commit} 1: Prometheus' convention for the
// build a target runs, joined onto other series with `* on() group_left`.
void DeclareBuildInfo(MetricsRegistry* metrics, const std::string& version,
                      const std::string& commit);

// The process metrics every Prometheus client library exports, read from
// /proc/self at each scrape: process_resident_memory_bytes,
// process_virtual_memory_bytes, process_cpu_seconds_total,
// process_open_fds, process_max_fds and process_start_time_seconds. On a
// system without /proc they are declared and stay 0.
void DeclareProcessMetrics(MetricsRegistry* metrics);

// What /proc/self/stat says, parsed (fields 14, 15, 22, 23 and 24 of
// proc(5)); false when `stat` is not in that format.
struct ProcStat {
  double utime_ticks = 0;
  double stime_ticks = 0;
  double start_ticks = 0;  // since boot
  double vsize_bytes = 0;
  double rss_pages = 0;
};
bool ParseProcStat(const std::string& stat, ProcStat* out);

}  // namespace capigitops

#endif  // CAPIGITOPS_METRICS_H_
