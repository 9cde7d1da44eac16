// sample-repo's pull request workflows: they parse, run validate and the
// markdown plan on cluster changes, and find their one comment by the same
// marker the markdown plan starts with.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/plan_output.h"
#include "deploy/manifests.h"

namespace capigitops::testutil {
namespace {

// Whether `text` contains `part` (the failure message shows both).
::testing::AssertionResult Has(const std::string& text,
                               const std::string& part) {
  if (text.find(part) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << part << "\" not in:\n"
                                       << text;
}

using json = nlohmann::json;

constexpr char kImage[] = "ghcr.io/capigitops/capi-gitops:0.1.0";

// The first line of `capi-gitops plan -o markdown`.
std::string PlanMarker() {
  std::string md = PlanMarkdown(Plan{}, Evaluation{});
  return md.substr(0, md.find('\n'));
}

json ReadOne(const std::string& file) {
  std::vector<std::string> errors;
  std::vector<Manifest> docs = ReadManifests(file, &errors);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  EXPECT_EQ(docs.size(), 1u) << file;
  return docs.empty() ? json::object() : docs[0].object;
}

TEST(DeployCiWorkflowTest, PlanMarkdownStartsWithAnHtmlCommentMarker) {
  EXPECT_EQ(PlanMarker(), "<!-- capi-gitops-plan -->");
}

TEST(DeployCiWorkflowTest, GithubWorkflowPlansPullRequestsAndKeepsOneComment) {
  const std::string file = "sample-repo/.github/workflows/capi-gitops.yaml";
  json wf = ReadOne(file);
  const json& paths = wf["on"]["pull_request"]["paths"];
  std::vector<std::string> got(paths.begin(), paths.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"capi-gitops.yaml", "clusters/**",
                                           "policies/**"}));
  EXPECT_EQ(wf["permissions"]["pull-requests"], "write");
  EXPECT_EQ(wf["permissions"]["contents"], "read");
  EXPECT_EQ(wf["env"]["IMAGE"], kImage);
  EXPECT_EQ(wf["env"]["MARKER"], PlanMarker());

  ASSERT_EQ(wf["jobs"].size(), 1u);
  const json& steps = wf["jobs"].begin().value()["steps"];
  std::string runs, script;
  bool fails_on_validate = false;
  for (const json& step : steps) {
    std::string run = step.value("run", "");
    runs += run + "\n";
    if (step.value("uses", "").rfind("actions/github-script@", 0) == 0) {
      script = step["with"]["script"];
    }
    if (step.value("if", "").find("steps.validate.outputs.exitcode != '0'") !=
            std::string::npos &&
        run.find("exit 1") != std::string::npos) {
      fails_on_validate = true;
    }
  }
  EXPECT_TRUE(Has(runs, "validate ."));
  EXPECT_TRUE(Has(runs, "plan . -o markdown"));
  EXPECT_TRUE(Has(runs, "> plan.md"));
  EXPECT_TRUE(Has(runs, "CAPI_GITOPS_KUBECONFIG"));
  // Policies come from the base commit, which the checkout must fetch.
  EXPECT_TRUE(Has(runs, "validate . --policies-from-ref \"$BASE_SHA\""));
  EXPECT_TRUE(Has(runs, "--policies-from-ref \"$BASE_SHA\" > plan.md"));
  EXPECT_TRUE(Has(wf.dump(), "github.event.pull_request.base.sha"));
  EXPECT_EQ(steps[0]["with"]["fetch-depth"], 0);
  EXPECT_TRUE(fails_on_validate) << "the job must fail when validate fails";
  // One comment: found by the marker, updated, else created.
  EXPECT_TRUE(Has(script, "startsWith(marker)"));
  EXPECT_TRUE(Has(script, "updateComment"));
  EXPECT_TRUE(Has(script, "createComment"));
  EXPECT_TRUE(Has(script, "paginate"));
}

TEST(DeployCiWorkflowTest, GitlabPipelinePlansMergeRequestsAndKeepsOneNote) {
  const std::string file = "sample-repo/.gitlab-ci.yml";
  json ci = ReadOne(file);
  EXPECT_EQ(ci["variables"]["CAPI_GITOPS_IMAGE"], kImage);
  EXPECT_EQ(ci["variables"]["MARKER"], PlanMarker());
  const json& plan = ci["capi-gitops-plan"];
  EXPECT_EQ(plan["image"]["name"], "$CAPI_GITOPS_IMAGE");
  std::string script;
  for (const json& line : plan["script"])
    script += line.get<std::string>() + "\n";
  EXPECT_TRUE(Has(script, "capi-gitops validate ."));
  EXPECT_TRUE(Has(script, "capi-gitops plan . -o markdown"));
  EXPECT_TRUE(Has(script, "test \"$(cat validate.exitcode)\" = 0"));
  EXPECT_TRUE(Has(script,
                  "validate . --policies-from-ref "
                  "\"$CI_MERGE_REQUEST_DIFF_BASE_SHA\""));
  EXPECT_TRUE(Has(script,
                  "--policies-from-ref "
                  "\"$CI_MERGE_REQUEST_DIFF_BASE_SHA\" > plan.md"));
  EXPECT_EQ(plan["variables"]["GIT_DEPTH"], "0");
  EXPECT_EQ(plan["artifacts"]["when"], "always");
  const json& rules = ci[".on-cluster-changes"]["rules"];
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_TRUE(Has(rules[0]["if"].get<std::string>(), "merge_request_event"));

  const json& note = ci["capi-gitops-note"];
  EXPECT_EQ(note["needs"][0]["job"], "capi-gitops-plan");
  EXPECT_EQ(note["rules"][0]["when"], "always");
  EXPECT_EQ(note["rules"][0]["changes"], rules[0]["changes"]);
  std::string note_script;
  for (const json& line : note["script"]) {
    note_script += line.get<std::string>() + "\n";
  }
  EXPECT_TRUE(Has(note_script, "/merge_requests/$CI_MERGE_REQUEST_IID/notes"));
  EXPECT_TRUE(Has(note_script, "startswith($m)"));
  EXPECT_TRUE(Has(note_script, "-X PUT"));
  EXPECT_TRUE(Has(note_script, "-X POST"));
}

TEST(DeployCiWorkflowTest, CodeownersCoverPoliciesAndTheConfig) {
  std::string text = ReadSourceFile("sample-repo/CODEOWNERS");
  ASSERT_FALSE(text.empty()) << "sample-repo/CODEOWNERS";
  std::istringstream in(text);
  std::set<std::string> owned;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string path, owner;
    fields >> path >> owner;
    EXPECT_EQ(owner.rfind("@", 0), 0u) << line;
    owned.insert(path);
  }
  for (const char* path : {"/policies/", "/capi-gitops.yaml", "/.github/",
                           "/.gitlab-ci.yml", "/CODEOWNERS"}) {
    EXPECT_TRUE(owned.count(path)) << path;
  }
}

}  // namespace
}  // namespace capigitops::testutil
