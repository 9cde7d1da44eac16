// The day-2 commands as users run them: version, completion, extend, get
// (issue #14). kubeconfig is in kubeconfig_cli_test.cc (it needs a sandbox).
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

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The lines of `a` and `b` that differ, as "old|new" (same line count).
std::vector<std::string> ChangedLines(const std::string& a,
                                      const std::string& b) {
  std::vector<std::string> out;
  std::istringstream x(a), y(b);
  std::string l, r;
  while (std::getline(x, l)) {
    if (!std::getline(y, r)) return {"line count differs"};
    if (l != r) out.push_back(l + "|" + r);
  }
  if (std::getline(y, r)) return {"line count differs"};
  return out;
}

struct SampleRepo {
  TempDir dir;
  SampleRepo() {
    std::filesystem::copy(SourcePath("sample-repo"), dir.path(),
                          std::filesystem::copy_options::recursive);
  }
  std::string Path() const { return dir.path(); }
};

testutil::RunResult Capi(std::vector<std::string> args) {
  args.insert(args.begin(), BinaryPath("capi-gitops"));
  return RunProcess(args);
}

TEST(VersionCommand, PrintsVersionCommitAndDate) {
  auto r = Capi({"version", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json v = nlohmann::json::parse(r.out);
  EXPECT_EQ(v["version"], CAPIGITOPS_VERSION);
  // The build tree is a Git checkout: a short hex commit, not "unknown".
  std::string commit = v["commit"];
  EXPECT_EQ(commit.size(), 12u) << commit;
  EXPECT_EQ(commit.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(std::string(v["buildDate"]).size(), 20u) << v["buildDate"];
  auto text = Capi({"--version"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("commit " + commit), std::string::npos) << text.out;
}

TEST(CompletionCommand, BashScriptLoadsAndCompletesFromTheCommandTable) {
  std::string bin = BinaryPath("capi-gitops");
  auto r = RunProcess(
      {"/bin/bash", "-c",
       "source <(\"$0\" completion bash) && complete -p capi-gitops && "
       "COMP_WORDS=(capi-gitops val); COMP_CWORD=1; _capi_gitops; "
       "echo \"cmds=${COMPREPLY[*]}\"; "
       "COMP_WORDS=(capi-gitops validate --policies-f); COMP_CWORD=2; "
       "_capi_gitops; echo \"flags=${COMPREPLY[*]}\"; "
       "COMP_WORDS=(capi-gitops extend --n); COMP_CWORD=2; "
       "_capi_gitops; echo \"extend=${COMPREPLY[*]}\"",
       bin});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("complete -o filenames -F _capi_gitops capi-gitops"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("cmds=validate"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("flags=--policies-from-ref"), std::string::npos)
      << r.out;
  // Flags of new commands come from their FlagSet, not a hand-kept list.
  EXPECT_NE(r.out.find("extend=--now"), std::string::npos) << r.out;
}

TEST(CompletionCommand, ZshAndFishListEveryCommandAndBadShellIsUsage) {
  auto zsh = Capi({"completion", "zsh"});
  ASSERT_EQ(zsh.exit_code, 0);
  EXPECT_EQ(zsh.out.rfind("#compdef capi-gitops\n", 0), 0u);
  auto fish = Capi({"completion", "fish"});
  ASSERT_EQ(fish.exit_code, 0);
  for (const char* cmd : {"validate", "plan", "get", "kubeconfig", "extend",
                          "version", "completion"}) {
    EXPECT_NE(zsh.out.find(std::string("'") + cmd + ":"), std::string::npos)
        << cmd;
    EXPECT_NE(fish.out.find(std::string("-a ") + cmd + " -d"),
              std::string::npos)
        << cmd;
  }
  EXPECT_NE(fish.out.find("__fish_seen_subcommand_from get' -s o -l output -r"),
            std::string::npos);
  EXPECT_EQ(Capi({"completion", "tcsh"}).exit_code, 2);
  EXPECT_EQ(Capi({"completion"}).exit_code, 2);
}

TEST(ExtendCommand, ChangesOnlyTheTtlLine) {
  SampleRepo repo;
  std::string file = repo.Path() + "/clusters/dev-sandbox.yaml";
  std::string before = ReadText(file);
  auto r = Capi({"extend", "dev-sandbox", "6h", repo.Path(), "--now",
                 "2026-12-01T10:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ChangedLines(before, ReadText(file)),
            std::vector<std::string>{"  ttl: 90m|  ttl: 7h30m"});
  // Not created (no status file): counted from now.
  EXPECT_NE(r.out.find("expiry moves from 2026-12-01T11:30:00Z to "
                       "2026-12-01T17:30:00Z (not created yet"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("policy: allowed"), std::string::npos);
}

TEST(ExtendCommand, ExpiresAtKeepsQuotesAndCountsFromCreation) {
  SampleRepo repo;
  std::string file = repo.Path() + "/clusters/finetune-westeurope.yaml";
  std::string before = ReadText(file);
  auto r = Capi({"extend", "finetune-westeurope", "1d", repo.Path()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(ChangedLines(before, ReadText(file)),
            std::vector<std::string>{"  expiresAt: \"2026-12-04T18:00:00Z\"|"
                                     "  expiresAt: \"2026-12-05T18:00:00Z\""});
  // A duration TTL of a created cluster counts from its status createdAt.
  repo.dir.Write("status/llm-train-us-central1.yaml",
                 "apiVersion: capigitops.io/v1alpha1\nkind: ClusterStatus\n"
                 "metadata: {name: llm-train-us-central1}\nstatus:\n"
                 "  phase: Provisioned\n  createdAt: 2026-12-01T08:00:00Z\n");
  r = Capi({"extend", "llm-train-us-central1", "2h", repo.Path(), "--now",
            "2026-12-01T09:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ttl: 4h -> 6h"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("from 2026-12-01T12:00:00Z to 2026-12-01T14:00:00Z\n"),
            std::string::npos)
      << r.out;
}

TEST(ExtendCommand, ErrorsLeaveTheFileAlone) {
  SampleRepo repo;
  std::string file = repo.Path() + "/clusters/llm-train-us-central1.yaml";
  std::string before = ReadText(file);
  auto r = Capi({"extend", "llm-train-us-central1", "6 hours", repo.Path()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("\"6 hours\" is not a duration"), std::string::npos);
  r = Capi({"extend", "no-such-cluster", "6h", repo.Path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no cluster \"no-such-cluster\""), std::string::npos)
      << r.err;
  // ml-guardrails caps the TTL at 14d: policy says no, nothing is written.
  r = Capi({"extend", "llm-train-us-central1", "14d", repo.Path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("rule max-lifetime"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("left unchanged"), std::string::npos) << r.out;
  r = Capi({"extend", "sovereign-onprem", "1d", repo.Path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ttl: never"), std::string::npos);
  EXPECT_EQ(ReadText(file), before);
}

TEST(ExtendCommand, MaxLifetimeCapsExtensionsFromCreatedAt) {
  SampleRepo repo;
  repo.dir.Write("policies/lifetime.yaml",
                 "apiVersion: capigitops.io/v1alpha1\nkind: Policy\n"
                 "metadata: {name: lifetimes}\nspec:\n  rules:\n"
                 "  - {name: cap, maxLifetime: 3d, action: enforce}\n"
                 "  - {name: required, requireTTL: always, action: warn}\n");
  repo.dir.Write("status/finetune-westeurope.yaml",
                 "apiVersion: capigitops.io/v1alpha1\nkind: ClusterStatus\n"
                 "metadata: {name: finetune-westeurope}\nstatus:\n"
                 "  phase: Provisioned\n  createdAt: 2026-12-02T18:00:00Z\n");
  std::vector<std::string> args = {"extend", "finetune-westeurope",
                                   "1d",     repo.Path(),
                                   "--now",  "2026-12-03T08:00:00Z"};
  auto r = Capi(args);  // 2d of life so far + 1d: exactly the cap
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Capi(args);  // one more day: 4d from createdAt
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("deny: policy lifetimes rule cap: spec.expiresAt: a "
                       "lifetime of 4d from createdAt 2026-12-02T18:00:00Z "
                       "exceeds the limit of 3d"),
            std::string::npos)
      << r.out;
  EXPECT_NE(ReadText(repo.Path() + "/clusters/finetune-westeurope.yaml")
                .find("2026-12-05T18:00:00Z"),
            std::string::npos);
}

TEST(GetCommand, ListsEveryClusterFromStatusFilesAndSpecs) {
  SampleRepo repo;
  repo.dir.Write("status/llm-train-us-central1.yaml",
                 R"(# Written by capi-gitops; do not edit.
apiVersion: capigitops.io/v1alpha1
kind: ClusterStatus
metadata:
  name: llm-train-us-central1
status:
  phase: Provisioned
  ready: true
  controlPlane: {desired: 3, ready: 3}
  workers: {desired: 2, ready: 1}
  nodes: 5
  readyNodes: 4
  gpusAllocatable: 4
  usable: false
  usableReason: add-on gpu-operator Pending
  idle:
    state: idle
    idleSince: 2026-12-01T07:15:00Z
  createdAt: 2026-12-01T06:00:00Z
  expiresAt: 2026-12-01T10:00:00Z
  ttl: 4h
  provider: gcp
  owner: ml-research
  estimatedCostPerHour: $3.21-$45.10
)");
  repo.dir.Write("status/old-cluster.yaml",
                 "apiVersion: capigitops.io/v1alpha1\nkind: ClusterStatus\n"
                 "metadata: {name: old-cluster}\nstatus:\n  phase: Blocked\n"
                 "  owner: ml-research\n  provider: aws\n"
                 "  lastError: 'clusters/old-cluster.yaml:3:1: broken'\n");
  auto r = Capi({"get", repo.Path(), "--now", "2026-12-01T08:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("phases from status files"), std::string::npos);
  for (const char* name :
       {"dev-sandbox", "finetune-westeurope", "inference-us-east1",
        "llm-train-us-central1", "sovereign-onprem", "old-cluster"}) {
    EXPECT_NE(r.out.find(name), std::string::npos) << name;
  }
  r = Capi({"get", "llm-train-us-central1", repo.Path(), "-o", "json", "--now",
            "2026-12-01T08:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["clusters"].size(), 1u);
  const nlohmann::json& c = j["clusters"][0];
  EXPECT_EQ(c["phase"], "Provisioned");
  EXPECT_EQ(c["ready"], "true");
  // Now of max: Ready nodes of the spec at the autoscaler's maximum (3
  // control plane + 25 GPU nodes), allocatable GPUs of 25 nodes x 4 V100.
  EXPECT_EQ(c["nodes"], "4/28");
  EXPECT_EQ(c["nodesReady"], 4);
  EXPECT_EQ(c["nodesMax"], 28);
  EXPECT_EQ(c["gpus"], "4/100");
  EXPECT_EQ(c["gpusMax"], 100);
  EXPECT_EQ(c["usable"], "false");
  EXPECT_EQ(c["usableReason"], "add-on gpu-operator Pending");
  EXPECT_EQ(c["idleFor"], "45m");
  EXPECT_EQ(c["expiresAt"], "2026-12-01T10:00:00Z");
  EXPECT_EQ(c["expiresIn"], "2h");
  EXPECT_EQ(c["costPerHour"], "$3.21-$45.10");
  EXPECT_EQ(c["source"], "status file");
  r = Capi({"get", "llm-train-us-central1", repo.Path(), "--now",
            "2026-12-01T08:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* column : {"USABLE", "NODES", "GPUS", "$/HOUR", "SO FAR",
                             "EXPIRES IN", "IDLE FOR"}) {
    EXPECT_NE(r.out.find(column), std::string::npos) << column << r.out;
  }
  EXPECT_NE(r.out.find("4/28"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("4/100"), std::string::npos) << r.out;
  r = Capi({"get", "llm-train-us-central1", repo.Path(), "-o", "wide", "--now",
            "2026-12-01T08:00:00Z"});
  EXPECT_NE(r.out.find("EXPIRES AT"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2026-12-01T10:00:00Z"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("add-on gpu-operator Pending"), std::string::npos)
      << r.out;
  r = Capi({"get", "llm-train-us-central1", repo.Path(), "-o", "yaml", "--now",
            "2026-12-01T08:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nodesMax: 28"), std::string::npos) << r.out;
  r = Capi({"get", "old-cluster", repo.Path(), "-o", "wide"});
  EXPECT_NE(r.out.find("clusters/old-cluster.yaml:3:1: broken"),
            std::string::npos)
      << r.out;
  r = Capi({"get", "nope", repo.Path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no cluster \"nope\""), std::string::npos);
  EXPECT_EQ(Capi({"get", repo.Path(), "-o", "xml"}).exit_code, 2);
}

}  // namespace
}  // namespace capigitops
