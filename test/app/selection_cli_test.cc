// validate and plan on some clusters only (issue #14): --cluster, -l and a
// single spec file. A plan with a filter never shows or prunes a cluster
// outside it, even one whose spec was removed.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "sandbox/sandbox_process.h"
#include "schema/crd_testing.h"
#include "testing/subprocess.h"

namespace capigitops {
namespace {

using nlohmann::json;
using testutil::BinaryPath;
using testutil::RunProcess;
using testutil::SourcePath;

testutil::RunResult SelCapi(std::vector<std::string> args) {
  args.insert(args.begin(), BinaryPath("capi-gitops"));
  return RunProcess(args);
}

// The cluster names of validate's or plan's -o json.
std::set<std::string> SelectedNames(const std::string& out) {
  json j = json::parse(out, nullptr, false);
  std::set<std::string> names;
  if (!j.is_object()) return {"<not json>"};
  for (const json& c : j["clusters"]) names.insert(c.value("name", ""));
  return names;
}

class SelectionTest : public ::testing::Test {
 protected:
  SelectionTest() {
    std::filesystem::copy(SourcePath("sample-repo"), repo_.path(),
                          std::filesystem::copy_options::recursive);
  }
  std::string Repo() const { return repo_.path(); }
  testing::TempDir repo_;
};

TEST_F(SelectionTest, ValidateClusterNamesRepeatedOrCommaSeparated) {
  auto r =
      SelCapi({"validate", Repo(), "-o", "json", "--cluster", "dev-sandbox"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SelectedNames(r.out), (std::set<std::string>{"dev-sandbox"}));
  r = SelCapi({"validate", Repo(), "-o", "json", "--cluster",
               "dev-sandbox,sovereign-onprem", "--cluster",
               "llm-train-us-central1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SelectedNames(r.out),
            (std::set<std::string>{"dev-sandbox", "llm-train-us-central1",
                                   "sovereign-onprem"}));
}

TEST_F(SelectionTest, UnknownClusterIsAnErrorWithDidYouMean) {
  auto r = SelCapi({"validate", Repo(), "--cluster", "dev-sandbx"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no cluster \"dev-sandbx\""), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("did you mean \"dev-sandbox\"?"), std::string::npos)
      << r.err;
}

TEST_F(SelectionTest, LabelSelectorsSelectByTheRequestsLabels) {
  auto r =
      SelCapi({"validate", Repo(), "-o", "json", "-l", "team=ml-research"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      SelectedNames(r.out),
      (std::set<std::string>{"finetune-westeurope", "llm-train-us-central1"}));
  r = SelCapi({"validate", Repo(), "-o", "json", "-l",
               "team notin (ml-research, platform),cost-center"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SelectedNames(r.out),
            (std::set<std::string>{"inference-us-east1", "sovereign-onprem"}));
  // With --cluster, both must hold.
  r = SelCapi({"validate", Repo(), "-o", "json", "-l", "team=ml-research",
               "--cluster", "dev-sandbox,finetune-westeurope"});
  EXPECT_EQ(SelectedNames(r.out),
            (std::set<std::string>{"finetune-westeurope"}));
  // Nothing selected is not an error (as kubectl get -l), but said.
  r = SelCapi({"validate", Repo(), "-o", "json", "-l", "!team"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(SelectedNames(r.out).empty()) << r.out;
  EXPECT_NE(r.err.find("no cluster matches the selection"), std::string::npos);
  r = SelCapi({"validate", Repo(), "-l", "team in (a"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("label selector"), std::string::npos) << r.err;
}

TEST_F(SelectionTest, OneSpecFileLoadsTheRepositoryAroundIt) {
  // A broken spec elsewhere fails the whole repository, not the one file.
  repo_.Write("clusters/broken.yaml",
              "apiVersion: capigitops.io/v1alpha1\nkind: ClusterRequest\n"
              "metadata: {name: broken}\nspec: {owner: x, provider: nope}\n");
  EXPECT_EQ(SelCapi({"validate", Repo()}).exit_code, 1);
  auto r = SelCapi(
      {"validate", Repo() + "/clusters/dev-sandbox.yaml", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SelectedNames(r.out), (std::set<std::string>{"dev-sandbox"}));
  json j = json::parse(r.out);
  EXPECT_TRUE(j["diagnostics"].empty()) << j["diagnostics"];
  // The broken file itself: its errors, and exit 1.
  r = SelCapi({"validate", Repo() + "/clusters/broken.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("clusters/broken.yaml"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("dev-sandbox"), std::string::npos) << r.out;
  // -o github paths stay relative to the repository's directory.
  r = SelCapi({"validate", Repo() + "/clusters/broken.yaml", "-o", "github"});
  EXPECT_NE(r.out.find("file=" + Repo() + "/clusters/broken.yaml"),
            std::string::npos)
      << r.out;
  // Not a cluster spec, or no capi-gitops.yaml above the file.
  r = SelCapi(
      {"validate", Repo() + "/policies/" +
                       std::filesystem::directory_iterator(Repo() + "/policies")
                           ->path()
                           .filename()
                           .string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is not a cluster spec"), std::string::npos) << r.err;
  testing::TempDir bare;
  bare.Write("a.yaml", "kind: ClusterRequest\n");
  r = SelCapi({"validate", bare.path() + "/a.yaml"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("no capi-gitops.yaml in any directory above"),
            std::string::npos)
      << r.err;
}

class PlanSelectionTest : public SelectionTest {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_CRDS();
    std::string error;
    sandbox_ = sandbox_test::SandboxProcess::StartWithCrds(&error);
    ASSERT_NE(sandbox_, nullptr) << error;
  }
  testutil::RunResult Cli(std::vector<std::string> args) {
    args.push_back("--kubeconfig");
    args.push_back(sandbox_->kubeconfig());
    return SelCapi(args);
  }
  std::unique_ptr<sandbox_test::SandboxProcess> sandbox_;
};

TEST_F(PlanSelectionTest, NeverShowsOrPrunesClustersOutsideTheFilter) {
  ASSERT_EQ(Cli({"apply", Repo()}).exit_code, 0);
  std::filesystem::remove(Repo() + "/clusters/dev-sandbox.yaml");
  auto all = Cli({"plan", Repo(), "-o", "json", "--detailed-exitcode"});
  EXPECT_EQ(all.exit_code, 10) << all.err;
  EXPECT_TRUE(SelectedNames(all.out).count("dev-sandbox")) << all.out;

  // dev-sandbox's deletion is outside each of these filters.
  for (std::vector<std::string> filter :
       {std::vector<std::string>{"--cluster", "llm-train-us-central1"},
        {"-l", "team=ml-research"},
        {Repo() + "/clusters/finetune-westeurope.yaml"}}) {
    std::vector<std::string> args = {"plan", "-o", "json",
                                     "--detailed-exitcode"};
    if (filter.size() == 2) args.push_back(Repo());
    args.insert(args.end(), filter.begin(), filter.end());
    auto r = Cli(args);
    EXPECT_EQ(r.exit_code, 0) << filter[0] << ": nothing changes in it\n"
                              << r.out << r.err;
    std::set<std::string> names = SelectedNames(r.out);
    EXPECT_FALSE(names.empty());
    EXPECT_FALSE(names.count("dev-sandbox")) << filter[0];
    EXPECT_EQ(r.out.find("\"action\": \"delete\""), std::string::npos) << r.out;
    EXPECT_EQ(json::parse(r.out)["summary"]["delete"], 0) << r.out;
    EXPECT_NE(r.err.find("selected; the others are neither shown nor pruned"),
              std::string::npos)
        << r.err;
  }
  // A live cluster without a spec can be named: its deletion is planned.
  auto r = Cli({"plan", Repo(), "-o", "json", "--cluster", "dev-sandbox"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SelectedNames(r.out), (std::set<std::string>{"dev-sandbox"}));
  EXPECT_NE(r.out.find("\"action\": \"delete\""), std::string::npos) << r.out;
  EXPECT_EQ(json::parse(r.out)["summary"]["delete"], 1) << r.out;
  r = Cli({"plan", Repo(), "--cluster", "llm-train-us-centrl1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("did you mean \"llm-train-us-central1\"?"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace capigitops
