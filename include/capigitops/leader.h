// Leader election on a coordination.k8s.io/v1 Lease, as client-go's
// leaderelection package does it (kube-api.md section 7), so that of several
// controller replicas exactly one reconciles and a standby takes over when
// the leader dies. Expiry is judged on the local monotonic clock from the
// moment a change of the record was last observed, never by comparing
// renewTime with our clock, so clock skew between nodes does not matter.
#ifndef CAPIGITOPS_LEADER_H_
#define CAPIGITOPS_LEADER_H_

#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "capigitops/kube_api.h"
#include "capigitops/status.h"

namespace capigitops {

struct LeaseOptions {
  std::string ns = "capi-gitops-system";
  std::string name = "capi-gitops";
  std::string identity;  // unique per process: "<pod>_<random>"
  int64_t lease_duration_ms = 15000;
  int64_t renew_deadline_ms = 10000;
  int64_t retry_period_ms = 2000;
};

// Injected so tests can move time; defaults are the real clocks.
struct LeaseClock {
  std::function<int64_t()> monotonic_ms;
  std::function<int64_t()> wall_us;  // Unix microseconds, for MicroTime
};

// Checks client-go's constraint: duration > deadline > 1.2 x retry period.
Status ValidateLeaseOptions(const LeaseOptions& options);

class LeaderElector {
 public:
  LeaderElector(KubeApi* client, LeaseOptions options, LeaseClock clock = {});

  // One round of tryAcquireOrRenew: creates, renews or takes over the Lease.
  // True when this process leads after the round. An API error is returned
  // as is; the caller decides whether the renew deadline has passed.
  StatusOr<bool> TryAcquireOrRenew();

  // Hands the Lease over at shutdown (holder "", 1 s duration), so a standby
  // takes over at once instead of after a full lease duration.
  Status Release();

  // Asks the leader for a pass by stamping an annotation on the Lease; the
  // leader sees it on its next renewal. Used when a standby receives a
  // webhook.
  Status RequestSync();
  // The sync request stamp seen in the last observed Lease ("" if none).
  std::string ObservedSyncRequest() const;

  bool leading() const;
  std::string observed_holder() const;
  // Milliseconds (monotonic) of the last successful acquire or renew.
  int64_t last_renew_ms() const;
  const LeaseOptions& options() const { return options_; }

 private:
  void Observe(const nlohmann::json& lease, int64_t now_ms);

  KubeApi* client_;
  LeaseOptions options_;
  LeaseClock clock_;

  mutable std::mutex mu_;
  std::optional<ResourceInfo> resource_;
  nlohmann::json observed_;      // the Lease as last read or written
  std::string observed_record_;  // holder, times and duration
  int64_t observed_at_ms_ = 0;
  bool leading_ = false;
  int64_t last_renew_ms_ = 0;
};

// MicroTime as the API writes it: "2026-11-27T10:00:00.123456Z".
std::string FormatMicroTime(int64_t unix_us);

}  // namespace capigitops

#endif  // CAPIGITOPS_LEADER_H_
