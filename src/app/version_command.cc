// capi-gitops version [-o text|json]: the version, Git commit and build date
// baked in when CMake configured (app/build_info.h).
#include "app/build_info.h"
#include "app/cli.h"
#include "capigitops/json.h"

namespace capigitops {

void AddVersionOptions(FlagSet* options) {
  options->add_options()("o,output", "text or json",
                         flags::value<std::string>()->default_value("text"));
  options->examples("capi-gitops version\ncapi-gitops version -o json");
}

int RunVersion(const Args& args, const CommandIo& io) {
  std::string format = args["output"].as<std::string>();
  const BuildInfo& info = GetBuildInfo();
  if (format == "json") {
    nlohmann::json out = {{"version", info.version},
                          {"commit", info.commit},
                          {"buildDate", info.date}};
    *io.out << yaml::DumpJson(out, 2) << "\n";
    return kExitOk;
  }
  if (format != "text") {
    *io.err << "capi-gitops version: -o must be text or json\n";
    return kExitUsage;
  }
  *io.out << "capi-gitops " << info.version << " (commit " << info.commit
          << ", built " << info.date << ")\n";
  return kExitOk;
}

}  // namespace capigitops
