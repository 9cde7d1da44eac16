#include "capigitops/metrics.h"

#include <charconv>
#include <cmath>
#include <sstream>

namespace capigitops {
namespace {

// Label values escape backslash, double quote and newline (exposition
// format); HELP text escapes backslash and newline.
std::string Escape(const std::string& s, bool quote) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "0";
}

std::string LabelText(const MetricLabels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ",";
    out += labels[i].first + "=\"" + Escape(labels[i].second, true) + "\"";
  }
  return out + "}";
}

}  // namespace

void MetricsRegistry::DeclareCounter(const std::string& name,
                                     const std::string& help) {
  std::lock_guard<std::mutex> lock(mu_);
  families_[name] = Family{Type::kCounter, help, {}, {}};
}

void MetricsRegistry::DeclareGauge(const std::string& name,
                                   const std::string& help) {
  std::lock_guard<std::mutex> lock(mu_);
  families_[name] = Family{Type::kGauge, help, {}, {}};
}

void MetricsRegistry::DeclareHistogram(const std::string& name,
                                       const std::string& help,
                                       std::vector<double> buckets) {
  std::lock_guard<std::mutex> lock(mu_);
  families_[name] = Family{Type::kHistogram, help, std::move(buckets), {}};
}

void MetricsRegistry::Add(const std::string& name, const MetricLabels& labels,
                          double delta) {
  std::lock_guard<std::mutex> lock(mu_);
  auto f = families_.find(name);
  if (f == families_.end() || f->second.type == Type::kHistogram) return;
  f->second.series[labels].value += delta;
}

void MetricsRegistry::Set(const std::string& name, const MetricLabels& labels,
                          double value) {
  std::lock_guard<std::mutex> lock(mu_);
  auto f = families_.find(name);
  if (f == families_.end() || f->second.type != Type::kGauge) return;
  f->second.series[labels].value = value;
}

void MetricsRegistry::ClearGauge(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto f = families_.find(name);
  if (f != families_.end() && f->second.type == Type::kGauge) {
    f->second.series.clear();
  }
}

void MetricsRegistry::Observe(const std::string& name,
                              const MetricLabels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  auto f = families_.find(name);
  if (f == families_.end() || f->second.type != Type::kHistogram) return;
  Series& s = f->second.series[labels];
  s.bucket_counts.resize(f->second.buckets.size());
  for (size_t i = 0; i < f->second.buckets.size(); ++i) {
    if (value <= f->second.buckets[i]) s.bucket_counts[i] += 1;
  }
  s.sum += value;
  s.count += 1;
}

double MetricsRegistry::Value(const std::string& name,
                              const MetricLabels& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto f = families_.find(name);
  if (f == families_.end()) return 0;
  auto s = f->second.series.find(labels);
  if (s == f->second.series.end()) return 0;
  return f->second.type == Type::kHistogram ? s->second.count : s->second.value;
}

std::string MetricsRegistry::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::ostringstream out;
  for (const auto& [name, f] : families_) {
    const char* type = f.type == Type::kCounter ? "counter"
                       : f.type == Type::kGauge ? "gauge"
                                                : "histogram";
    out << "# HELP " << name << " " << Escape(f.help, false) << "\n"
        << "# TYPE " << name << " " << type << "\n";
    // A counter without labels is shown as 0 before its first increment, so
    // rate() works from the first scrape.
    if (f.series.empty() && f.type == Type::kCounter) {
      out << name << " 0\n";
    }
    for (const auto& [labels, s] : f.series) {
      if (f.type != Type::kHistogram) {
        out << name << LabelText(labels) << " " << FormatValue(s.value) << "\n";
        continue;
      }
      for (size_t i = 0; i <= f.buckets.size(); ++i) {
        MetricLabels with_le = labels;
        bool inf = i == f.buckets.size();
        with_le.emplace_back("le", inf ? "+Inf" : FormatValue(f.buckets[i]));
        double n = inf ? s.count : s.bucket_counts[i];
        out << name << "_bucket" << LabelText(with_le) << " " << FormatValue(n)
            << "\n";
      }
      out << name << "_sum" << LabelText(labels) << " " << FormatValue(s.sum)
          << "\n"
          << name << "_count" << LabelText(labels) << " "
          << FormatValue(s.count) << "\n";
    }
  }
  return out.str();
}

}  // namespace capigitops
