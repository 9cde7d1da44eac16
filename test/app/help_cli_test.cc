// Every command's --help (issue #14): examples, typed placeholders instead of
// cxxopts' "arg", no `(default: "")`; and flag typos get a did-you-mean.
#include <gtest/gtest.h>

#include <regex>

#include "testing/subprocess.h"

namespace capigitops {
namespace {

using testutil::BinaryPath;
using testutil::RunProcess;

testutil::RunResult HelpCapi(std::vector<std::string> args) {
  args.insert(args.begin(), BinaryPath("capi-gitops"));
  return RunProcess(args);
}

TEST(HelpCli, EveryCommandHasExamplesAndTypedPlaceholders) {
  // Every command `capi-gitops --help` lists.
  auto usage = HelpCapi({"--help"});
  ASSERT_EQ(usage.exit_code, 0);
  std::string list = usage.out.substr(usage.out.find("Commands:\n"));
  std::regex row(R"(\n  ([a-z]+) +)");
  std::vector<std::string> commands;
  for (std::sregex_iterator it(list.begin(), list.end(), row), end; it != end;
       ++it) {
    commands.push_back((*it)[1]);
  }
  ASSERT_GE(commands.size(), 12u) << usage.out;
  for (const std::string& cmd : commands) {
    auto r = HelpCapi({cmd, "--help"});
    ASSERT_EQ(r.exit_code, 0) << cmd << r.err;
    size_t examples = r.out.find("\nExamples:\n  ");
    ASSERT_NE(examples, std::string::npos) << cmd << ":\n" << r.out;
    EXPECT_NE(r.out.find("capi-gitops " + cmd, examples), std::string::npos)
        << cmd << ":\n"
        << r.out;
    EXPECT_EQ(r.out.find(" arg "), std::string::npos) << cmd << ":\n" << r.out;
    EXPECT_EQ(r.out.find("(default: \"\")"), std::string::npos) << cmd << ":\n"
                                                                << r.out;
    EXPECT_NE(r.out.find("--log-format text|json"), std::string::npos) << cmd;
  }
}

TEST(HelpCli, PlaceholdersSayWhatAValueIs) {
  std::string plan = HelpCapi({"plan", "--help"}).out;
  for (const char* want :
       {"--kubeconfig PATH", "--now TIME", "--request-timeout DURATION",
        "--cluster NAME", "-l, --selector SELECTOR", "-o, --output FORMAT",
        "[REPO_DIR | SPEC_FILE]"}) {
    EXPECT_NE(plan.find(want), std::string::npos) << want << "\n" << plan;
  }
  std::string run = HelpCapi({"run", "--help"}).out;
  for (const char* want :
       {"--interval DURATION", "--repo URL|PATH", "--shard I/N",
        "--metrics-addr ADDR", "--jitter FRACTION"}) {
    EXPECT_NE(run.find(want), std::string::npos) << want << "\n" << run;
  }
}

TEST(HelpCli, FlagTyposSuggestTheFlag) {
  auto r = HelpCapi({"apply", ".", "--dryrun"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("capi-gitops apply: unknown flag --dryrun, did you "
                       "mean --dry-run?"),
            std::string::npos)
      << r.err;
  r = HelpCapi({"validate", "--outptu", "json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean --output?"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace capigitops
