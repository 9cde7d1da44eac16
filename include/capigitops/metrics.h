// A small Prometheus metrics registry: counters, gauges and histograms with
// labels, rendered in the text exposition format (version 0.0.4) that
// Prometheus scrapes from /metrics. Thread-safe.
#ifndef CAPIGITOPS_METRICS_H_
#define CAPIGITOPS_METRICS_H_

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

  // The whole registry in the text exposition format.
  std::string Render() const;

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
};

}  // namespace capigitops

#endif  // CAPIGITOPS_METRICS_H_
