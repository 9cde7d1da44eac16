// Reviewing a plan: replacements, cost before and after, expiry.
#include "capigitops/plan_review.h"

#include <cmath>
#include <ctime>

#include "capigitops/json.h"
#include "capigitops/writeback.h"

namespace capigitops {
namespace {

using nlohmann::json;

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string Display(const json& v) {
  if (v.is_null()) return "(none)";
  return v.is_string() ? v.get<std::string>() : yaml::DumpJson(v);
}

// Live machines of a MachineDeployment or KubeadmControlPlane: what runs
// (status.replicas), else what is asked for (spec.replicas).
std::optional<int> LiveMachines(const LiveObjects& live, const ObjRef& ref) {
  auto it = live.find(ref);
  if (it == live.end()) return std::nullopt;
  const json obj = it->second.Decode();
  for (const char* part : {"status", "spec"}) {
    auto p = obj.find(part);
    if (p == obj.end() || !p->is_object()) continue;
    auto r = p->find("replicas");
    if (r != p->end() && r->is_number_integer()) return r->get<int>();
  }
  return std::nullopt;
}

// A field change that makes CAPI replace machines, and in words why; "" when
// the change is applied in place (replicas, drain timeouts, metadata).
std::string RollCause(const std::string& kind, const FieldChange& fc) {
  std::string tmpl;  // the part of the object that describes machines
  if (kind == "MachineDeployment") {
    tmpl = "spec.template.spec.";
    if (StartsWith(fc.path, tmpl + "deletion") ||
        StartsWith(fc.path, tmpl + "minReadySeconds"))
      return "";
    if (!StartsWith(fc.path, tmpl)) return "";
  } else if (kind == "KubeadmControlPlane") {
    tmpl = "spec.machineTemplate.spec.";
    if (StartsWith(fc.path, tmpl + "deletion")) return "";
    if (!StartsWith(fc.path, tmpl) && fc.path != "spec.version" &&
        !StartsWith(fc.path, "spec.kubeadmConfigSpec"))
      return "";
  } else {
    return "";
  }
  std::string rest = StartsWith(fc.path, tmpl) ? fc.path.substr(tmpl.size())
                                               : fc.path.substr(5);
  if (rest == "infrastructureRef.name")
    return "new machine template " + Display(fc.after);
  if (rest == "bootstrap.configRef.name")
    return "new bootstrap template " + Display(fc.after);
  if (rest == "version")
    return "Kubernetes " + Display(fc.before) + " → " + Display(fc.after);
  return rest + " changed";
}

// "pool gpu" for MachineDeployment llm-train-gpu of cluster llm-train.
std::string PoolScope(const std::string& cluster, const std::string& md) {
  std::string prefix = cluster + "-";
  return "pool " + (StartsWith(md, prefix) && md.size() > prefix.size()
                        ? md.substr(prefix.size())
                        : md);
}

// "2-20" from the cluster-autoscaler annotations of a MachineDeployment
// (render/autoscaler.cc), or "".
std::string AutoscalerBounds(const json& md) {
  if (!md.is_object()) return "";
  json ann = md.value("metadata", json::object());
  ann = ann.is_object() ? ann.value("annotations", json::object()) : json();
  if (!ann.is_object()) return "";
  const std::string prefix =
      "cluster.x-k8s.io/cluster-api-autoscaler-node-group-";
  std::string lo = ann.value(prefix + "min-size", "");
  std::string hi = ann.value(prefix + "max-size", "");
  return lo.empty() || hi.empty() ? "" : lo + "-" + hi;
}

HourlyCost HourlyOf(const CostEstimate& c) {
  return HourlyCost{c.known, c.hourly_min, c.hourly_max};
}

std::optional<int64_t> ExpiryOf(const ClusterRequest& req, int64_t created,
                                int64_t now) {
  TtlDecision d = DecideTtl(req, created, now);
  if (!d.has_expiry) return std::nullopt;
  return d.expires_at;
}

// The applied spec recorded on each live Cluster, by cluster name.
std::map<std::string, std::optional<ClusterRequest>> AppliedSpecs(
    const LiveObjects& live) {
  std::map<std::string, std::optional<ClusterRequest>> out;
  for (const auto& [ref, encoded] : live) {
    if (ref.kind != "Cluster") continue;
    const json obj = encoded.Decode();
    const json* ann = nullptr;
    auto meta = obj.find("metadata");
    if (meta != obj.end() && meta->is_object()) {
      auto a = meta->find("annotations");
      if (a != meta->end() && a->is_object()) ann = &*a;
    }
    if (ann == nullptr || !ann->contains(kAppliedSpecAnnotation) ||
        !(*ann)[kAppliedSpecAnnotation].is_string()) {
      out[ref.name] = std::nullopt;
      continue;
    }
    json record = json::parse((*ann)[kAppliedSpecAnnotation].get<std::string>(),
                              nullptr, false);
    out[ref.name] = RequestFromRecord(record);
  }
  return out;
}

bool DeletionGoesAhead(const Plan& plan, const ClusterPlan& cp) {
  return cp.action == ClusterAction::kDelete && !cp.deletion_held &&
         !plan.budget_exceeded && plan.prune_allowed;
}

}  // namespace

std::string Replacement::ToString() const {
  std::string count =
      machines
          ? std::to_string(*machines) + " machine" + (*machines == 1 ? "" : "s")
          : "every machine (count unknown" +
                (autoscaled.empty() ? "" : "; autoscaled " + autoscaled) + ")";
  if (kind == kRemoved)
    return scope + " removed: " +
           (machines ? "its " + count + " are deleted"
                     : "its machines are deleted");
  std::string s = "rolling replacement of " + count + " " +
                  (scope == "the control plane" ? "of " : "in ") + scope;
  if (!cause.empty()) s += " (" + cause + ")";
  return s;
}

std::vector<Replacement> FindReplacements(const ClusterPlan& cp,
                                          const LiveObjects& live) {
  std::vector<Replacement> out;
  if (cp.action != ClusterAction::kUpdate) return out;
  for (const ObjectChange& oc : cp.objects) {
    const std::string& kind = oc.ref.kind;
    if (kind != "MachineDeployment" && kind != "KubeadmControlPlane") continue;
    Replacement r;
    r.object = oc.ref.ToString();
    r.scope = kind == "MachineDeployment" ? PoolScope(cp.name, oc.ref.name)
                                          : "the control plane";
    r.machines = LiveMachines(live, oc.ref);
    if (!r.machines) r.autoscaled = AutoscalerBounds(oc.DesiredObject());
    if (oc.action == ObjectAction::kDelete) {
      r.kind = Replacement::kRemoved;
      out.push_back(r);
      continue;
    }
    if (oc.action != ObjectAction::kUpdate) continue;
    for (const FieldChange& fc : oc.changes) {
      std::string cause = RollCause(kind, fc);
      if (cause.empty()) continue;
      r.cause += (r.cause.empty() ? "" : "; ") + cause;
    }
    if (!r.cause.empty()) out.push_back(r);
  }
  return out;
}

std::string HourlyCost::ToString() const {
  if (!known) return "unknown";
  std::string s = FormatMoney(min);
  if (max != min) s += "-" + FormatMoney(max);
  return s;
}

bool ClusterReview::CostChanges() const {
  if (!hourly_before.has_value() || !hourly_after.has_value())
    return hourly_before.has_value() != hourly_after.has_value();
  return hourly_before->ToString() != hourly_after->ToString();
}

const ClusterReview* PlanReview::Find(const std::string& name) const {
  for (const ClusterReview& c : clusters) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

namespace {

// One cluster's review; `before` is its applied spec (null: unknown or new),
// `in` its repository side (null: removed from the repository).
ClusterReview ReviewCluster(const Plan& plan, const ClusterPlan& cp,
                            const ClusterRequest* before, const ReviewInput* in,
                            const PriceTable& prices, const LiveObjects& live) {
  ClusterReview r;
  r.name = cp.name;
  r.action = cp.action;
  const ClusterRequest* after = in != nullptr ? in->request : nullptr;
  int64_t created = cp.inventory ? cp.inventory->created_at : 0;
  r.before_known = cp.action == ClusterAction::kCreate || before != nullptr;
  if (before != nullptr) {
    r.hourly_before = HourlyOf(EstimateCost(*before, prices));
    r.expires_before = ExpiryOf(*before, created, plan.now);
  }
  bool applies = cp.action == ClusterAction::kCreate ||
                 cp.action == ClusterAction::kUpdate;
  if (applies && after != nullptr) {
    if (in->cost != nullptr) r.hourly_after = HourlyOf(*in->cost);
    r.expires_after = ExpiryOf(*after, created, plan.now);
  } else if (!DeletionGoesAhead(plan, cp)) {
    // Unchanged, blocked or held: what runs stays what was applied. Without
    // a record only the repository's expiry is known (as before this review).
    r.hourly_after = r.hourly_before;
    r.expires_after = before != nullptr || after == nullptr
                          ? r.expires_before
                          : ExpiryOf(*after, created, plan.now);
  }
  if (applies && before != nullptr && after != nullptr)
    r.spec_changes = DiffSpecs(*before, *after);
  r.replacements = FindReplacements(cp, live);
  r.expiry_moves =
      applies && before != nullptr && r.expires_before != r.expires_after;
  return r;
}

// Adds a cluster that this plan changes to the plan's cost change.
void AddToTotal(const ClusterReview& r, PlanReview* review) {
  if (!r.before_known) {
    review->complete = false;
    return;
  }
  if (!r.CostChanges()) return;
  review->any_cost_change = true;
  HourlyCost b = r.hourly_before.value_or(HourlyCost{true, 0, 0});
  HourlyCost a = r.hourly_after.value_or(HourlyCost{true, 0, 0});
  if (!a.known || !b.known) {
    review->complete = false;
    return;
  }
  review->hourly_change_min += a.min - b.min;
  review->hourly_change_max += a.max - b.max;
}

}  // namespace

PlanReview ReviewPlan(const Plan& plan,
                      const std::map<std::string, ReviewInput>& requests,
                      const PriceTable& prices, const LiveObjects& live) {
  std::map<std::string, std::optional<ClusterRequest>> applied =
      AppliedSpecs(live);
  PlanReview review;
  for (const ClusterPlan& cp : plan.clusters) {
    // The add-on catalog has no spec, cost or expiry to review.
    if (IsCatalogInventory(cp.name)) continue;
    auto in = requests.find(cp.name);
    auto rec = applied.find(cp.name);
    const ClusterRequest* before =
        rec != applied.end() && rec->second ? &*rec->second : nullptr;
    ClusterReview r = ReviewCluster(
        plan, cp, before, in == requests.end() ? nullptr : &in->second, prices,
        live);
    bool changes = cp.action == ClusterAction::kCreate ||
                   cp.action == ClusterAction::kUpdate ||
                   DeletionGoesAhead(plan, cp);
    if (changes) AddToTotal(r, &review);
    review.clusters.push_back(std::move(r));
  }
  // Money in cents: 4.10 - 2.10 is 1.9999999999999996 in binary.
  review.hourly_change_min = std::round(review.hourly_change_min * 100) / 100;
  review.hourly_change_max = std::round(review.hourly_change_max * 100) / 100;
  return review;
}

std::string FormatExpiry(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

}  // namespace capigitops
