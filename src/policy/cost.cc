// The cost estimate: what a request costs per hour and over its TTL.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "capigitops/machine_catalog.h"
#include "capigitops/policy.h"

namespace capigitops {
namespace {

// On AWS, Azure and OpenStack GPUs cannot be attached on their own: the
// instance type (flavor) brings them, and its price covers them.
bool GpusComeWithInstanceType(Provider p) {
  return p == Provider::kAws || p == Provider::kAzure ||
         p == Provider::kOpenstack;
}

// Prices nodes of one request and remembers what it could not price.
class Pricer {
 public:
  Pricer(const PriceTable& prices, const ClusterRequest& req, CostEstimate* est)
      : prices_(prices), req_(req), provider_(req.provider), est_(est) {}

  // One node: the machine plus, unless its price covers them, the
  // accelerators attached to it. Sets `*known` false when a price is missing.
  double Node(const std::string& machine_type, bool spot,
              const std::optional<Accelerator>& accelerator, bool* known) {
    double hourly = 0;
    const Price* machine = prices_.MachinePrice(provider_, machine_type);
    std::string what =
        "machine type " +
        (machine_type.empty() ? std::string("(none given)") : machine_type);
    hourly += Amount(machine, spot, what, known);
    // GPUs the machine type comes with (GCP a2/a3/g2) are in its price.
    auto shape = LookupMachineShape(provider_, machine_type, req_.settings);
    bool included = GpusComeWithInstanceType(provider_) ||
                    (shape && shape->gpu_count > 0) ||
                    (machine != nullptr && machine->includes_accelerators);
    if (accelerator && !included) {
      const Price* accel =
          prices_.AcceleratorPrice(provider_, accelerator->type);
      hourly += accelerator->count *
                Amount(accel, spot, "accelerator " + accelerator->type, known);
    }
    return hourly;
  }

 private:
  double Amount(const Price* price, bool spot, const std::string& what,
                bool* known) {
    if (price == nullptr) {
      Missing(std::string(ProviderName(provider_)) + " " + what);
    } else if (spot && !price->spot) {
      Missing(std::string(ProviderName(provider_)) + " spot price of " + what);
    } else if (!spot && !price->on_demand) {
      Missing(std::string(ProviderName(provider_)) + " on-demand price of " +
              what);
    } else {
      return spot ? *price->spot : *price->on_demand;
    }
    *known = false;
    return 0;
  }

  void Missing(const std::string& what) {
    est_->known = false;
    auto& m = est_->missing;
    if (std::find(m.begin(), m.end(), what) == m.end()) m.push_back(what);
  }

  const PriceTable& prices_;
  const ClusterRequest& req_;
  Provider provider_;
  CostEstimate* est_;
};

std::optional<double> TtlHours(const Ttl& ttl, std::optional<double> override) {
  if (ttl.kind != TtlKind::kDuration && ttl.kind != TtlKind::kExpiresAt) {
    return std::nullopt;  // no end: no total
  }
  if (override) return std::max(0.0, *override);
  if (ttl.kind == TtlKind::kDuration) return ttl.seconds / 3600.0;
  return std::nullopt;  // expiresAt needs the caller's clock
}

}  // namespace

CostEstimate EstimateCost(const ClusterRequest& req, const PriceTable& prices,
                          std::optional<double> ttl_hours_override) {
  CostEstimate est;
  est.currency = prices.currency.empty() ? "USD" : prices.currency;
  Pricer pricer(prices, req, &est);

  // The control plane never runs on spot: losing etcd members is not a
  // saving.
  CostLine cp{"controlPlane",
              "spec.controlPlane",
              req.control_plane.machine_type,
              false,
              req.control_plane.replicas,
              req.control_plane.replicas};
  cp.node_hourly = pricer.Node(cp.machine_type, false, std::nullopt, &cp.known);
  est.lines.push_back(cp);

  for (size_t i = 0; i < req.node_pools.size(); ++i) {
    const NodePool& pool = req.node_pools[i];
    CostLine line{
        pool.name,          "spec.nodePools[" + std::to_string(i) + "]",
        pool.machine_type,  pool.spot,
        pool.MinReplicas(), pool.MaxReplicas()};
    line.node_hourly = pricer.Node(pool.machine_type, pool.spot,
                                   pool.accelerator, &line.known);
    // Hibernated GPU pools are rendered at zero (autoscaled: max 0); their
    // node price stays on the line for when they resume.
    if (req.hibernate && req.IsGpuPool(pool)) {
      line.hibernated = true;
      line.min_replicas = line.max_replicas = 0;
    }
    est.lines.push_back(line);
  }
  for (const CostLine& line : est.lines) {
    est.hourly_min += line.min_replicas * line.node_hourly;
    est.hourly_max += line.max_replicas * line.node_hourly;
  }
  est.ttl_hours = TtlHours(req.ttl, ttl_hours_override);
  if (est.ttl_hours) {
    est.total_min = est.hourly_min * *est.ttl_hours;
    est.total_max = est.hourly_max * *est.ttl_hours;
  }
  return est;
}

std::string FormatMoney(double amount) {
  long long cents = std::llround(amount * 100);
  bool negative = cents < 0;
  cents = std::llabs(cents);
  std::string whole = std::to_string(cents / 100);
  for (int i = static_cast<int>(whole.size()) - 3; i > 0; i -= 3) {
    whole.insert(static_cast<size_t>(i), ",");
  }
  int frac = static_cast<int>(cents % 100);
  return std::string(negative ? "-" : "") + "$" + whole + "." +
         (frac < 10 ? "0" : "") + std::to_string(frac);
}

}  // namespace capigitops
