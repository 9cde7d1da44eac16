#include "app/report.h"

#include <iomanip>

namespace capigitops {

void PrintDiagnostics(const Evaluation& ev, std::ostream& out) {
  for (const Diagnostic& d : ev.repo.diags) out << d.ToString() << "\n";
  for (const ClusterResult& c : ev.clusters) {
    for (const Verdict& v : c.verdicts) out << v.ToString() << "\n";
    if (!c.render_error.empty()) {
      out << c.request.file << ": " << c.render_error << "\n";
    }
  }
}

void PrintClusterSummary(const Evaluation& ev, std::ostream& out) {
  for (const ClusterResult& c : ev.clusters) {
    const ClusterRequest& r = c.request;
    std::string state = c.denied                  ? "DENIED"
                        : !c.render_error.empty() ? "ERROR"
                                                  : "ok";
    out << std::left << std::setw(28) << r.name << std::setw(10)
        << ProviderName(r.provider) << std::setw(8) << state;
    int gpus = r.TotalAccelerators(true);
    if (gpus > 0) out << gpus << " GPUs max, ";
    out << FormatCostSummary(c.cost) << ", ttl "
        << (r.ttl.text.empty() ? "none" : r.ttl.text) << "\n";
  }
  for (const std::string& name : ev.repo.broken) {
    out << std::left << std::setw(28) << name << std::setw(10) << "?"
        << "INVALID (left untouched live)\n";
  }
}

nlohmann::json DiagnosticJson(const Diagnostic& d) {
  return {{"file", d.file},
          {"line", d.line},
          {"column", d.column},
          {"field", d.field},
          {"message", d.message},
          {"severity", d.severity == Severity::kError ? "error" : "warning"}};
}

}  // namespace capigitops
