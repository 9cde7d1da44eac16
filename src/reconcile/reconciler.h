// One reconcile pass: Git in, management cluster and status commits out.
// Phases, in order (flux's kustomize-controller shape): fetch the source,
// evaluate it, read the live state, commit TTL teardown decisions, plan and
// apply (with every safety rule of product.md section 5), then write status
// back. Git, the API and the clock are injected, so tests use real local
// servers or fakes.
#ifndef CAPIGITOPS_APP_RECONCILER_H_
#define CAPIGITOPS_APP_RECONCILER_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "app/pipeline.h"
#include "capigitops/git.h"
#include "capigitops/kube_client.h"
#include "capigitops/sync.h"

namespace capigitops {

struct ReconcileOptions {
  bool read_only = false;  // write nothing to Git; print status instead
  bool ttl_only = false;   // `capi-gitops ttl`: only expire and delete
  std::string ns_override;
  std::string branch = "main";  // the spec branch
  std::string status_branch;    // "" = commit status to the spec branch
  std::string author_name;      // "" = capi-gitops.yaml's writeBack.author
  std::string author_email;
  int64_t now = 0;  // Unix seconds
  SyncOptions sync;
};

struct ReconcileReport {
  std::string revision;  // spec commit reconciled
  std::string spec_hash;
  std::vector<std::string> lines;  // what happened, for people
  std::vector<std::string> teardown_commits;
  std::string status_commit;  // "" when status did not change
  std::map<std::string, std::string> status_files;  // path -> content
  bool changed = false;  // anything applied or deleted
  int exit_code = 0;
  // For the controller's metrics.
  long objects_applied = 0;                   // created or configured
  long objects_pruned = 0;                    // deleted
  std::map<std::string, std::string> phases;  // cluster -> status phase
  int expiring_soon = 0;  // clusters whose TTL ends within the hour
};

class Reconciler {
 public:
  // `status_source` may equal `spec_source`. None are owned.
  Reconciler(GitSource* spec_source, GitSource* status_source,
             KubeClient* client, const FileSet* builtin_policies,
             ReconcileOptions options);

  ReconcileReport RunOnce();

 private:
  bool FetchSource(ReconcileReport* report);
  void Evaluate(const std::string& revision);
  bool ReadLive(ReconcileReport* report);
  bool ExpireClusters(ReconcileReport* report);
  void PlanAndApply(ReconcileReport* report);
  void WriteStatus(ReconcileReport* report);
  std::string StatusPath(const std::string& name) const;
  CommitRequest NewCommit(const std::string& branch,
                          const std::string& message) const;

  GitSource* spec_source_;
  GitSource* status_source_;
  KubeClient* client_;
  const FileSet* builtin_;
  ReconcileOptions options_;

  Snapshot snapshot_;
  Evaluation ev_;
  DesiredState desired_;
  LiveState live_;
  std::map<std::string, std::string> expired_;  // name -> reason
  std::map<std::string, std::string> errors_;   // name -> last error
  std::set<std::string> deleted_;               // gone in this pass
};

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_RECONCILER_H_
