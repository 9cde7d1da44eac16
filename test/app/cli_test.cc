// The capi-gitops binary as users and CI run it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "testing/subprocess.h"

namespace capigitops {
namespace {

using testutil::BinaryPath;
using testutil::RunProcess;
using testutil::SourcePath;
using testutil::TempDir;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A copy of sample-repo that a test may break.
struct RepoCopy {
  TempDir dir;
  RepoCopy() {
    std::filesystem::copy(SourcePath("sample-repo"), dir.path(),
                          std::filesystem::copy_options::recursive);
  }
  std::string Path() const { return dir.path(); }
  void Replace(const std::string& file, const std::string& from,
               const std::string& to) {
    std::string text = Read(dir.path() + "/" + file);
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    dir.Write(file, text.replace(at, from.size(), to));
  }
};

TEST(CliTest, ValidateSampleRepoPasses) {
  auto r = RunProcess(
      {BinaryPath("capi-gitops"), "validate", SourcePath("sample-repo")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("5 cluster(s): 5 valid, 0 denied by policy, 0 invalid"),
            std::string::npos)
      << r.out;
}

TEST(CliTest, BrokenSpecGetsFileLineColumnAndExit1) {
  RepoCopy repo;
  repo.Replace("clusters/dev-sandbox.yaml", "replicas: 2", "replicas: two");
  repo.Replace("clusters/inference-us-east1.yaml", "diskGiB: 100",
               "diskGib: 100");
  auto r = RunProcess({BinaryPath("capi-gitops"), "validate", repo.Path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
      r.out.find("clusters/dev-sandbox.yaml:13:15: spec.nodePools[0].replicas: "
                 "expected an integer, got \"two\""),
      std::string::npos)
      << r.out;
  EXPECT_NE(
      r.out.find(
          "clusters/inference-us-east1.yaml:20:5: spec.nodePools[1].diskGib: "
          "unknown field \"diskGib\"; did you mean \"diskGiB\"?"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("3 valid, 0 denied by policy, 2 invalid"),
            std::string::npos);
}

TEST(CliTest, PolicyDenialNamesThePolicy) {
  RepoCopy repo;
  repo.dir.Write("policies/no-vsphere.yaml",
                 R"(apiVersion: capigitops.io/v1alpha1
kind: Policy
metadata: {name: cloud-only}
spec:
  rules:
  - {name: providers, allowedProviders: [gcp, aws, azure, docker], action: enforce}
)");
  auto r = RunProcess(
      {BinaryPath("capi-gitops"), "validate", repo.Path(), "-o", "json"});
  EXPECT_EQ(r.exit_code, 1);
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j["valid"].get<bool>());
  bool found = false;
  for (const auto& c : j["clusters"]) {
    if (c["name"] != "sovereign-onprem") continue;
    EXPECT_TRUE(c["denied"].get<bool>());
    for (const auto& v : c["verdicts"]) {
      if (v["policy"] == "cloud-only" && v["rule"] == "providers") {
        found = true;
        EXPECT_EQ(v["action"], "deny");
        EXPECT_EQ(v["field"], "spec.provider");
        EXPECT_EQ(v["value"], "vsphere");
      }
    }
  }
  EXPECT_TRUE(found) << r.out;
}

TEST(CliTest, RenderIsDeterministicAndOutDirWritesOneFilePerCluster) {
  auto a = RunProcess(
      {BinaryPath("capi-gitops"), "render", SourcePath("sample-repo")});
  auto b = RunProcess(
      {BinaryPath("capi-gitops"), "render", SourcePath("sample-repo")});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  TempDir out;
  auto c = RunProcess({BinaryPath("capi-gitops"), "render",
                       SourcePath("sample-repo"), "--out-dir", out.path()});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  std::string gcp = Read(out.path() + "/llm-train-us-central1.yaml");
  EXPECT_NE(gcp.find("kind: GCPMachineTemplate"), std::string::npos);
  EXPECT_NE(gcp.find("acceleratorTypes/nvidia-tesla-v100"), std::string::npos);
  auto one = RunProcess({BinaryPath("capi-gitops"), "render",
                         SourcePath("sample-repo"), "--cluster", "dev-sandbox",
                         "-o", "json"});
  ASSERT_EQ(one.exit_code, 0);
  nlohmann::json list = nlohmann::json::parse(one.out);
  EXPECT_EQ(list["kind"], "List");
  for (const auto& item : list["items"]) {
    EXPECT_EQ(item["metadata"]["labels"]["capigitops.io/cluster"],
              "dev-sandbox");
  }
}

TEST(CliTest, UsageErrorsAndHelp) {
  auto r = RunProcess({BinaryPath("capi-gitops"), "valdate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean 'validate'?"), std::string::npos);
  r = RunProcess({BinaryPath("capi-gitops"), "render", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--out-dir"), std::string::npos);
  EXPECT_NE(r.out.find("Exit codes"), std::string::npos);
  r = RunProcess({BinaryPath("capi-gitops"), "validate", "/nonexistent/repo"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("/nonexistent/repo does not exist"), std::string::npos);
  // An invalid branch is a usage error, before any repository is read.
  r = RunProcess({BinaryPath("capi-gitops"), "reconcile", "--repo",
                  "/nonexistent/repo", "--branch", "bad..name"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("not a valid Git branch name"), std::string::npos);
  r = RunProcess({BinaryPath("capi-gitops"), "--version"});
  EXPECT_EQ(r.exit_code, 0);
}

}  // namespace
}  // namespace capigitops
