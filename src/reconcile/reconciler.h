// One reconcile pass: Git in, management cluster and status commits out.
// Phases, in order (flux's kustomize-controller shape): fetch the source,
// evaluate it, read the live state, commit TTL teardown decisions, read the
// workload clusters (once, for both the idle decisions and `usable`),
// commit idle decisions, plan and apply (with every safety rule of
// product.md section 5), then write status back. Git, the API and the clock are
// injected (PassDeps, options.now), so tests use fakes. Each phase reads what
// the earlier ones produced; nothing is read or evaluated twice.
#ifndef CAPIGITOPS_RECONCILE_RECONCILER_H_
#define CAPIGITOPS_RECONCILE_RECONCILER_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "capigitops/reconcile.h"
#include "capigitops/writeback.h"

namespace capigitops {

// approvals.yaml at the repository root: releases of held mass deletions,
// each bound to the revision at which the deletions were held
// (docs/approvals.md).
extern const char kApprovalsFile[];

struct MassDeletionApproval {
  std::string revision;  // a prefix of at least 7 hex digits
  std::set<std::string> clusters;
};

// The approvals in `files`; problems go to `diags` (an approval that cannot
// be read releases nothing).
std::vector<MassDeletionApproval> ParseApprovals(const FileSet& files,
                                                 Diagnostics* diags);

// The `status` block of the status file at `path` in `status_files`; null
// when there is none or it does not parse.
nlohmann::json StatusInGit(const FileSet& status_files,
                           const std::string& path);

// heldAtRevision of the status file at `path` when its phase is
// DeletionHeld; "" otherwise.
std::string HeldAtRevision(const FileSet& status_files,
                           const std::string& path);

// True when an approval names `cluster` and the revision it was held at.
bool Approved(const std::vector<MassDeletionApproval>& approvals,
              const std::string& cluster, const std::string& held_at);

// The gauges' view of a status file's input (cluster_facts.cc).
ClusterFacts ClusterFactsOf(const ClusterStatusInput& in);

class Reconciler {
 public:
  // A teardown to commit (TTL or idle).
  struct Teardown {
    const ClusterResult* cluster = nullptr;
    TtlDecision decision;
    int64_t created_at = 0;
    // An idle teardown: its commit message (else the TTL's).
    std::string idle_message;
  };

  Reconciler(const PassDeps& deps, ReconcileOptions options);

  PassResult Run();

 private:
  bool FetchSource();
  bool ReadLive();
  // Sharding (reconciler_shard.cc): whether this pass's shard owns `name`.
  bool Owns(const std::string& name) const;
  void KeepOwnClusters();
  void BlockForeignInventories();
  void DropForeignPlans(Plan* plan) const;
  void ExpireClusters();
  std::vector<Teardown> DueTeardowns();
  size_t TeardownAllowance(size_t due);
  bool CommitTeardown(const Teardown& t);
  void RemoveExpired();
  struct IdleCandidate;
  void DecideIdleClusters();
  std::vector<IdleCandidate> IdleCandidates();
  IdleInput IdleInputOf(const IdleCandidate& c) const;
  std::set<std::string> IdleIgnoredNamespaces() const;
  void WriteIdleAnnotations(const IdleCandidate& c, const IdleDecision& d);
  void TearDownIdle(std::vector<const IdleCandidate*> due);
  bool CommitHibernate(const IdleCandidate& c);
  void PlanAndApply();
  void ReadWorkloads();  // workload_status.cc
  void ForgetRemovedWorkloads();
  void SendNotifications();  // reconciler_notify.cc
  std::map<std::string, std::string> WebhookUrls();
  NotifyInput NotifyInputFor(const ClusterResult& c,
                             const nlohmann::json& live);
  void RecordNotified(const std::string& name, const nlohmann::json& live,
                      const std::vector<std::string>& records);
  struct StatusBatch;
  void KeepOnlyTtlStatus(StatusBatch* batch);
  void WriteStatus();
  void EmitAllStatus(StatusBatch* batch);
  void EmitStatus(const std::string& name, ClusterStatusInput in,
                  StatusBatch* batch);
  void EmitGoneSpec(const std::string& name, const Inventory& inv,
                    StatusBatch* batch);
  void RemoveStatus(const std::string& name, StatusBatch* batch);
  // Kubernetes Events for what the pass did, from result_ (events.cc).
  void RecordEvents();
  std::string AppliedRevision(const std::string& name) const;
  void NoteBlocked(const ClusterPlan& cp);
  const FileSet& CurrentStatus();
  void ApplyApprovals(Plan* plan);
  void NoteHeld(const Plan& plan, const ClusterPlan& cp, ClusterPassResult* r);
  // `cluster`: what the note is about, a field of the controller's log;
  // when "", a "<cluster>: " prefix of a cluster of this pass names it.
  void Note(std::string text, bool error = false, std::string cluster = "");
  std::string StatusPath(const std::string& name) const;
  CommitRequest NewCommit(const std::string& branch,
                          const std::string& message) const;

  PassDeps deps_;
  ReconcileOptions options_;
  PassResult result_;

  Snapshot snapshot_;
  Evaluation ev_;
  DesiredState desired_;
  LiveState live_;
  std::map<std::string, std::string> expired_;  // name -> reason
  std::map<std::string, IdleDecision> idle_;    // name -> this pass's
  std::map<std::string, std::string> errors_;   // name -> last error
  // Clusters whose Cluster object this pass applied: name -> revision.
  std::map<std::string, std::string> applied_revision_;
  std::map<std::string, std::string> release_;  // held: how to release
  std::map<std::string, std::string> held_at_;  // held: since which revision
  std::optional<FileSet> current_status_;       // status files in Git
  // What ReadWorkloads read from each live cluster: name -> reading, and
  // for those with spec.idle, name -> idle signals.
  std::map<std::string, WorkloadReading> workload_;
  std::map<std::string, IdleObservation> idle_observed_;
};

}  // namespace capigitops

#endif  // CAPIGITOPS_RECONCILE_RECONCILER_H_
