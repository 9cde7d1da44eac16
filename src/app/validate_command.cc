// capi-gitops validate [REPO_DIR] [-o text|json|github|sarif]
#include "app/ci_output.h"
#include "app/cli.h"
#include "app/load.h"
#include "app/report.h"
#include "capigitops/json.h"

namespace capigitops {

void AddValidateOptions(FlagSet* options) {
  options->add_options()("o,output",
                         "text, json, github (workflow annotations) or sarif",
                         flags::value<std::string>()->default_value("text"));
  AddPoliciesFromRefOption(options);
  AddRepoDirArgument(options);
  AddClusterSelection(options);
  options->examples(
      "capi-gitops validate\n"
      "capi-gitops validate ./cluster-repo -o json\n"
      "capi-gitops validate clusters/llm-train-us-central1.yaml\n"
      "capi-gitops validate --cluster dev-sandbox,llm-train-us-central1\n"
      "capi-gitops validate -l 'team=ml,env notin (prod)'\n"
      "capi-gitops validate . -o github --policies-from-ref origin/main\n"
      "capi-gitops validate . -o sarif > capi-gitops.sarif");
}

int RunValidate(const Args& args, const CommandIo& io) {
  std::string format = args["output"].as<std::string>();
  if (format != "text" && format != "json" && format != "github" &&
      format != "sarif") {
    *io.err << "capi-gitops validate: -o must be text, json, github or sarif\n";
    return kExitUsage;
  }
  Loaded loaded;
  SyncOptions unused;
  int code = kExitOk;
  if (!LoadForStage(args, io, &unused, &loaded, &code)) return code;
  const Evaluation& ev = loaded.ev;
  if (format == "github" || format == "sarif") {
    std::string dir = loaded.repo_dir;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    std::string prefix = dir == "." ? "" : dir + "/";
    if (prefix.rfind("./", 0) == 0) prefix = prefix.substr(2);
    std::vector<Finding> findings = CollectFindings(ev);
    if (format == "github") {
      PrintGithubAnnotations(findings, prefix, *io.out);
    } else {
      *io.out << yaml::DumpJson(SarifLog(findings, prefix), 2) << "\n";
    }
  } else if (format == "json") {
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
