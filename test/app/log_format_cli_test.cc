// --log-format json is honoured by every command (issue #14): what a
// command writes to stderr is then JSON lines only, each with time, level,
// msg and the command, so a log collector never meets a plain line.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "testing/subprocess.h"

namespace capigitops {
namespace {

using nlohmann::json;
using testutil::BinaryPath;
using testutil::RunProcess;
using testutil::SourcePath;

testutil::RunResult LogCapi(
    std::vector<std::string> args,
    const std::vector<std::pair<std::string, std::string>>& env = {}) {
  args.insert(args.begin(), BinaryPath("capi-gitops"));
  return RunProcess(args, env);
}

// Parses every line of `err` (failing the test on one that is not a JSON
// object with the standard keys); returns them.
std::vector<json> StderrJsonLines(const std::string& err,
                                  const std::string& cmd) {
  std::vector<json> out;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    json j = json::parse(line, nullptr, false);
    EXPECT_TRUE(j.is_object()) << cmd << ": not a JSON line: " << line;
    if (!j.is_object()) continue;
    EXPECT_TRUE(j["time"].is_string()) << line;
    EXPECT_TRUE(j["level"].is_string()) << line;
    EXPECT_TRUE(j["msg"].is_string()) << line;
    EXPECT_EQ(j.value("command", ""), cmd) << line;
    out.push_back(j);
  }
  return out;
}

TEST(LogFormatCli, EveryCommandWritesOnlyJsonLinesToStderr) {
  testing::TempDir repo;
  std::filesystem::copy(SourcePath("sample-repo"), repo.path(),
                        std::filesystem::copy_options::recursive);
  std::string missing = repo.path() + "/does-not-exist";
  std::string kubeconfig = repo.Write("kubeconfig", "not: a kubeconfig\n");
  struct Case {
    std::vector<std::string> args;
    int exit_code;
  };
  for (const Case& c : std::vector<Case>{
           {{"validate", missing}, 3},
           {{"render", missing}, 3},
           {{"plan", repo.path(), "--kubeconfig", kubeconfig}, 4},
           {{"apply", repo.path(), "--dryrun"}, 2},
           {{"get", "nope", repo.path()}, 1},
           {{"extend", "dev-sandbox", "soon", repo.path()}, 2},
           {{"kubeconfig", "dev-sandbox", "--kubeconfig", kubeconfig}, 4},
           {{"reconcile"}, 2},
           {{"ttl"}, 2},
           {{"run"}, 2},
           {{"completion", "tcsh"}, 2},
       }) {
    std::vector<std::string> args = c.args;
    args.insert(args.end(), {"--log-format", "json"});
    auto r = LogCapi(args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args[0] << ": " << r.err;
    std::vector<json> lines = StderrJsonLines(r.err, c.args[0]);
    ASSERT_FALSE(lines.empty()) << c.args[0] << " wrote nothing to stderr";
    bool error = false;
    for (const json& j : lines) error = error || j["level"] == "error";
    EXPECT_TRUE(error) << c.args[0] << ": " << r.err;
  }
}

TEST(LogFormatCli, LogFormatComesFromTheEnvironmentAndIsChecked) {
  auto r = LogCapi({"validate", "/nonexistent/repo"}, {{"LOG_FORMAT", "json"}});
  EXPECT_EQ(r.exit_code, 3);
  std::vector<json> lines = StderrJsonLines(r.err, "validate");
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_NE(lines[0]["msg"].get<std::string>().find("/nonexistent/repo"),
            std::string::npos);
  // The flag wins over the environment.
  r = LogCapi({"validate", "/nonexistent/repo", "--log-format", "text"},
              {{"LOG_FORMAT", "json"}});
  EXPECT_EQ(r.err.rfind("capi-gitops: ", 0), 0u) << r.err;
  r = LogCapi({"validate", ".", "--log-format", "xml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--log-format must be text or json"), std::string::npos)
      << r.err;
  // A flag error is JSON too when JSON was asked for.
  r = LogCapi({"validate", "--log-format=json", "--outptu", "json"});
  EXPECT_EQ(r.exit_code, 2);
  lines = StderrJsonLines(r.err, "validate");
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines[0]["msg"].get<std::string>().find("did you mean --output?"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace capigitops
