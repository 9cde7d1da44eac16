// capi-gitops plan [REPO_DIR] [-o text|markdown|json] [--detailed-exitcode]
// capi-gitops apply [REPO_DIR] [--prune] [--dry-run] [--allow-mass-deletion]
#include <iostream>
#include <mutex>

#include "app/cli.h"
#include "app/cluster_access.h"
#include "app/load.h"
#include "app/plan_output.h"
#include "app/report.h"
#include "capigitops/json.h"

namespace capigitops {
namespace {

// One line per cluster of `apply`.
void PrintApplied(const ClusterPassResult& r, bool prune, std::ostream& out) {
  const ApplyCounts& c = r.counts;
  out << r.name << ": ";
  switch (r.outcome) {
    case ClusterOutcome::kBlocked:
      out << "blocked (" << r.reason << ")";
      break;
    case ClusterOutcome::kHeld:
      out << "deletion held: " << r.reason
          << (prune ? "" : " (run with --prune to delete)");
      break;
    case ClusterOutcome::kDeleting:
    case ClusterOutcome::kExpired:
      out << "deleting (CAPI is tearing it down; the next run finishes)";
      break;
    case ClusterOutcome::kDeleted:
      out << "deleted, " << c.deleted << " objects";
      break;
    default:
      out << c.created << " created, " << c.configured << " configured, "
          << c.unchanged << " unchanged, " << c.deleted << " deleted, "
          << c.failed << " failed";
  }
  out << "\n";
}

// A pull request that changes policies or capi-gitops.yaml is planned
// against its base's policies (--policies-from-ref); say so where reviewers
// look, since the changed policies only take effect once merged.
std::string PolicyCallout(const Loaded& p, bool markdown) {
  if (p.policy_changes.empty()) return "";
  std::string list;
  for (const std::string& path : p.policy_changes) {
    list += (list.empty() ? "" : ", ") + (markdown ? "`" + path + "`" : path);
  }
  std::string ref = markdown ? "`" + p.policies_ref + "`" : p.policies_ref;
  return std::string(markdown ? "> **Policy change:** " : "POLICY CHANGE: ") +
         "this change modifies " + list +
         ". The plan is checked against the policies of " + ref +
         ", not the changed ones (they apply once merged); a policy owner "
         "(CODEOWNERS) must review it.\n\n";
}

void AddCommon(FlagSet* options) {
  AddClusterOptions(options);
  options->add_options()("revision", "source revision recorded on each Cluster",
                         flags::value<std::string>()->default_value(""))(
      "now", "pretend it is this RFC 3339 time (tests and demos only)",
      flags::value<std::string>()->default_value(""));
  AddRepoDirArgument(options);
}

}  // namespace

void AddPlanOptions(FlagSet* options) {
  options->add_options()("o,output", "text, markdown or json",
                         flags::value<std::string>()->default_value("text"))(
      "detailed-exitcode",
      "exit 10 when changes are pending (0: none; errors keep their codes)")(
      "allow-addon-removal",
      "plan as if the removal of a live cluster's CNI or "
      "cloud-controller-manager label were allowed");
  AddPoliciesFromRefOption(options);
  AddCommon(options);
  AddClusterSelection(options);
  options->examples(
      "capi-gitops plan\n"
      "capi-gitops plan ./cluster-repo --context mgmt -o markdown\n"
      "capi-gitops plan clusters/llm-train-us-central1.yaml\n"
      "capi-gitops plan --cluster dev-sandbox -l team=ml\n"
      "capi-gitops plan . --policies-from-ref origin/main --detailed-exitcode");
}

int RunPlan(const Args& args, const CommandIo& io) {
  std::string format = args["output"].as<std::string>();
  if (format != "text" && format != "markdown" && format != "json") {
    *io.err << "capi-gitops plan: -o must be text, markdown or json\n";
    return kExitUsage;
  }
  Loaded& p = NewKeptUntilExit<Loaded>();
  SyncOptions sync;
  sync.allow_addon_removal = args.count("allow-addon-removal") > 0;
  int code = kExitOk;
  if (!LoadForStage(args, io, &sync, &p, &code)) return code;
  if (format != "json") PrintDiagnostics(p.ev, *io.err);
  if (p.filtered) {
    *io.err << "capi-gitops plan: " << p.selected.size()
            << " cluster(s) selected; the others are neither shown nor "
               "pruned\n";
  }
  PlanReview review = ReviewFor(p.plan, p.ev, p.live);
  if (format == "json") {
    nlohmann::json out = PlanJson(p.plan, p.ev, review);
    if (!p.policies_ref.empty()) {
      out["policiesFromRef"] = p.policies_ref;
      out["policyChanges"] = p.policy_changes;
    }
    *io.out << yaml::DumpJson(out, 2) << "\n";
  } else if (format == "markdown") {
    // Under the heading: the marker the CI workflows find the comment by
    // stays the first line.
    std::string md = PlanMarkdown(p.plan, p.ev, review);
    size_t end = md.find("\n\n");
    size_t at = end == std::string::npos ? md.size() : end + 2;
    *io.out << md.insert(at, PolicyCallout(p, true));
  } else {
    *io.out << PolicyCallout(p, false)
            << PlanText(p.plan, p.ev, review, io.out_is_tty);
  }
  if (p.ev.has_errors) return kExitInvalid;
  for (const ClusterPlan& cp : p.plan.clusters) {
    if (!cp.error.empty()) return kExitApiError;
  }
  if (args.count("detailed-exitcode") && p.plan.HasChanges())
    return kExitChanges;
  return kExitOk;
}

void AddApplyOptions(FlagSet* options) {
  options->add_options()(
      "prune",
      "delete what the repository no longer defines (inventory objects only)")(
      "dry-run",
      "show the plan and send every write as a server-side dry run; change "
      "nothing")("allow-mass-deletion",
                 "ignore the deletion budget for this run")(
      "allow-addon-removal",
      "let a live cluster lose its CNI or cloud-controller-manager label "
      "(uninstalls it)")("wait",
                         "seconds to wait for a deleted Cluster to disappear",
                         flags::value<int>()->default_value("120"));
  AddCommon(options);
  options->examples(
      "capi-gitops apply --context mgmt\n"
      "capi-gitops apply ./cluster-repo --dry-run\n"
      "capi-gitops apply . --prune --revision \"$(git rev-parse HEAD)\"");
}

int RunApply(const Args& args, const CommandIo& io) {
  Loaded& p = NewKeptUntilExit<Loaded>();
  SyncOptions sync;
  sync.prune = args.count("prune") > 0;
  sync.allow_mass_deletion = args.count("allow-mass-deletion") > 0;
  sync.allow_addon_removal = args.count("allow-addon-removal") > 0;
  sync.wait_seconds = args["wait"].as<int>();
  int code = kExitOk;
  if (!LoadForStage(args, io, &sync, &p, &code)) return code;
  PrintDiagnostics(p.ev, *io.err);
  // --dry-run is the same apply through DryRunKubeApi: the server validates
  // every write (dryRun=All) and stores nothing.
  KubeApi* api = p.client.get();
  std::unique_ptr<DryRunKubeApi> dry_run;
  if (args.count("dry-run")) {
    *io.out << PlanText(p.plan, p.ev, ReviewFor(p.plan, p.ev, p.live),
                        io.out_is_tty)
            << "\nserver-side dry run (nothing is stored):\n";
    dry_run = std::make_unique<DryRunKubeApi>(*p.client);
    api = dry_run.get();
    sync.wait_seconds = 0;  // a dry-run delete never makes a Cluster go
  }
  std::mutex mu;
  size_t last_pct = 0;
  sync.progress = [&](size_t done, size_t total) {
    std::lock_guard<std::mutex> lock(mu);
    size_t pct = total ? done * 10 / total : 10;
    if (total >= 50 && pct != last_pct) {
      last_pct = pct;
      *io.err << "applied " << done << "/" << total << " objects\n";
    }
  };
  std::vector<ClusterApplyResult> results = ExecutePlan(*api, p.plan, sync);
  bool failed = false;
  bool held = false;  // asked to delete (--prune), and a deletion was held
  for (size_t i = 0; i < results.size(); ++i) {
    ClusterPassResult r =
        DecodeApply(p.plan.clusters[i], results[i], p.plan.budget_message);
    PrintApplied(r, sync.prune, *io.out);
    for (const Status& e : results[i].errors) {
      *io.out << "    error: " << e.message() << "\n";
    }
    failed = failed || r.counts.failed > 0 || r.error_count > 0;
    held = held || (sync.prune && r.outcome == ClusterOutcome::kHeld);
  }
  if (p.plan.budget_exceeded) *io.out << p.plan.budget_message << "\n";
  if (dry_run) *io.out << UncheckedNote(*dry_run);
  if (failed) return kExitApplyFailed;
  if (p.ev.has_errors) return kExitInvalid;
  return held ? kExitDeletionHeld : kExitOk;
}

}  // namespace capigitops
