// capi-gitops plan [REPO_DIR] [-o text|markdown|json] [--detailed-exitcode]
// capi-gitops apply [REPO_DIR] [--prune] [--dry-run] [--allow-mass-deletion]
#include <ctime>
#include <iostream>
#include <mutex>

#include "app/cli.h"
#include "app/cluster_access.h"
#include "app/plan_output.h"
#include "app/report.h"

namespace capigitops {
namespace {

struct Prepared {
  Evaluation ev;
  DesiredState desired;
  std::unique_ptr<KubeClient> client;
  LiveState live;
  Plan plan;
};

// Evaluate, connect, read live state, plan: shared by plan and apply.
bool Prepare(const cxxopts::ParseResult& args, const CommandIo& io,
             SyncOptions& sync, Prepared* p, int* code) {
  EvaluateOptions eo;
  eo.render = true;
  eo.revision = args["revision"].as<std::string>();
  if (!LoadAndEvaluate(args, io, eo, &p->ev, code)) return false;
  p->client = ConnectFromArgs(args, io, code);
  if (!p->client) return false;
  p->desired = ToDesiredState(p->ev, TargetNamespace(args, p->ev));
  StatusOr<LiveState> live =
      FetchLiveState(*p->client, p->desired.ns, DesiredKinds(p->desired));
  if (!live.ok()) {
    *io.err << "capi-gitops: " << live.status().message() << "\n";
    *code = kExitApiError;
    return false;
  }
  p->live = std::move(live).value();
  sync.now = static_cast<int64_t>(std::time(nullptr));
  p->plan = BuildPlan(*p->client, p->desired, p->live, sync);
  return true;
}

void AddCommon(cxxopts::Options* options) {
  AddClusterOptions(options);
  options->add_options()("revision", "source revision recorded on each Cluster",
                         cxxopts::value<std::string>()->default_value(""));
  AddRepoDirArgument(options);
}

}  // namespace

void AddPlanOptions(cxxopts::Options* options) {
  options->add_options()("o,output", "text, markdown or json",
                         cxxopts::value<std::string>()->default_value("text"))(
      "detailed-exitcode", "exit 2 when changes are pending");
  AddCommon(options);
}

int RunPlan(const cxxopts::ParseResult& args, const CommandIo& io) {
  std::string format = args["output"].as<std::string>();
  if (format != "text" && format != "markdown" && format != "json") {
    *io.err << "capi-gitops plan: -o must be text, markdown or json\n";
    return kExitUsage;
  }
  Prepared& p = NewKeptUntilExit<Prepared>();
  SyncOptions sync;
  int code = kExitOk;
  if (!Prepare(args, io, sync, &p, &code)) return code;
  if (format != "json") PrintDiagnostics(p.ev, *io.err);
  if (format == "json") {
    *io.out << PlanJson(p.plan, p.ev).dump(2) << "\n";
  } else if (format == "markdown") {
    *io.out << PlanMarkdown(p.plan, p.ev);
  } else {
    *io.out << PlanText(p.plan, p.ev, io.out_is_tty);
  }
  if (p.ev.has_errors) return kExitInvalid;
  for (const ClusterPlan& cp : p.plan.clusters) {
    if (!cp.error.empty()) return kExitApiError;
  }
  if (args.count("detailed-exitcode") && p.plan.HasChanges())
    return kExitChanges;
  return kExitOk;
}

void AddApplyOptions(cxxopts::Options* options) {
  options->add_options()(
      "prune",
      "delete what the repository no longer defines (inventory objects only)")(
      "dry-run", "show the plan, change nothing")(
      "allow-mass-deletion", "ignore the deletion budget for this run")(
      "wait", "seconds to wait for a deleted Cluster to disappear",
      cxxopts::value<int>()->default_value("120"));
  AddCommon(options);
}

int RunApply(const cxxopts::ParseResult& args, const CommandIo& io) {
  Prepared& p = NewKeptUntilExit<Prepared>();
  SyncOptions sync;
  sync.prune = args.count("prune") > 0;
  sync.allow_mass_deletion = args.count("allow-mass-deletion") > 0;
  sync.wait_seconds = args["wait"].as<int>();
  int code = kExitOk;
  if (!Prepare(args, io, sync, &p, &code)) return code;
  PrintDiagnostics(p.ev, *io.err);
  if (args.count("dry-run")) {
    *io.out << PlanText(p.plan, p.ev, io.out_is_tty);
    return p.ev.has_errors ? kExitInvalid : kExitOk;
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
  std::vector<ClusterApplyResult> results =
      ExecutePlan(*p.client, p.plan, sync);
  bool failed = false;
  for (size_t i = 0; i < results.size(); ++i) {
    const ClusterApplyResult& r = results[i];
    const ClusterPlan& cp = p.plan.clusters[i];
    const ApplyCounts& c = r.counts;
    *io.out << r.name << ": ";
    if (cp.action == ClusterAction::kBlocked) {
      *io.out << "blocked (" << cp.reason << ")\n";
      continue;
    }
    if (cp.action == ClusterAction::kDelete) {
      *io.out << (r.state == ClusterApplyState::kHeld
                      ? "deletion held: " +
                            (cp.reason.empty() ? p.plan.budget_message
                                               : cp.reason) +
                            (!sync.prune ? " (run with --prune to delete)" : "")
                  : r.state == ClusterApplyState::kDeleting
                      ? "deleting (CAPI is tearing it down; the "
                        "next run finishes)"
                      : "deleted, " + std::to_string(c.deleted) + " objects");
    } else {
      *io.out << c.created << " created, " << c.configured << " configured, "
              << c.unchanged << " unchanged, " << c.deleted << " deleted, "
              << c.failed << " failed";
    }
    *io.out << "\n";
    for (const Status& e : r.errors)
      *io.out << "    error: " << e.message() << "\n";
    failed = failed || c.failed > 0 || !r.errors.empty();
  }
  if (p.plan.budget_exceeded) *io.out << p.plan.budget_message << "\n";
  if (failed) return kExitApplyFailed;
  return p.ev.has_errors ? kExitInvalid : kExitOk;
}

}  // namespace capigitops
