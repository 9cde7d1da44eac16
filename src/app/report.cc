#include "app/report.h"

#include <ctime>
#include <iomanip>
#include <sstream>

#include "app/builtin_policies.h"

namespace capigitops {

void AddRepoDirArgument(cxxopts::Options* options) {
  options->add_options()("repo-dir", "repository directory (default: .)",
                         cxxopts::value<std::string>()->default_value("."));
  options->parse_positional({"repo-dir"});
  options->positional_help("[REPO_DIR]");
}

bool LoadAndEvaluate(const cxxopts::ParseResult& args, const CommandIo& io,
                     const EvaluateOptions& options, Evaluation* ev,
                     int* exit_code) {
  std::string dir = args["repo-dir"].as<std::string>();
  StatusOr<FileSet> files = ReadRepoDirectory(dir);
  if (!files.ok()) {
    *io.err << "capi-gitops: " << files.status().message() << "\n";
    *exit_code = kExitSourceError;
    return false;
  }
  EvaluateOptions opts = options;
  if (opts.now == 0) opts.now = static_cast<int64_t>(std::time(nullptr));
  *ev = Evaluate(*files, BuiltinPolicyFiles(), opts);
  return true;
}

void PrintDiagnostics(const Evaluation& ev, std::ostream& out) {
  for (const Diagnostic& d : ev.repo.diags) out << d.ToString() << "\n";
  for (const ClusterResult& c : ev.clusters) {
    for (const Verdict& v : c.verdicts) out << v.ToString() << "\n";
    if (!c.render_error.empty()) {
      out << c.request.file << ": " << c.render_error << "\n";
    }
  }
}

std::string CostText(const CostEstimate& cost) {
  if (!cost.known) return "cost unknown";
  std::string out = FormatMoney(cost.hourly_min);
  if (cost.hourly_max != cost.hourly_min)
    out += "-" + FormatMoney(cost.hourly_max);
  out += "/h";
  if (cost.total_max) {
    out += ", up to " + FormatMoney(*cost.total_max) + " over the TTL";
  }
  return out;
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
    out << CostText(c.cost) << ", ttl "
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

nlohmann::json VerdictJson(const Verdict& v) {
  return {{"policy", v.policy},   {"rule", v.rule},
          {"field", v.field},     {"value", v.value},
          {"message", v.message}, {"action", v.enforce ? "deny" : "warn"},
          {"file", v.file},       {"line", v.line},
          {"column", v.column}};
}

nlohmann::json CostJson(const CostEstimate& cost) {
  nlohmann::json j = {{"known", cost.known},
                      {"hourlyMin", cost.hourly_min},
                      {"hourlyMax", cost.hourly_max},
                      {"missing", cost.missing}};
  if (cost.total_min) j["totalMin"] = *cost.total_min;
  if (cost.total_max) j["totalMax"] = *cost.total_max;
  return j;
}

}  // namespace capigitops
