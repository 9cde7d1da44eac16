#include "capigitops/metrics.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
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

std::string ReadProcFile(const char* path) {
  std::ifstream in(path);  // /proc files report size 0: read to the end
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// btime of /proc/stat: the boot time, Unix seconds.
double BootTime() {
  std::istringstream in(ReadProcFile("/proc/stat"));
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double t = 0;
      in >> t;
      return t;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

// The soft "Max open files" of /proc/self/limits; 0 when unknown.
double MaxOpenFiles() {
  std::istringstream in(ReadProcFile("/proc/self/limits"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream fields(line.substr(14));
    std::string soft;
    fields >> soft;
    double v = 0;
    auto [p, ec] = std::from_chars(soft.data(), soft.data() + soft.size(), v);
    return ec == std::errc() ? v : 0;
  }
  return 0;
}

double OpenFds() {
  std::error_code ec;
  double n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end;
       !ec && it != end; it.increment(ec)) {
    ++n;
  }
  return n > 0 ? n - 1 : 0;  // the iterator's own descriptor
}

void CollectProcess(MetricsRegistry& m) {
  ProcStat st;
  if (!ParseProcStat(ReadProcFile("/proc/self/stat"), &st)) return;
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  static const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  static const double start = BootTime() + st.start_ticks / ticks;
  double cpu = (st.utime_ticks + st.stime_ticks) / ticks;
  // A counter only moves forward: add what was used since the last scrape.
  double seen = m.Value("process_cpu_seconds_total");
  if (cpu > seen) m.Add("process_cpu_seconds_total", {}, cpu - seen);
  m.Set("process_resident_memory_bytes", st.rss_pages * page);
  m.Set("process_virtual_memory_bytes", st.vsize_bytes);
  m.Set("process_start_time_seconds", start);
  m.Set("process_open_fds", OpenFds());
  m.Set("process_max_fds", MaxOpenFiles());
}

}  // namespace

bool ParseProcStat(const std::string& stat, ProcStat* out) {
  // The command name (field 2) is in parentheses and may hold spaces and
  // parentheses itself: the fields start after the last ')'.
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream in(stat.substr(close + 1));
  std::vector<std::string> fields;  // fields[0] is field 3 (state)
  for (std::string f; in >> f;) fields.push_back(f);
  if (fields.size() < 22) return false;
  auto field = [&](int n, double* v) {
    const std::string& f = fields[n - 3];
    auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), *v);
    return ec == std::errc() && p == f.data() + f.size();
  };
  return field(14, &out->utime_ticks) && field(15, &out->stime_ticks) &&
         field(22, &out->start_ticks) && field(23, &out->vsize_bytes) &&
         field(24, &out->rss_pages);
}

void DeclareBuildInfo(MetricsRegistry* m, const std::string& version,
                      const std::string& commit) {
  m->DeclareGauge("capigitops_build_info",
                  "1, labelled with the version and Git commit running.");
  m->Set("capigitops_build_info", {{"version", version}, {"commit", commit}},
         1);
}

void DeclareProcessMetrics(MetricsRegistry* m) {
  m->DeclareGauge("process_resident_memory_bytes",
                  "Resident memory size in bytes.");
  m->DeclareGauge("process_virtual_memory_bytes",
                  "Virtual memory size in bytes.");
  m->DeclareCounter("process_cpu_seconds_total",
                    "Total user and system CPU time spent in seconds.");
  m->DeclareGauge("process_open_fds", "Number of open file descriptors.");
  m->DeclareGauge("process_max_fds",
                  "Maximum number of open file descriptors.");
  m->DeclareGauge("process_start_time_seconds",
                  "Start time of the process since the Unix epoch in seconds.");
  m->AddCollector(CollectProcess);
}

void MetricsRegistry::AddCollector(
    std::function<void(MetricsRegistry&)> collect) {
  std::lock_guard<std::mutex> lock(collect_mu_);
  collectors_.push_back(std::move(collect));
}

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

std::string MetricsRegistry::Render() {
  {
    std::lock_guard<std::mutex> collecting(collect_mu_);
    for (const auto& collect : collectors_) collect(*this);
  }
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
