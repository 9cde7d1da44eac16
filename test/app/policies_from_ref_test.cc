// Issue #15, PR path security: `plan` and `validate` of a pull request take
// policies (and capi-gitops.yaml's deletion budget) from the base ref given
// with --policies-from-ref, so a pull request cannot loosen the policies its
// own plan is checked against; one that changes them is called out.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sandbox/sandbox_process.h"
#include "schema/crd_testing.h"
#include "testing/subprocess.h"

namespace capigitops {
namespace {

using testutil::BinaryPath;
using testutil::RunGit;
using testutil::RunProcess;
using testutil::SourcePath;
using testutil::TempDir;

constexpr char kTrain[] = "clusters/llm-train-us-central1.yaml";  // ttl 4h
constexpr char kPolicy[] = "policies/ml-guardrails.yaml";         // maxTTL 14d

std::string ReadWorkFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void EditWorkFile(const std::string& path, const std::string& from,
                  const std::string& to) {
  std::string text = ReadWorkFile(path);
  size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << path;
  std::ofstream(path) << text.replace(at, from.size(), to);
}

// The sample repository as a Git work tree (in a subdirectory, as a
// monorepo would have it) with the base commit; the pull request's change
// (a 30-day TTL that the base policy denies, and the policy loosened to
// allow it) is in the work tree.
class PoliciesFromRefTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() + "/platform");
    std::filesystem::copy(SourcePath("sample-repo"), Repo(),
                          std::filesystem::copy_options::recursive);
    ASSERT_EQ(RunGit({"init", "-q", "-b", "main", dir_.path()}).exit_code, 0);
    ASSERT_EQ(RunGit({"-C", dir_.path(), "add", "-A"}).exit_code, 0);
    ASSERT_EQ(RunGit({"-C", dir_.path(), "commit", "-qm", "base"}).exit_code,
              0);
    EditWorkFile(Repo() + "/" + kTrain, "ttl: 4h", "ttl: 30d");
    EditWorkFile(Repo() + "/" + kPolicy, "maxTTL: 14d", "maxTTL: 60d");
  }

  std::string Repo() const { return dir_.path() + "/platform/clusters-repo"; }

  TempDir dir_;
};

TEST_F(PoliciesFromRefTest, ValidateUsesTheBasePoliciesNotTheLoosenedOnes) {
  auto loose = RunProcess({BinaryPath("capi-gitops"), "validate", Repo()});
  EXPECT_EQ(loose.exit_code, 0) << loose.out << loose.err;
  auto r = RunProcess({BinaryPath("capi-gitops"), "validate", Repo(),
                       "--policies-from-ref", "main"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("max-lifetime"), std::string::npos) << r.out;
}

TEST_F(PoliciesFromRefTest, UnknownRefIsASourceError) {
  auto r = RunProcess({BinaryPath("capi-gitops"), "validate", Repo(),
                       "--policies-from-ref", "origin/nope"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("--policies-from-ref"), std::string::npos) << r.err;
}

TEST_F(PoliciesFromRefTest, PlanCallsOutAChangedPolicy) {
  SKIP_WITHOUT_CRDS();
  std::string error;
  auto sandbox = sandbox_test::SandboxProcess::StartWithCrds(&error);
  ASSERT_NE(sandbox, nullptr) << error;
  auto r = RunProcess({BinaryPath("capi-gitops"), "plan", Repo(), "-o",
                       "markdown", "--kubeconfig", sandbox->kubeconfig(),
                       "--policies-from-ref", "main"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("<!-- capi-gitops-plan -->\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("> **Policy change:** this change modifies "
                       "`policies/ml-guardrails.yaml`. The plan is checked "
                       "against the policies of `main`"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("max-lifetime"), std::string::npos) << r.out;
  // Without policy changes there is no call-out.
  EditWorkFile(Repo() + "/" + kPolicy, "maxTTL: 60d", "maxTTL: 14d");
  auto same =
      RunProcess({BinaryPath("capi-gitops"), "plan", Repo(), "--kubeconfig",
                  sandbox->kubeconfig(), "--policies-from-ref", "main"});
  EXPECT_EQ(same.out.find("POLICY CHANGE"), std::string::npos) << same.out;
}

}  // namespace
}  // namespace capigitops
