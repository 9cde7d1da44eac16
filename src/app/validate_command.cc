// capi-gitops validate [REPO_DIR] [-o text|json]
#include "app/cli.h"
#include "app/load.h"
#include "app/report.h"
#include "capigitops/json.h"

namespace capigitops {

void AddValidateOptions(FlagSet* options) {
  options->add_options()("o,output", "text or json",
                         flags::value<std::string>()->default_value("text"));
  AddPoliciesFromRefOption(options);
  AddRepoDirArgument(options);
}

int RunValidate(const Args& args, const CommandIo& io) {
  std::string format = args["output"].as<std::string>();
  if (format != "text" && format != "json") {
    *io.err << "capi-gitops validate: -o must be text or json\n";
    return kExitUsage;
  }
  Loaded loaded;
  SyncOptions unused;
  int code = kExitOk;
  if (!LoadForStage(args, io, &unused, &loaded, &code)) return code;
  const Evaluation& ev = loaded.ev;
  if (format == "json") {
    nlohmann::json out = {{"valid", !ev.has_errors},
                          {"diagnostics", nlohmann::json::array()},
                          {"clusters", nlohmann::json::array()},
                          {"invalid", ev.repo.broken}};
    for (const Diagnostic& d : ev.repo.diags) {
      out["diagnostics"].push_back(DiagnosticJson(d));
    }
    for (const ClusterResult& c : ev.clusters) {
      nlohmann::json verdicts = nlohmann::json::array();
      for (const Verdict& v : c.verdicts) verdicts.push_back(VerdictToJson(v));
      out["clusters"].push_back({{"name", c.request.name},
                                 {"file", c.request.file},
                                 {"provider", ProviderName(c.request.provider)},
                                 {"owner", c.request.owner},
                                 {"denied", c.denied},
                                 {"gpusMax", c.request.TotalAccelerators(true)},
                                 {"verdicts", verdicts},
                                 {"cost", CostToJson(c.cost)}});
    }
    *io.out << yaml::DumpJson(out, 2) << "\n";
  } else {
    PrintDiagnostics(ev, *io.out);
    if (!ev.repo.diags.empty()) *io.out << "\n";
    PrintClusterSummary(ev, *io.out);
    size_t denied = 0;
    for (const ClusterResult& c : ev.clusters) denied += c.denied ? 1 : 0;
    *io.out << "\n"
            << ev.clusters.size() + ev.repo.broken.size()
            << " cluster(s): " << ev.clusters.size() - denied << " valid, "
            << denied << " denied by policy, " << ev.repo.broken.size()
            << " invalid\n";
  }
  return ev.has_errors ? kExitInvalid : kExitOk;
}

}  // namespace capigitops
