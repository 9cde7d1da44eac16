// What the reconciler writes back to Git: TTL decisions, the teardown commit
// message and the status/<name>.yaml document.
//
// Everything here is pure: no I/O and no clock. The caller passes `now` (Unix
// seconds), so `--now` and tests control time.
#ifndef CAPIGITOPS_WRITEBACK_H_
#define CAPIGITOPS_WRITEBACK_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "capigitops/policy.h"
#include "capigitops/spec.h"
#include "capigitops/status.h"

namespace capigitops {

// ---------------------------------------------------------------- TTL

struct TtlDecision {
  bool has_expiry = false;  // false for ttl never / no ttl
  int64_t expires_at = 0;   // Unix seconds
  bool expired = false;     // now >= expires_at
  int64_t expires_in = 0;   // seconds left (0 when expired)
  // Expired but kept (deletionProtection); the reason says why and what to do.
  bool kept = false;
  std::string kept_reason;
};

// `created_at`: Unix seconds of the first apply. 0 means not created yet: a
// duration TTL then counts from `now`, so it is never expired. expiresAt
// counts regardless of creation.
TtlDecision DecideTtl(const ClusterRequest& req, int64_t created_at,
                      int64_t now);

// The teardown commit message. Its first line reads
//   ttl: tear down llm-train: expired 2026-11-27T10:00Z (ttl 4h, owner
//   ml-research)
// or, for expiresAt requests,
//   ttl: tear down x: expired 2026-12-01T18:00Z (expiresAt
//   2026-12-01T18:00:00Z, owner y)
// followed by a blank line and a short body naming the removed spec file.
std::string TeardownCommitMessage(const ClusterRequest& req,
                                  const TtlDecision& d);

// True when the cluster has an expiry, is not expired yet, and expires within
// `window` seconds ("expiring soon" in plan, status and metrics).
bool ExpiresSoon(const TtlDecision& d, int64_t window);

// ---------------------------------------------------------------- Idle

// Annotations on the live Cluster that keep the idle clock across passes,
// restarts and leaders (RFC 3339 UTC). They are runtime state, never
// committed, and applied with their own field manager (kIdleFieldManager) so
// the apply of the Cluster neither removes nor fights them.
inline constexpr char kIdleSinceAnnotation[] = "capigitops.io/idle-since";
inline constexpr char kHibernatedSinceAnnotation[] =
    "capigitops.io/hibernated-since";
inline constexpr char kLastActivityAnnotation[] = "capigitops.io/last-activity";
inline constexpr char kIdleFieldManager[] = "capi-gitops-idle";

// Namespaces whose Pods and Jobs are never GPU work: Kubernetes' own. The
// repo's idle.ignoreNamespaces (and the add-on namespaces) add to them.
const std::vector<std::string>& BuiltinIdleIgnoredNamespaces();

// One look at a workload cluster's GPU work.
struct IdleObservation {
  // False: the workload cluster could not be read (no kubeconfig Secret,
  // unreachable, timeout, RBAC); it counts as busy, never as idle.
  bool readable = false;
  std::string unreadable;  // why, without credentials
  // What keeps it busy, e.g. "pod ml/train-0 requests nvidia.com/gpu
  // (Running)", "job ml/prep is active"; empty: idle.
  std::vector<std::string> busy;
};

enum class IdleStep {
  kNone,            // nothing to do
  kSetIdleSince,    // the clock starts (annotation written)
  kClearIdleSince,  // activity, unreadable, not usable: the clock stops
  kHibernate,       // commit spec.hibernate: true
  kTeardown,        // commit the removal of the spec, then delete
};
const char* IdleStepName(IdleStep s);  // "none", "hibernate", ...

struct IdleInput {
  const ClusterRequest* request = nullptr;  // its idle and hibernate
  IdleObservation observation;
  // Whether the cluster is usable, as its status file says (the same
  // reading's SummarizeUsability): the clock only runs on a usable cluster.
  bool usable = false;
  std::string not_usable;  // why not (SummarizeUsability's reason)
  // The live Cluster's annotations (Unix seconds); nullopt when absent.
  std::optional<int64_t> idle_since;
  std::optional<int64_t> hibernated_since;
  std::optional<int64_t> last_activity;
  int64_t now = 0;
};

struct IdleDecision {
  IdleStep step = IdleStep::kNone;
  // What the live Cluster's annotations should be after this pass.
  std::optional<int64_t> idle_since;
  std::optional<int64_t> hibernated_since;
  std::optional<int64_t> last_activity;
  // "busy", "idle", "unreadable", "not-usable", "hibernated", "off".
  std::string state;
  std::string reason;  // why this step (or why none), for people
  // When the next step happens if nothing changes (0: never), and which.
  int64_t acts_at = 0;
  IdleStep next = IdleStep::kNone;
  // Teardown due but kept (deletionProtection); `reason` says so.
  bool kept = false;
};

// Pure: the idle decision for one cluster. Busy, unreadable or not usable
// clears the clock; it starts at the first idle observation of a usable
// cluster and
// is read back from the annotation, so a restart neither resets nor
// shortens it. Hibernation stops it; the hibernated time counts toward
// idle.teardownAfter.
IdleDecision DecideIdle(const IdleInput& in);

// Seconds idle at `now` for the metric (0 when the clock is not running).
int64_t IdleSeconds(const IdleDecision& d, int64_t now);

// The `idle` block of status/<name>.yaml: {state, idleSince,
// lastActivity, hibernatedSince, next: "teardown at <time>", reason}. Facts
// only: it changes when the state does, never with the clock alone (a busy
// cluster shows no times; what keeps it busy is in the pass's notes).
nlohmann::json IdleStatusBlock(const IdleDecision& d);

// The idle teardown commit message:
//   idle: tear down gpu-a: no GPU pods or active Jobs since
//   2026-11-27T10:00Z (idle 30m, owner ml)
// and a body naming the removed file.
std::string IdleTeardownCommitMessage(const ClusterRequest& req,
                                      const IdleDecision& d);

// The hibernate commit message ("idle: hibernate gpu-a: ...").
std::string HibernateCommitMessage(const ClusterRequest& req,
                                   const IdleDecision& d);

// `text` (a ClusterRequest file) with spec.hibernate set to `value`,
// changing only that line (or adding one under spec: at its indentation);
// comments and formatting elsewhere are kept. InvalidArgument when the
// file has no top-level spec: block or the line is written in a form this
// cannot edit (a flow-style spec).
StatusOr<std::string> SetHibernateLine(const std::string& text, bool value);

// ---------------------------------------------------------------- Usability

// One catalog add-on as delivered to one cluster, read from the management
// cluster: CAAPH's HelmReleaseProxy or CAPI's ClusterResourceSetBinding.
struct AddonState {
  std::string name;      // the catalog object's addons.capigitops.io/addon
  std::string provides;  // addons.capigitops.io/provides: cni, ccm, csi, gpu
  bool ready = false;
  // What the status file shows: "Ready", "Pending" (nothing delivered yet),
  // "NotReady" or "NotReady: <condition reason>".
  std::string state;
};

// What a pass read from one workload cluster. Only stable facts (counts,
// condition reasons, error categories), never a timestamp or a message
// that varies from one attempt to the next: the status file must not
// change when nothing did.
struct WorkloadReading {
  // Why the workload API gave no readings ("kubeconfig Secret not found
  // yet", "workload API unreachable: no answer in time"); "" when it did.
  std::string unreadable;
  int nodes = 0;
  int ready_nodes = 0;
  int gpu_nodes = 0;               // nodes labelled cluster-api/accelerator
  int64_t gpus_allocatable = 0;    // sum of status.allocatable nvidia.com/gpu
  std::vector<AddonState> addons;  // the catalog add-ons selecting it, by name
};

struct Usability {
  bool usable = false;
  std::string reason;  // why not; "" when usable
};

// Whether a GPU job could run on the cluster now, and the first reason it
// could not: the workload API unreadable, no nodes, nodes NotReady (and
// whether a CNI was delivered), GPU nodes without allocatable GPUs (and
// whether the GPU operator was delivered), an add-on not delivered. Pure.
Usability SummarizeUsability(const WorkloadReading& reading);

// ---------------------------------------------------------- Notifications

// The notifications each webhook has had, as "<webhook>/<event key>" joined by
// commas, on the live Cluster: runtime state as the idle clock is (never
// committed; its own field manager), so a restart or a new leader does not
// send them again. The Cluster goes with a teardown, and its record with it.
inline constexpr char kNotifiedAnnotation[] = "capigitops.io/notified";
inline constexpr char kNotifyFieldManager[] = "capi-gitops-notify";

enum class NotifyEvent {
  kExpiring,  // the TTL ends within a lead time
  kIdle,      // an idle teardown (or hibernation) is within a lead time
  kUsable,    // the cluster became usable (SummarizeUsability)
  kFailed,    // CAPI reports it Failed, or applying it failed for good
};
const char* NotifyEventName(NotifyEvent e);  // "expiring", "idle", ...

// One notification due, and the webhooks it has not reached yet.
struct Notification {
  NotifyEvent event = NotifyEvent::kUsable;
  // The event key a webhook's delivery records: "expiring-2h@<expiry>",
  // "idle-30m@<teardown time>", "usable", "failed".
  std::string key;
  // Keys recorded with it: a reminder for 30m sent when 2h had passed
  // unseen (the controller was down) stands for the 2h one too.
  std::vector<std::string> covers;
  std::vector<std::string> webhooks;
  std::string cluster;
  std::string ns;
  std::string owner;
  std::string reason;      // one line for people
  int64_t at = 0;          // the expiry or idle action; 0: none
  int64_t lead = 0;        // the lead time of a reminder; 0: not a reminder
  int64_t time = 0;        // when it was decided (the pass's now)
  bool hibernate = false;  // kIdle: the idle action is a hibernation
};

struct NotifyInput {
  std::string cluster;
  std::string ns;
  std::string owner;
  TtlDecision ttl;  // DecideTtl; reminders only while it has not expired
  // The pass's idle decision; nullptr: not watched for idle.
  const IdleDecision* idle = nullptr;
  bool usable = false;
  bool failed = false;
  std::string failed_reason;
  std::vector<int64_t> lead_times;    // longest first
  std::vector<std::string> webhooks;  // their names
  std::vector<std::string> sent;      // ParseNotified of the annotation
  int64_t now = 0;
};

struct NotifyDecision {
  std::vector<Notification> due;
  // What the annotation keeps of `sent`: records that still mean something
  // (the same expiry and idle period, a webhook still configured, failed
  // while it is). Deliveries this pass add to it.
  std::vector<std::string> keep;
};

// Pure: which notifications are due for one cluster. A reminder goes once
// per lead time, and only the nearest lead time already reached is sent (a
// cluster created with 20m left gets the 30m reminder, not also the 2h
// one). A moved expiry (extend) or a new idle period starts them anew;
// "usable" goes once per Cluster, "failed" again only after it recovered.
NotifyDecision DecideNotifications(const NotifyInput& in);

// The annotation's records, and the annotation for a set of them (sorted,
// no duplicates).
std::vector<std::string> ParseNotified(const std::string& annotation);
std::string FormatNotified(std::vector<std::string> records);

// Bodies: Slack's incoming webhook ({"text": ...}, with &, < and >
// escaped as Slack asks), and the generic one: {event, cluster, namespace,
// owner, reason, expiresAt (RFC 3339 or null), time, leadTime (e.g. "2h" or
// null)} (docs/repo-config.md, notifications).
std::string SlackPayload(const Notification& n);
std::string GenericPayload(const Notification& n);

// ---------------------------------------------------------------- Status

struct ClusterStatusInput {
  std::string name;
  // Null when the spec is gone (expired or deleted).
  const ClusterRequest* request = nullptr;
  // The live CAPI Cluster object (cluster.x-k8s.io/v1beta2) if it exists.
  std::optional<nlohmann::json> live_cluster;
  // The source revision actually applied to the cluster; "" when unknown
  // (then the file has no appliedRevision: never a guess such as HEAD).
  std::string applied_revision;
  std::string ns;          // the namespace of the cluster's objects
  int64_t created_at = 0;  // Unix seconds of the first apply; 0 = unknown
  std::optional<CostEstimate> cost;  // for the hourly cost
  // "Expired", "Deleting", "DeletionHeld", "Blocked" (spec invalid/denied),
  // or "" to derive the phase from CAPI.
  std::string phase_override;
  std::string reason;   // e.g. why Expired/Blocked/DeletionHeld
  std::string release;  // DeletionHeld: how to release it
  // DeletionHeld: the spec revision at which the hold began (what an
  // approval in approvals.yaml names).
  std::string held_at_revision;
  std::string last_error;  // never a secret: the caller passes Status text
  int64_t now = 0;         // only to decide whether a TTL has ended
  nlohmann::json idle;     // IdleStatusBlock; null: not watched for idle
  // Without a request (its spec is broken): the status block last committed.
  // Its expiresAt, ttl, provider, owner and estimatedCostPerHour are kept,
  // so expiry and cost stay visible while the cluster is blocked.
  nlohmann::json last_known;
  // The workload cluster as read this pass (nodes, GPUs, add-ons), for
  // `usable`; nullopt: not read (no connector, no live cluster, being
  // deleted), and the file has none of those fields.
  std::optional<WorkloadReading> workload;
  // The first (longest) reminder lead time: a Provisioned cluster whose TTL
  // ends within it is ExpiringSoon. 0: never.
  int64_t expiring_window = 0;
};

// True once CAPI reports the live Cluster's control plane initialized (phase
// Provisioned, status.initialization or the v1beta2 condition): from then
// on the `<name>-kubeconfig` Secret exists and the workload API answers.
bool ControlPlaneInitialized(const nlohmann::json& live_cluster);

// The cluster's phase: the override, else "NotCreated" without a live
// Cluster, "Deleting" while it has a deletionTimestamp, else CAPI's
// status.phase ("Pending" while it has none), except that a Provisioned
// cluster whose TTL ends within `expiring_window` is "ExpiringSoon". The status
// file and the capigitops_clusters{phase} metric both use it.
std::string DerivePhase(const ClusterStatusInput& in);

// The document committed as status/<name>.yaml (kind ClusterStatus).
//
// Facts, not clocks: every field changes only when something happened
// (phase, readiness, replicas, conditions, the applied revision, createdAt,
// the absolute expiresAt, the cost per hour, the reason and last error).
// Values that grow with time alone (how long until expiry, the cost so far)
// are never written: StatusClock computes them when they are shown. So two
// passes with the same facts give byte-identical files, however far apart.
// No condition lastTransitionTime is copied. For a duration TTL on a cluster
// not created yet, expiresAt is absent (unknown) and `ttl` says how long it
// will live. Only the kubeconfig Secret's name is written, never its data. An
// expired cluster kept by deletionProtection shows the TTL's kept_reason as
// `reason` unless the input gives one.
std::string RenderStatusFile(const ClusterStatusInput& in);

// What changes with the clock alone, for output at the moment it is shown:
// "expires in 3h (2026-11-27T12:00:00Z), about $12 so far". Empty when there
// is neither an expiry nor a cost.
std::string StatusClock(const ClusterStatusInput& in);

// The cost from `created_at` until `now` at the estimate's minimum, as
// "$12" or "at least $12" (autoscaled pools or unknown prices may have cost
// more); "" before any time has passed since its creation.
std::string CostSoFar(const CostEstimate& cost, int64_t created_at,
                      int64_t now);

// The time left until expiry for output: "3h", "40m", "under 10m",
// "expired"; empty when `d` has no expiry.
std::string FormatExpiresIn(const TtlDecision& d);

// An amount rounded down: whole dollars below $100, $10 above: "$12",
// "$1,230".
std::string FormatCostBucket(double amount);

}  // namespace capigitops

#endif  // CAPIGITOPS_WRITEBACK_H_
