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

#include "capigitops/policy.h"
#include "capigitops/spec.h"

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

// ---------------------------------------------------------------- Status

struct ClusterStatusInput {
  std::string name;
  // Null when the spec is gone (expired or deleted).
  const ClusterRequest* request = nullptr;
  // The live CAPI Cluster object (cluster.x-k8s.io/v1beta2) if it exists.
  std::optional<nlohmann::json> live_cluster;
  std::string applied_revision;
  int64_t created_at = 0;  // Unix seconds of the first apply; 0 = unknown
  std::optional<CostEstimate> cost;  // for the hourly cost and cost so far
  // "Expired", "Deleting", "Blocked" (spec invalid/denied), or "" to derive
  // the phase from CAPI.
  std::string phase_override;
  std::string reason;      // e.g. why Expired/Blocked
  std::string last_error;  // never a secret: the caller passes Status text
  int64_t now = 0;
};

// The cluster's phase: the override, else "NotCreated" without a live
// Cluster, "Deleting" while it has a deletionTimestamp, else CAPI's
// status.phase ("Pending" while it has none). The status file and the
// capigitops_clusters{phase} metric both use it.
std::string DerivePhase(const ClusterStatusInput& in);

// The document committed as status/<name>.yaml (kind ClusterStatus).
//
// Deterministic: the same input gives byte-identical output. Values that drift
// every pass are bucketed so the document only changes when something
// meaningful did: expiresIn rounds down to whole hours at 1h and above, to 10
// minutes below ("3h", "40m", "under 10m", "expired"); the cost so far rounds
// down to whole dollars below $100 and to $10 above. No condition
// lastTransitionTime is copied. For a duration TTL on a cluster not created
// yet, expiresAt is absent (unknown) and expiresIn shows the full TTL.
// Only the kubeconfig Secret's name is written, never its data. An expired
// cluster kept by deletionProtection shows the TTL's kept_reason as `reason`
// unless the input gives one. estimatedCostSoFar is hours since createdAt
// times hourly_min, prefixed "at least " when the true cost may be higher
// (autoscaled pools, unknown prices).
std::string RenderStatusFile(const ClusterStatusInput& in);

// The expiresIn text of the status file for `d` (bucketed as above); empty
// when `d` has no expiry.
std::string FormatExpiresIn(const TtlDecision& d);

// The cost so far rounded down as described above: "$12", "$1,230".
std::string FormatCostBucket(double amount);

}  // namespace capigitops

#endif  // CAPIGITOPS_WRITEBACK_H_
