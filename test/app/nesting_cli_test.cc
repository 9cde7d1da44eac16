// Issue #15, item 1: a repository file nested 100,000 levels deep (flow or
// block style, closed or not) is a file:line:column error of that file, as
// any other load error, and never a crash (it was SIGSEGV, exit 139).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sandbox/sandbox_process.h"
#include "schema/crd_testing.h"
#include "testing/deep_text.h"
#include "testing/subprocess.h"

namespace capigitops {
namespace {

using testutil::BinaryPath;
using testutil::RunProcess;
using testutil::SourcePath;
using testutil::TempDir;

using testutil::kDeep;
using testutil::Repeat;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const char kTooDeep[] =
    "nesting deeper than 64 levels: maps and lists may nest at most 64 deep";

// sample-repo plus a spec, a policy and a price table, each nested deep in
// a different shape on line 5.
struct HostileRepo {
  TempDir dir;
  HostileRepo() {
    std::filesystem::copy(SourcePath("sample-repo"), dir.path(),
                          std::filesystem::copy_options::recursive);
    const std::string head =
        "apiVersion: capigitops.io/v1alpha1\nkind: ClusterRequest\n"
        "metadata:\n  name: hostile\n";
    dir.Write("clusters/hostile.yaml",
              head + "spec: {owner: " + Repeat("[", kDeep) + "\n");
    dir.Write("clusters/hostile-closed.yaml",
              head + "spec: {owner: " + Repeat("{a: ", kDeep) +
                  Repeat("}", kDeep) + "}\n");
    dir.Write("clusters/hostile-block.yaml",
              head + "spec:\n" + Repeat("- ", kDeep) + "x\n");
    dir.Write("policies/hostile.yaml",
              "apiVersion: capigitops.io/v1alpha1\nkind: Policy\n"
              "metadata: {name: hostile}\nspec:\n  rules: " +
                  Repeat("{", kDeep) + "\n");
    dir.Write("policies/prices.yaml",
              "apiVersion: capigitops.io/v1alpha1\nkind: PriceTable\n"
              "metadata: {name: hostile}\ncurrency: USD\nmachineTypes: " +
                  Repeat("[{", kDeep / 2) + "\n");
  }
  std::string Path() const { return dir.path(); }
};

TEST(NestingCliTest, DeepSpecsPolicyAndPricesAreFileErrorsNotCrashes) {
  HostileRepo repo;
  auto r = RunProcess({BinaryPath("capi-gitops"), "validate", repo.Path()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  for (const char* where :
       {"clusters/hostile.yaml:5:77: ", "clusters/hostile-closed.yaml:5:263: ",
        "clusters/hostile-block.yaml:6:127: ", "policies/hostile.yaml:5:72: ",
        "policies/prices.yaml:5:78: "}) {
    EXPECT_NE(r.out.find(where + std::string(kTooDeep)), std::string::npos)
        << where << "\n"
        << r.out;
  }
  // Each bad file blocks only itself: the five sample clusters still load.
  EXPECT_NE(r.out.find("8 cluster(s): 5 valid, 0 denied by policy, 3 invalid"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("llm-train-us-central1       gcp       ok"),
            std::string::npos)
      << r.out;

  auto render = RunProcess({BinaryPath("capi-gitops"), "render", repo.Path()});
  EXPECT_EQ(render.exit_code, 1) << render.err;
  EXPECT_NE(render.err.find("clusters/hostile.yaml:5:77: "), std::string::npos)
      << render.err;
}

TEST(NestingCliTest, DeepRepoConfigIsAFileError) {
  HostileRepo repo;
  std::string config = Read(repo.Path() + "/capi-gitops.yaml");
  repo.dir.Write("capi-gitops.yaml",
                 config + "extra: " + Repeat("[", kDeep) + "\n");
  int line = 1;
  for (char c : config) line += c == '\n' ? 1 : 0;
  auto r = RunProcess({BinaryPath("capi-gitops"), "validate", repo.Path()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("capi-gitops.yaml:" + std::to_string(line) +
                       ":71: " + kTooDeep),
            std::string::npos)
      << r.out;
}

// plan against a management cluster reads the same files through the same
// loader: the hostile ones are errors, the process does not crash.
TEST(NestingCliTest, PlanAgainstASandboxReportsTheDeepFiles) {
  SKIP_WITHOUT_CRDS();
  std::string error;
  auto sandbox = sandbox_test::SandboxProcess::StartWithCrds(&error);
  ASSERT_NE(sandbox, nullptr) << error;
  HostileRepo repo;
  auto r = RunProcess({BinaryPath("capi-gitops"), "plan", repo.Path(),
                       "--kubeconfig", sandbox->kubeconfig()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string all = r.out + r.err;
  EXPECT_NE(all.find("clusters/hostile.yaml:5:77: " + std::string(kTooDeep)),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("llm-train-us-central1"), std::string::npos) << all;
}

}  // namespace
}  // namespace capigitops
