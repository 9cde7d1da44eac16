// Evaluating policies against one request. Pure: the request, the policies,
// its cost estimate and an optional clock in; verdicts out.
#include "capigitops/duration.h"
#include "capigitops/policy.h"
#include "util/glob.h"

namespace capigitops {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

// The mark of `field`, or of its closest parent that was written: a missing
// label points at metadata.labels, a missing ttl at spec.
yaml::Mark NearestMark(const ClusterRequest& req, std::string field) {
  while (!field.empty()) {
    yaml::Mark m = req.MarkOf(field);
    if (m.line > 0) return m;
    size_t cut = field.find_last_of(".[");
    if (cut == std::string::npos) break;
    field.resize(cut);
  }
  return {};
}

class RuleEvaluator {
 public:
  RuleEvaluator(const ClusterRequest& req, const Policy& policy,
                const PolicyRule& rule, const CostEstimate& cost,
                const PolicyContext& context, std::vector<Verdict>* out)
      : req_(req),
        policy_(policy),
        rule_(rule),
        cost_(cost),
        context_(context),
        out_(out) {}

  void Run() {
    switch (rule_.kind) {
      case RuleKind::kAllowedProviders:
        Allowed("spec.provider", ProviderName(req_.provider));
        break;
      case RuleKind::kAllowedRegions:
        if (!req_.region.empty()) Allowed("spec.region", req_.region);
        break;
      case RuleKind::kAllowedMachineTypes:
        ForEachMachineType();
        break;
      case RuleKind::kAllowedAccelerators:
        for (size_t i = 0; i < req_.node_pools.size(); ++i) {
          const NodePool& pool = req_.node_pools[i];
          if (pool.accelerator) {
            Allowed(PoolField(i) + ".accelerator.type", pool.accelerator->type);
          }
        }
        break;
      case RuleKind::kMaxReplicas:
        MaxReplicas();
        break;
      case RuleKind::kMaxAccelerators:
        MaxAccelerators();
        break;
      case RuleKind::kMaxTtl:
        MaxTtl();
        break;
      case RuleKind::kMaxLifetime:
        MaxLifetime();
        break;
      case RuleKind::kRequireTtl:
        RequireTtlRule();
        break;
      case RuleKind::kRequiredLabels:
        RequiredLabels();
        break;
      case RuleKind::kMaxHourlyCost:
        MaxHourlyCost();
        break;
      case RuleKind::kMaxIdleAfter:
        MaxIdleAfter();
        break;
      case RuleKind::kRequireIdle:
        RequireIdleRule();
        break;
      case RuleKind::kAllowedAddons:
        // The add-ons a spec asks for; the ones chosen by provider and GPUs
        // are the platform's catalog decision, not the team's.
        if (!req_.addons.cni.empty())
          Allowed("spec.addons.cni", req_.addons.cni);
        for (size_t i = 0; i < req_.addons.extra.size(); ++i) {
          Allowed("spec.addons.extra[" + std::to_string(i) + "]",
                  req_.addons.extra[i]);
        }
        break;
    }
  }

 private:
  static std::string PoolField(size_t i) {
    return "spec.nodePools[" + std::to_string(i) + "]";
  }

  void Add(const std::string& field, const std::string& value,
           const std::string& message, bool enforce) {
    Verdict v;
    v.policy = policy_.name;
    v.rule = rule_.name;
    v.field = field;
    v.value = value;
    v.message = message;
    v.enforce = enforce;
    v.file = req_.file;
    yaml::Mark at = NearestMark(req_, field);
    v.line = at.line;
    v.column = at.column;
    v.policy_file = policy_.file;
    v.policy_line = rule_.mark.line;
    out_->push_back(std::move(v));
  }
  void Add(const std::string& field, const std::string& value,
           const std::string& message) {
    Add(field, value, message, rule_.action == PolicyAction::kEnforce);
  }

  void Allowed(const std::string& field, const std::string& value) {
    if (GlobMatchAny(rule_.patterns, value)) return;
    Add(field, value,
        Quote(value) + " is not allowed (allowed: " + Join(rule_.patterns) +
            ")");
  }

  void ForEachMachineType() {
    // Docker clusters have no machine types; nothing to check.
    if (!req_.control_plane.machine_type.empty()) {
      Allowed("spec.controlPlane.machineType", req_.control_plane.machine_type);
    }
    for (size_t i = 0; i < req_.node_pools.size(); ++i) {
      const std::string& type = req_.node_pools[i].machine_type;
      if (!type.empty()) Allowed(PoolField(i) + ".machineType", type);
    }
  }

  void MaxReplicas() {
    const int64_t limit = rule_.max_count;
    if (req_.control_plane.replicas > limit) {
      Add("spec.controlPlane.replicas",
          std::to_string(req_.control_plane.replicas),
          std::to_string(req_.control_plane.replicas) +
              " replicas exceed the limit of " + std::to_string(limit));
    }
    for (size_t i = 0; i < req_.node_pools.size(); ++i) {
      const NodePool& pool = req_.node_pools[i];
      if (pool.MaxReplicas() <= limit) continue;
      std::string field =
          PoolField(i) + (pool.autoscaling ? ".autoscaling.max" : ".replicas");
      Add(field, std::to_string(pool.MaxReplicas()),
          std::to_string(pool.MaxReplicas()) + " replicas" +
              (pool.autoscaling ? " at maximum size" : "") +
              " exceed the limit of " + std::to_string(limit) + " per pool");
    }
  }

  void MaxAccelerators() {
    int total = req_.TotalAccelerators(/*at_max=*/true);
    if (total <= rule_.max_count) return;
    std::string parts;
    for (const NodePool& pool : req_.node_pools) {
      if (!pool.accelerator || pool.MaxReplicas() == 0) continue;
      parts += (parts.empty() ? "" : ", ") + pool.name + ": " +
               std::to_string(pool.MaxReplicas()) + " x " +
               std::to_string(pool.accelerator->count);
    }
    Add("spec.nodePools", std::to_string(total),
        std::to_string(total) + " accelerators at maximum size (" + parts +
            ") exceed the limit of " + std::to_string(rule_.max_count) +
            " per cluster");
  }

  void MaxTtl() {
    const std::string limit = FormatDuration(rule_.max_ttl_seconds);
    const Ttl& ttl = req_.ttl;
    switch (ttl.kind) {
      case TtlKind::kNone:
        Add("spec.ttl", "",
            "no ttl set: clusters must expire within " + limit +
                " (set ttl, e.g. ttl: " + limit + ", or expiresAt)");
        break;
      case TtlKind::kNever:
        Add("spec.ttl", ttl.text,
            "ttl never is not allowed: clusters must expire within " + limit);
        break;
      case TtlKind::kDuration:
        if (ttl.seconds > rule_.max_ttl_seconds) {
          Add("spec.ttl", ttl.text,
              "ttl " + ttl.text + " exceeds the limit of " + limit);
        }
        break;
      case TtlKind::kExpiresAt:
        if (context_.now &&
            ttl.expires_at - *context_.now > rule_.max_ttl_seconds) {
          Add("spec.expiresAt", ttl.text,
              "expires in " + FormatDuration(ttl.expires_at - *context_.now) +
                  ", beyond the limit of " + limit);
        }
        break;
    }
  }

  // The whole life, however often it was extended: from createdAt (or now,
  // for a cluster not created yet) to the expiry. maxTTL alone lets
  // `expiresAt` move forward forever, one allowed step at a time.
  void MaxLifetime() {
    const std::string limit = FormatDuration(rule_.max_ttl_seconds);
    const Ttl& ttl = req_.ttl;
    std::optional<int64_t> start =
        context_.created_at ? context_.created_at : context_.now;
    switch (ttl.kind) {
      case TtlKind::kNone:
      case TtlKind::kNever:
        Add("spec.ttl", ttl.text,
            "clusters may live at most " + limit +
                " from creation (set ttl "
                "or expiresAt)");
        break;
      case TtlKind::kDuration:
        // A duration TTL counts from creation: its length is the lifetime.
        if (ttl.seconds > rule_.max_ttl_seconds) {
          Add("spec.ttl", ttl.text,
              "a lifetime of " + ttl.text + " exceeds the limit of " + limit +
                  " from creation");
        }
        break;
      case TtlKind::kExpiresAt:
        if (start && ttl.expires_at - *start > rule_.max_ttl_seconds) {
          Add("spec.expiresAt", ttl.text,
              "a lifetime of " + FormatDuration(ttl.expires_at - *start) +
                  (context_.created_at
                       ? " from createdAt " + FormatRfc3339(*start)
                       : std::string(" from now")) +
                  " exceeds the limit of " + limit);
        }
        break;
    }
  }

  void RequireTtlRule() {
    const RequireTtl& r = rule_.require_ttl;
    std::string which;
    if (r.always) {
      which = "clusters";
    } else if (r.for_accelerators && req_.HasAccelerators()) {
      which = "clusters with GPU node pools";
    } else if (r.for_spot && req_.HasSpot()) {
      which = "clusters with spot node pools";
    } else {
      return;
    }
    if (req_.ttl.kind == TtlKind::kNone) {
      Add("spec.ttl", "", which + " need a ttl (e.g. 4h) or expiresAt");
    } else if (req_.ttl.kind == TtlKind::kNever) {
      Add("spec.ttl", req_.ttl.text,
          which + " need a ttl (e.g. 4h) or expiresAt, not ttl never");
    }
  }

  // Only a request that has idle is checked; requireIdle asks for one.
  void MaxIdleAfter() {
    if (!req_.idle || req_.idle->after <= rule_.max_idle_seconds) return;
    const std::string limit = FormatDuration(rule_.max_idle_seconds);
    Add("spec.idle.after", req_.idle->after_text,
        "idle after " + req_.idle->after_text + " exceeds the limit of " +
            limit + " (set spec.idle.after: " + limit + " or less)");
  }

  // The repo default (capi-gitops.yaml's idle) satisfies it too.
  void RequireIdleRule() {
    const RequireTtl& r = rule_.require_ttl;
    std::string which;
    if (r.always) {
      which = "clusters";
    } else if (r.for_accelerators && req_.HasGpuPools()) {
      which = "clusters with GPU node pools";
    } else if (r.for_spot && req_.HasSpot()) {
      which = "clusters with spot node pools";
    } else {
      return;
    }
    if (req_.idle) return;
    Add("spec.idle", "",
        which +
            " need spec.idle (e.g. idle: {after: 30m, action: teardown}), "
            "or an idle default in capi-gitops.yaml");
  }

  void RequiredLabels() {
    for (const std::string& key : rule_.patterns) {
      if (req_.labels.count(key)) continue;
      Add("metadata.labels." + key, "",
          "required label " + Quote(key) + " is missing");
    }
  }

  void MaxHourlyCost() {
    const std::string limit = FormatMoney(rule_.max_hourly_cost) + "/hour";
    // Known parts alone over the limit: a violation whatever is missing.
    if (cost_.hourly_max > rule_.max_hourly_cost) {
      Add("spec", FormatMoney(cost_.hourly_max) + "/hour",
          std::string("estimated cost ") + (cost_.known ? "" : "of at least ") +
              FormatMoney(cost_.hourly_max) +
              "/hour at maximum size exceeds the limit of " + limit);
      return;
    }
    if (cost_.known) return;
    // Unknown prices warn unless the rule insists on a known price.
    Add("spec", "unknown",
        "estimated cost is unknown (no price for " + Join(cost_.missing) +
            "), so the limit of " + limit + " cannot be checked",
        rule_.require_known_price && rule_.action == PolicyAction::kEnforce);
  }

  const ClusterRequest& req_;
  const Policy& policy_;
  const PolicyRule& rule_;
  const CostEstimate& cost_;
  const PolicyContext& context_;
  std::vector<Verdict>* out_;
};

}  // namespace

bool PolicySelector::Matches(const ClusterRequest& req) const {
  if (!clusters.empty() && !GlobMatchAny(clusters, req.name)) return false;
  if (!owners.empty() && !GlobMatchAny(owners, req.owner)) return false;
  if (!providers.empty()) {
    bool found = false;
    for (Provider p : providers) found = found || p == req.provider;
    if (!found) return false;
  }
  for (const auto& [key, pattern] : labels) {
    auto it = req.labels.find(key);
    if (it == req.labels.end() || !GlobMatch(pattern, it->second)) {
      return false;
    }
  }
  return true;
}

std::string Verdict::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line) + ":" + std::to_string(column);
  }
  out += enforce ? ": deny: " : ": warn: ";
  out += "policy " + policy + " rule " + rule + ": ";
  if (!field.empty()) out += field + ": ";
  return out + message;
}

std::vector<Verdict> EvaluatePolicies(const ClusterRequest& req,
                                      const std::vector<Policy>& policies,
                                      const CostEstimate& cost,
                                      const PolicyContext& context) {
  std::vector<Verdict> verdicts;
  for (const Policy& policy : policies) {
    if (!policy.selector.Matches(req)) continue;
    for (const PolicyRule& rule : policy.rules) {
      RuleEvaluator(req, policy, rule, cost, context, &verdicts).Run();
    }
  }
  return verdicts;
}

bool IsDenied(const std::vector<Verdict>& verdicts) {
  for (const Verdict& v : verdicts) {
    if (v.enforce) return true;
  }
  return false;
}

}  // namespace capigitops
