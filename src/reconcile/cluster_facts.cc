// The per-cluster facts of a pass for the controller's gauges: owner,
// expiry and what the workload cluster showed, from the same input as the
// status file, so that the gauges and status/<name>.yaml agree.
#include "capigitops/duration.h"
#include "reconcile/reconciler.h"

namespace capigitops {

ClusterFacts ClusterFactsOf(const ClusterStatusInput& in) {
  ClusterFacts f;
  if (in.request) {
    f.owner = in.request->owner;
    // Before the first apply a duration TTL has no end yet (DecideTtl
    // counts it from now): no expiry until the cluster exists.
    TtlDecision ttl = DecideTtl(*in.request, in.created_at, in.now);
    bool known =
        in.created_at > 0 || in.request->ttl.kind == TtlKind::kExpiresAt;
    if (ttl.has_expiry && known) f.expires_at = ttl.expires_at;
  } else if (in.last_known.is_object()) {
    // A broken spec: the expiry last committed still holds.
    f.owner = in.last_known.value("owner", "");
    if (std::optional<int64_t> at =
            ParseRfc3339(in.last_known.value("expiresAt", std::string()))) {
      f.expires_at = *at;
    }
  }
  if (in.workload && in.workload->unreadable.empty()) {
    f.workload_read = true;
    f.nodes = in.workload->nodes;
    f.ready_nodes = in.workload->ready_nodes;
    f.gpus = in.workload->gpus_allocatable;
    f.usable = SummarizeUsability(*in.workload).usable;
  }
  return f;
}

}  // namespace capigitops
