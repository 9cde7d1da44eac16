// The reconcile core: a repository's files become per-cluster results
// (Evaluate), the sync layer's desired state (ToDesiredState), and one GitOps
// pass (RunPass: fetch, evaluate, read live, TTL teardown, plan and apply,
// status back to Git) returns a typed PassResult. No flags, no exit codes,
// no output: the CLI (src/app) and the controller (src/daemon) decide what a
// result means for them.
#ifndef CAPIGITOPS_RECONCILE_H_
#define CAPIGITOPS_RECONCILE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "capigitops/git.h"
#include "capigitops/kube_api.h"
#include "capigitops/loader.h"
#include "capigitops/notifier.h"
#include "capigitops/policy.h"
#include "capigitops/shard.h"
#include "capigitops/spec.h"
#include "capigitops/status.h"
#include "capigitops/sync.h"
#include "capigitops/workload.h"

namespace capigitops {

// ---------------------------------------------------------------- Evaluate

struct ClusterResult {
  ClusterRequest request;
  CostEstimate cost;
  std::vector<Verdict> verdicts;
  bool denied = false;                  // an enforce verdict
  std::vector<nlohmann::json> objects;  // when rendered and not denied
  std::string render_error;             // expansion failed (cluster blocked)
};

struct Evaluation {
  // config, broken, diags; its requests are moved into `clusters`
  LoadedRepo repo;
  std::string ns;                       // where the objects go
  std::vector<ClusterResult> clusters;  // one per loaded request, by name
  // Clusters that must be left exactly as they are live: broken specs,
  // policy denials and failed expansion.
  std::set<std::string> blocked;
  bool has_errors = false;  // load errors, denials or failed expansion
  PriceTable prices;        // built-in and the repo's (for plan reviews)
  // The add-on catalog's objects (render/ExpandCatalog), applied and pruned
  // under their own inventory (kCatalogInventoryName), when rendered.
  std::vector<nlohmann::json> catalog_objects;
  std::string catalog_error;  // expansion of the catalog failed
};

struct EvaluateOptions {
  bool render = false;   // expand into CAPI objects
  std::string revision;  // source revision recorded on each Cluster
  std::string ns;        // namespace of the objects; "" = capi-gitops.yaml's
  int64_t now = 0;       // Unix seconds; for the cost of expiresAt requests
  // When set, the policy and price files to evaluate with instead of the
  // repository's policies directory: a pull request's plan takes them from
  // its base branch, so that it cannot loosen its own policies.
  const FileSet* policies = nullptr;
};

// The pure core of every command. `builtin` holds the project's
// policies/*.yaml; the repo's policies directory adds policies and may
// override prices (policies/prices.yaml). No I/O, no clock.
Evaluation Evaluate(const FileSet& files, const FileSet& builtin,
                    const EvaluateOptions& options);

// Expands one cluster of an evaluation made without `render` (a copy of
// one of ev.clusters, or one of them) exactly as Evaluate with `render`
// would: its objects, or its render_error; a denied one stays empty.
// `render` streams this way, a batch of clusters at a time.
void RenderCluster(const Evaluation& ev, const EvaluateOptions& options,
                   ClusterResult* r);

// Drops the clusters named in `names` from `ev` (their specs are gone, as
// after a TTL teardown commit), without evaluating anything again.
void RemoveClusters(const std::set<std::string>& names, Evaluation* ev);

// The sync layer's input: the rendered clusters, the blocked ones, the
// deletion budget, and whether the source as a whole allows pruning.
DesiredState ToDesiredState(const Evaluation& ev);
// The same, moving the rendered objects out of `ev` instead of copying
// them: a pass holds one copy of each desired object, not two. `ev` keeps
// everything else (requests, verdicts, diagnostics), with no objects.
DesiredState TakeDesiredState(Evaluation* ev);

// Every (apiVersion, kind) the desired objects use.
std::set<std::pair<std::string, std::string>> DesiredKinds(
    const DesiredState& d);

// ---------------------------------------------------------------- Outcomes

// What a pass (or `apply`) did to one cluster.
enum class ClusterOutcome {
  kUnchanged,
  kCreated,
  kUpdated,
  kDeleted,   // gone, with every inventory object
  kDeleting,  // the Cluster is being torn down by CAPI; a later pass resumes
  kHeld,      // deletion held by deletionProtection or the deletion budget
  kBlocked,   // broken spec, policy denial or source errors: left as it is
  kExpired,   // its TTL ended; the teardown commit landed, deletion follows
  kFailed,    // planning or applying failed (see status)
};
const char* ClusterOutcomeName(ClusterOutcome o);

struct ClusterPassResult {
  std::string name;
  ClusterOutcome outcome = ClusterOutcome::kUnchanged;
  ApplyCounts counts;
  Status status;          // the first error; transient() says retry later
  int error_count = 0;    // every error of the cluster (status is the first)
  std::string reason;     // why blocked / held / expired
  bool executed = false;  // the executor acted on it (not unchanged/blocked)
};

// Decodes the executor's result for one planned cluster, once for every
// caller (apply, reconcile). `budget_message` explains a held deletion
// without a reason of its own.
ClusterPassResult DecodeApply(const ClusterPlan& plan,
                              const ClusterApplyResult& result,
                              const std::string& budget_message);

// ---------------------------------------------------------------- One pass

struct ReconcileOptions {
  bool ttl_only = false;  // `capi-gitops ttl`: only expire and delete
  std::string ns_override;
  std::string branch = "main";  // the spec branch
  std::string status_branch;    // "" = commit status to the spec branch
  std::string author_name;      // "" = capi-gitops.yaml's writeBack.author
  std::string author_email;
  int64_t now = 0;  // Unix seconds
  // --shard I/N: act only on the clusters of shard I (reconciler_shard.cc).
  Shard shard;
  SyncOptions sync;
  // Where the Secrets holding the notification webhooks' URLs live (the
  // controller's namespace); read only when PassDeps::notifier is set.
  std::string notify_namespace = "capi-gitops-system";
};

// One line of what happened, for people and logs.
struct PassNote {
  bool error = false;
  std::string text;
  std::string cluster = {};  // the cluster it is about, if one (a log field)
};

// How a pass ended, worst first.
enum class PassOutcome {
  kSuccess,
  kDeletionHeld,  // a deletion is held (protection, budget); nothing else
                  // went wrong
  kInvalid,       // some specs blocked; the rest was reconciled
  kSourceError,   // Git could not be read or written
  kApiError,      // the management cluster could not be read
  kApplyFailed,   // some objects failed to apply or delete
};
const char* PassOutcomeName(PassOutcome o);  // "success", "source_error", ...

// What the status phase knew of one cluster, for the controller's
// per-cluster gauges.
struct ClusterFacts {
  std::string owner;
  int64_t expires_at = 0;      // Unix seconds; 0: no expiry, or not known yet
  bool workload_read = false;  // the workload cluster was read: the rest holds
  int nodes = 0;
  int ready_nodes = 0;
  int64_t gpus = 0;  // allocatable
  bool usable = false;
};

struct PassResult {
  std::string revision;  // spec commit reconciled
  Status source;         // fetching the spec failed: nothing was done
  Status live;           // reading the live state failed: nothing done
  Status git_write;      // the first failed teardown or status commit
  bool invalid = false;  // load errors, denials or failed expansion
  std::vector<ClusterPassResult> clusters;  // by name; planned clusters
  std::vector<PassNote> notes;
  std::vector<std::string> teardown_commits;
  std::string status_commit;  // "" when status did not change
  std::map<std::string, std::string> status_files;  // path -> content
  // What changes with the clock alone, computed now and never committed:
  // cluster -> "expires in 3h (2026-...), $12 so far" (StatusClock).
  std::map<std::string, std::string> clocks;
  // For the controller's metrics.
  bool status_known = false;                  // the pass got as far as status
  long objects_applied = 0;                   // created or configured
  long objects_pruned = 0;                    // deleted
  std::map<std::string, std::string> phases;  // cluster -> DerivePhase
  int expiring_soon = 0;  // clusters whose TTL ends within the hour
  // Clusters with spec.idle: seconds without GPU work (0 while busy).
  std::map<std::string, int64_t> idle_seconds;
  // Idle decisions this pass by step ("hibernate", "teardown",
  // "set_idle_since", "clear_idle_since").
  std::map<std::string, int> idle_decisions;
  // Seconds from the pass's `now` until the first idle teardown or
  // hibernation falls due if nothing changes; `run` passes again then, so a
  // cluster whose GPU work is over is acted on within idle.after plus one
  // interval. nullopt: none due.
  std::optional<int64_t> next_idle_action_in;
  // Every cluster with a status file this pass (status_known), by name.
  std::map<std::string, ClusterFacts> cluster_facts;
  // Lifecycle notifications this pass: deliveries "sent" and "failed"
  // (one per webhook and notification).
  std::map<std::string, int> notifications;

  bool changed() const;  // anything applied or deleted
  PassOutcome outcome() const;
};

// What a pass reads and writes; none owned. `status` may equal `spec`.
// Read-only and dry runs are decorators of these (NewReadOnlyGitSource, the
// kube module's dry-run API), not options of the pass.
struct PassDeps {
  GitSource* spec = nullptr;
  GitSource* status = nullptr;
  KubeApi* kube = nullptr;
  const FileSet* builtin_policies = nullptr;
  // Workload clusters (usability status, idle decisions); nullptr: not
  // read, and their status says so.
  WorkloadConnector* workload = nullptr;
  // Lifecycle notifications (capi-gitops.yaml's notifications): `run`
  // sets it; nullptr: none are sent or recorded.
  Notifier* notifier = nullptr;
};

PassResult RunPass(const PassDeps& deps, const ReconcileOptions& options);

// What a pass depends on besides the clock, as a digest: the spec branch's
// tip (capi-gitops.yaml included) and the name and resourceVersion of every
// live inventory and managed Cluster. One fetch and two LISTs; the
// controller skips a pass whose fingerprint equals the last settled one's.
StatusOr<std::string> PassFingerprint(const PassDeps& deps,
                                      const ReconcileOptions& options);

// A GitSource that reads through `inner` and commits nothing: CommitAndPush
// keeps the request (withheld()) and returns "" (no commit made).
class ReadOnlyGitSource : public GitSource {
 public:
  explicit ReadOnlyGitSource(GitSource* inner) : inner_(inner) {}
  StatusOr<Snapshot> Fetch(const std::vector<std::string>& prefixes) override;
  StatusOr<Snapshot> ReadCommit(
      const std::string& commit,
      const std::vector<std::string>& prefixes) override;
  StatusOr<std::string> CommitAndPush(const CommitRequest& req) override;
  const std::vector<CommitRequest>& withheld() const { return withheld_; }

 private:
  GitSource* inner_;
  std::vector<CommitRequest> withheld_;
};

}  // namespace capigitops

#endif  // CAPIGITOPS_RECONCILE_H_
