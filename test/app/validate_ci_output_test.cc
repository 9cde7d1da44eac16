// validate -o github and -o sarif: the formats GitHub reads (issue #14).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "testing/subprocess.h"

namespace capigitops {
namespace {

using testutil::BinaryPath;
using testutil::RunProcess;
using testutil::SourcePath;
using testutil::TempDir;

// sample-repo with a broken spec (a load error) and a denied one.
struct BrokenRepo {
  TempDir dir;
  BrokenRepo() {
    std::filesystem::copy(SourcePath("sample-repo"), dir.path(),
                          std::filesystem::copy_options::recursive);
    Edit("clusters/dev-sandbox.yaml", "replicas: 2", "replicas: two");
    Edit("clusters/llm-train-us-central1.yaml", "ttl: 4h", "ttl: 30d");
  }
  void Edit(const std::string& file, const std::string& from,
            const std::string& to) {
    std::ifstream in(dir.path() + "/" + file);
    std::stringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos);
    dir.Write(file, text.replace(at, from.size(), to));
  }
};

TEST(ValidateCiOutput, GithubAnnotationsPointAtFileLineAndColumn) {
  BrokenRepo repo;
  auto r = RunProcess(
      {BinaryPath("capi-gitops"), "validate", repo.dir.path(), "-o", "github"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::string prefix = repo.dir.path() + "/";
  // Every line is one workflow command.
  std::regex command(
      R"(::(error|warning) file=[^,:]+,line=\d+,col=\d+,title=capi-gitops [^:]+::.+)");
  std::istringstream lines(r.out);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    EXPECT_TRUE(std::regex_match(line, command)) << line;
  }
  EXPECT_GE(n, 2);
  EXPECT_NE(r.out.find("::error file=" + prefix +
                       "clusters/dev-sandbox.yaml,line=13,col=15,title="
                       "capi-gitops load::spec.nodePools[0].replicas: "
                       "expected an integer"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("file=" + prefix +
                       "clusters/llm-train-us-central1.yaml,line=23,col=8,"
                       "title=capi-gitops policy/ml-guardrails/"
                       "max-lifetime::deny: "),
            std::string::npos)
      << r.out;
  // The sample repository is valid: its one warning stays a warning.
  auto clean = RunProcess({BinaryPath("capi-gitops"), "validate",
                           SourcePath("sample-repo"), "-o", "github"});
  EXPECT_EQ(clean.exit_code, 0);
  EXPECT_EQ(clean.out.find("::error"), std::string::npos) << clean.out;
  EXPECT_NE(clean.out.find("::warning file="), std::string::npos) << clean.out;
}

TEST(ValidateCiOutput, SarifHasTheRequiredFieldsAndStableRuleIds) {
  BrokenRepo repo;
  auto r = RunProcess(
      {BinaryPath("capi-gitops"), "validate", repo.dir.path(), "-o", "sarif"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  nlohmann::json log = nlohmann::json::parse(r.out);
  EXPECT_EQ(log["version"], "2.1.0");
  EXPECT_TRUE(log["$schema"].is_string());
  ASSERT_EQ(log["runs"].size(), 1u);
  const nlohmann::json& run = log["runs"][0];
  const nlohmann::json& driver = run["tool"]["driver"];
  EXPECT_EQ(driver["name"], "capi-gitops");
  std::vector<std::string> rule_ids;
  for (const auto& rule : driver["rules"]) {
    ASSERT_TRUE(rule["id"].is_string());
    ASSERT_TRUE(rule["shortDescription"]["text"].is_string());
    rule_ids.push_back(rule["id"]);
  }
  EXPECT_NE(std::find(rule_ids.begin(), rule_ids.end(), "load"),
            rule_ids.end());
  EXPECT_NE(std::find(rule_ids.begin(), rule_ids.end(),
                      "policy/ml-guardrails/max-lifetime"),
            rule_ids.end());
  ASSERT_GE(run["results"].size(), 2u);
  for (const auto& res : run["results"]) {
    ASSERT_TRUE(res["message"]["text"].is_string());
    std::string level = res["level"];
    EXPECT_TRUE(level == "error" || level == "warning") << level;
    // ruleIndex points at the rule of the same id.
    EXPECT_EQ(driver["rules"][res["ruleIndex"].get<size_t>()]["id"],
              res["ruleId"]);
    const auto& loc = res["locations"][0]["physicalLocation"];
    std::string uri = loc["artifactLocation"]["uri"];
    EXPECT_EQ(uri.rfind(repo.dir.path() + "/clusters/", 0), 0u) << uri;
    EXPECT_GE(loc["region"]["startLine"].get<int>(), 1);
  }
  EXPECT_EQ(RunProcess({BinaryPath("capi-gitops"), "validate", repo.dir.path(),
                        "-o", "xml"})
                .exit_code,
            2);
}

}  // namespace
}  // namespace capigitops
