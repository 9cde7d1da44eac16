#include "capigitops/leader.h"

#include <chrono>

#include "capigitops/duration.h"

namespace capigitops {

using nlohmann::json;

namespace {

const char kSyncAnnotation[] = "capigitops.io/sync-requested-at";

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t WallUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What identifies a change of the lease record (client-go compares the
// whole LeaderElectionRecord).
std::string Record(const json& lease) {
  const json& spec = lease.value("spec", json::object());
  return spec.value("holderIdentity", "") + "|" + spec.value("renewTime", "") +
         "|" + spec.value("acquireTime", "") + "|" +
         std::to_string(spec.value("leaseDurationSeconds", 0)) + "|" +
         std::to_string(spec.value("leaseTransitions", 0));
}

// The Lease resource, resolved once and cached in *cache.
StatusOr<ResourceInfo> LeaseResource(KubeApi* client,
                                     std::optional<ResourceInfo>* cache) {
  if (!*cache) {
    ASSIGN_OR_RETURN(ResourceInfo r,
                     client->Resolve("coordination.k8s.io/v1", "Lease"));
    *cache = r;
  }
  return **cache;
}

json NewLease(const LeaseOptions& options, int64_t wall_us) {
  std::string t = FormatMicroTime(wall_us);
  return json{{"apiVersion", "coordination.k8s.io/v1"},
              {"kind", "Lease"},
              {"metadata", {{"name", options.name}, {"namespace", options.ns}}},
              {"spec",
               {{"holderIdentity", options.identity},
                {"leaseDurationSeconds", options.lease_duration_ms / 1000},
                {"acquireTime", t},
                {"renewTime", t},
                {"leaseTransitions", 0}}}};
}

}  // namespace

std::string FormatMicroTime(int64_t unix_us) {
  return FormatRfc3339Fraction(unix_us, 6);
}

Status ValidateLeaseOptions(const LeaseOptions& o) {
  if (o.identity.empty()) {
    return Status::InvalidArgument("leader election needs an identity");
  }
  if (!(o.lease_duration_ms > o.renew_deadline_ms &&
        o.renew_deadline_ms * 10 > o.retry_period_ms * 12 &&
        o.retry_period_ms > 0)) {
    return Status::InvalidArgument(
        "leader election timing must satisfy lease duration > renew "
        "deadline > 1.2 x retry period (for example 15s, 10s, 2s)");
  }
  return Status::Ok();
}

LeaderElector::LeaderElector(KubeApi* client, LeaseOptions options,
                             LeaseClock clock)
    : client_(client), options_(std::move(options)), clock_(std::move(clock)) {
  if (!clock_.monotonic_ms) clock_.monotonic_ms = SteadyMs;
  if (!clock_.wall_us) clock_.wall_us = WallUs;
}

void LeaderElector::Observe(const json& lease, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string record = Record(lease);
  if (record != observed_record_) {
    observed_record_ = record;
    observed_at_ms_ = now_ms;
  }
  observed_ = lease;
}

StatusOr<bool> LeaderElector::TryAcquireOrRenew() {
  ASSIGN_OR_RETURN(ResourceInfo r, LeaseResource(client_, &resource_));
  int64_t now = clock_.monotonic_ms();
  int64_t wall = clock_.wall_us();
  int64_t duration_s = std::max<int64_t>(1, options_.lease_duration_ms / 1000);
  json cached;
  bool was_leading;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cached = observed_;
    was_leading = leading_;
  }
  auto won = [&](const json& stored) {
    Observe(stored, now);
    std::lock_guard<std::mutex> lock(mu_);
    leading_ = true;
    last_renew_ms_ = now;
    return true;
  };
  auto lost = [&]() {
    std::lock_guard<std::mutex> lock(mu_);
    leading_ = false;
    return false;
  };
  // Fast path: renew the lease we hold with the object we last wrote.
  if (was_leading && cached.is_object()) {
    cached["spec"]["renewTime"] = FormatMicroTime(wall);
    StatusOr<json> renewed = client_->Replace(r, cached, {});
    if (renewed.ok()) return won(*renewed);
  }
  StatusOr<json> got = client_->Get(r, options_.ns, options_.name);
  if (!got.ok() && got.status().IsNotFound()) {
    StatusOr<json> created = client_->Create(r, NewLease(options_, wall), {});
    if (created.ok()) return won(*created);
    if (created.status().code() == StatusCode::kAlreadyExists ||
        created.status().IsConflict()) {
      return lost();  // another replica created it first
    }
    return created.status();
  }
  if (!got.ok()) return got.status();
  Observe(*got, now);
  json lease = *got;
  json& spec = lease["spec"];
  if (!spec.is_object()) spec = json::object();
  std::string holder = spec.value("holderIdentity", "");
  int64_t held_for_s = spec.value("leaseDurationSeconds", duration_s);
  int64_t observed_at;
  {
    std::lock_guard<std::mutex> lock(mu_);
    observed_at = observed_at_ms_;
  }
  if (!holder.empty() && holder != options_.identity &&
      observed_at + held_for_s * 1000 > now) {
    return lost();  // someone else holds a lease that has not expired
  }
  std::string t = FormatMicroTime(wall);
  if (holder != options_.identity) {
    spec["acquireTime"] = t;
    spec["leaseTransitions"] = spec.value("leaseTransitions", 0) + 1;
  }
  spec["holderIdentity"] = options_.identity;
  spec["leaseDurationSeconds"] = duration_s;
  spec["renewTime"] = t;
  // The resourceVersion read above makes a concurrent winner's write turn
  // ours into a 409 Conflict: then we are not the leader this round.
  StatusOr<json> updated = client_->Replace(r, lease, {});
  if (updated.ok()) return won(*updated);
  if (updated.status().IsConflict()) return lost();
  return updated.status();
}

Status LeaderElector::Release() {
  json lease;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!leading_ || !observed_.is_object()) return Status::Ok();
    lease = observed_;
    leading_ = false;
  }
  ASSIGN_OR_RETURN(ResourceInfo r, LeaseResource(client_, &resource_));
  lease["spec"]["holderIdentity"] = "";
  lease["spec"]["leaseDurationSeconds"] = 1;
  lease["spec"]["renewTime"] = FormatMicroTime(clock_.wall_us());
  StatusOr<json> updated = client_->Replace(r, lease, {});
  return updated.ok() ? Status::Ok() : updated.status();
}

Status LeaderElector::RequestSync() {
  ASSIGN_OR_RETURN(ResourceInfo r, LeaseResource(client_, &resource_));
  Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    StatusOr<json> got = client_->Get(r, options_.ns, options_.name);
    if (!got.ok()) return got.status();
    json lease = *got;
    lease["metadata"]["annotations"][kSyncAnnotation] =
        FormatMicroTime(clock_.wall_us());
    StatusOr<json> updated = client_->Replace(r, lease, {});
    if (updated.ok()) return Status::Ok();
    last = updated.status();
    if (!last.IsConflict()) break;  // renewals race with us: read again
  }
  return last;
}

std::string LeaderElector::ObservedSyncRequest() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!observed_.is_object()) return "";
  return observed_.value("metadata", json::object())
      .value("annotations", json::object())
      .value(kSyncAnnotation, "");
}

bool LeaderElector::leading() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leading_;
}

std::string LeaderElector::observed_holder() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!observed_.is_object()) return "";
  return observed_.value("spec", json::object()).value("holderIdentity", "");
}

int64_t LeaderElector::last_renew_ms() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_renew_ms_;
}

}  // namespace capigitops
