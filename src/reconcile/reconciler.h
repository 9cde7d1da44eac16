// One reconcile pass: Git in, management cluster and status commits out.
// Phases, in order (flux's kustomize-controller shape): fetch the source,
// evaluate it, read the live state, commit TTL teardown decisions, plan and
// apply (with every safety rule of product.md section 5), then write status
// back. Git, the API and the clock are injected (PassDeps, options.now), so
// tests use fakes. Each phase reads what the earlier ones produced; nothing
// is read or evaluated twice.
#ifndef CAPIGITOPS_RECONCILE_RECONCILER_H_
#define CAPIGITOPS_RECONCILE_RECONCILER_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "capigitops/reconcile.h"
#include "capigitops/writeback.h"

namespace capigitops {

class Reconciler {
 public:
  Reconciler(const PassDeps& deps, ReconcileOptions options);

  PassResult Run();

 private:
  bool FetchSource();
  bool ReadLive();
  struct Teardown;
  void ExpireClusters();
  std::vector<Teardown> DueTeardowns();
  size_t TeardownAllowance(size_t due);
  bool CommitTeardown(const Teardown& t);
  void PlanAndApply();
  struct StatusBatch;
  void WriteStatus();
  void EmitAllStatus(StatusBatch* batch);
  void EmitStatus(const std::string& name, ClusterStatusInput in,
                  StatusBatch* batch);
  void Note(std::string text, bool error = false);
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
  std::map<std::string, std::string> errors_;   // name -> last error
};

}  // namespace capigitops

#endif  // CAPIGITOPS_RECONCILE_RECONCILER_H_
