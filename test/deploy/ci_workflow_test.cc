// sample-repo's pull request workflows: they parse, run validate and the
// markdown plan on cluster changes, and find their one comment by the same
// marker the markdown plan starts with.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app/plan_output.h"
#include "deploy/manifests.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"

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
  std::string md = PlanMarkdown(Plan{}, Evaluation{}, PlanReview{});
  return md.substr(0, md.find('\n'));
}

json ReadOne(const std::string& file) {
  std::vector<std::string> errors;
  std::vector<Manifest> docs = ReadManifests(file, &errors);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  EXPECT_EQ(docs.size(), 1u) << file;
  return docs.empty() ? json::object() : docs[0].object;
}

// Every `capi-gitops CMD --flag ...` (or `"$IMAGE" CMD ...`) in `script`
// names a real command, and each of its flags is in that command's --help:
// a renamed flag cannot leave the samples broken. Returns how many
// invocations were checked.
int CheckInvocations(const std::string& script, const std::string& prefix) {
  int checked = 0;
  for (size_t at = script.find(prefix); at != std::string::npos;
       at = script.find(prefix, at + 1)) {
    size_t end = script.find_first_of(">\n|;", at);
    std::string line =
        script.substr(at + prefix.size(), end - at - prefix.size());
    while (line.size() > 1 && line.back() == ' ') line.pop_back();
    std::istringstream words(line);
    std::string command, word;
    words >> command;
    if (command.empty() || command[0] == '-') continue;
    RunResult help = RunProcess({BinaryPath("capi-gitops"), command, "--help"});
    EXPECT_EQ(help.exit_code, 0)
        << "no command \"" << command << "\" (" << line << ")";
    while (words >> word) {
      if (word.rfind("--", 0) == 0 || (word.size() == 2 && word[0] == '-')) {
        std::string flag = word.substr(0, word.find('='));
        EXPECT_TRUE(Has(help.out, (flag.size() == 2 ? flag + "," : flag + " ")))
            << command << " has no flag " << flag;
      }
    }
    ++checked;
  }
  return checked;
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
  // The findings as annotations on the diff and as SARIF.
  EXPECT_TRUE(Has(runs, "validate . -o github"));
  EXPECT_TRUE(Has(runs, "validate . -o sarif"));
  EXPECT_GE(CheckInvocations(runs, "\"$IMAGE\" "), 4);
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
  // The merged result is planned: GitLab's merge commit in a merged results
  // pipeline, else the target branch merged in by the job, before validate.
  EXPECT_EQ(plan["variables"]["TARGET"],
            "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME");
  size_t merge = script.find("merge --no-ff --no-edit \"origin/$TARGET\"");
  EXPECT_NE(merge, std::string::npos) << script;
  EXPECT_LT(merge, script.find("capi-gitops validate"));
  EXPECT_TRUE(
      Has(script, "\"$CI_MERGE_REQUEST_EVENT_TYPE\" != \"merged_result\""));
  EXPECT_TRUE(Has(script, "+refs/heads/$TARGET:refs/remotes/origin/$TARGET"));
  EXPECT_TRUE(Has(script, "safe.directory"));
  // Policies from the target branch's tip, the base of the merged result.
  EXPECT_TRUE(Has(script, "validate . --policies-from-ref \"origin/$TARGET\""));
  EXPECT_TRUE(Has(script, "--policies-from-ref \"origin/$TARGET\" > plan.md"));
  EXPECT_EQ(CheckInvocations(script, "capi-gitops "), 2);
  // The image the job runs in has git for the merge.
  EXPECT_TRUE(Has(ReadSourceFile("deploy/Dockerfile"), " git \\\n"));
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

// The plan job's git steps, run for real on a merge request branched before
// another cluster landed on the target branch: what is validated and planned
// has both (the merged result); a conflict fails with "rebase it"; in a
// merged results pipeline GitLab's merge commit is used as it is.
TEST(DeployCiWorkflowTest, GitlabPlanJobPlansTheMergedResult) {
  json ci = ReadOne("sample-repo/.gitlab-ci.yml");
  std::string steps;
  for (const json& line : ci["capi-gitops-plan"]["script"]) {
    std::string step = line;
    if (step.find("capi-gitops validate") != std::string::npos) break;
    steps += step + "\n";
  }
  ASSERT_TRUE(Has(steps, "merge --no-ff"));
  testing::TempDir dir;
  std::string work = dir.Sub("main"), remote = dir.Sub("remote.git"),
              mr = dir.Sub("mr");
  std::filesystem::create_directories(work + "/clusters");
  dir.Write("main/clusters/a.yaml", "name: a\n");
  ASSERT_TRUE(PublishAsRemote(work, remote, "a"));
  ASSERT_EQ(RunGit({"clone", "-q", remote, mr}).exit_code, 0);
  ASSERT_EQ(RunGit({"-C", mr, "checkout", "-q", "-b", "add-b"}).exit_code, 0);
  dir.Write("mr/clusters/b.yaml", "name: b\n");
  ASSERT_EQ(RunGit({"-C", mr, "add", "-A"}).exit_code, 0);
  ASSERT_EQ(RunGit({"-C", mr, "commit", "-q", "-m", "b"}).exit_code, 0);
  // Another merge request lands first.
  dir.Write("main/clusters/c.yaml", "name: c\n");
  ASSERT_EQ(RunGit({"-C", work, "add", "-A"}).exit_code, 0);
  ASSERT_EQ(RunGit({"-C", work, "commit", "-q", "-m", "c"}).exit_code, 0);
  ASSERT_EQ(RunGit({"-C", work, "push", "-q", "origin", "main"}).exit_code, 0);
  auto job = [&](const std::string& event) {
    return RunProcess({"/bin/sh", "-ec", "cd \"$CI_PROJECT_DIR\"\n" + steps},
                      {{"CI_PROJECT_DIR", mr},
                       {"TARGET", "main"},
                       {"CI_MERGE_REQUEST_EVENT_TYPE", event},
                       {"HOME", dir.path()}});
  };
  auto merged_result = job("merged_result");  // GitLab merged already
  ASSERT_EQ(merged_result.exit_code, 0) << merged_result.err;
  EXPECT_FALSE(std::filesystem::exists(mr + "/clusters/c.yaml"));
  auto detached = job("detached");
  ASSERT_EQ(detached.exit_code, 0) << detached.out << detached.err;
  EXPECT_TRUE(Has(detached.out, "planning the merged result"));
  EXPECT_TRUE(std::filesystem::exists(mr + "/clusters/b.yaml"));
  EXPECT_TRUE(std::filesystem::exists(mr + "/clusters/c.yaml"));
  // Both change a.yaml: no merged result to plan.
  dir.Write("mr/clusters/a.yaml", "name: a\nmr: true\n");
  ASSERT_EQ(RunGit({"-C", mr, "commit", "-q", "-am", "a mr"}).exit_code, 0);
  dir.Write("main/clusters/a.yaml", "name: a\nmain: true\n");
  ASSERT_EQ(RunGit({"-C", work, "commit", "-q", "-am", "a main"}).exit_code, 0);
  ASSERT_EQ(RunGit({"-C", work, "push", "-q", "origin", "main"}).exit_code, 0);
  auto conflict = job("detached");
  EXPECT_NE(conflict.exit_code, 0);
  EXPECT_TRUE(Has(conflict.out, "does not merge cleanly into main: rebase it"));
  std::ifstream code(mr + "/validate.exitcode");
  std::string value;
  code >> value;
  EXPECT_EQ(value, "1") << "the note job shows why";
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
