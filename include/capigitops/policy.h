// Policies, the price table and the cost estimate of a ClusterRequest.
//
// Everything here is pure: loaders take file contents, evaluation takes a
// loaded request. Files are `kind: Policy` and `kind: PriceTable` YAML
// documents (apiVersion capigitops.io/v1alpha1); the project ships built-in
// ones in policies/ and a cluster repo adds its own in its policies/.
#ifndef CAPIGITOPS_POLICY_H_
#define CAPIGITOPS_POLICY_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capigitops/config.h"
#include "capigitops/diagnostic.h"
#include "capigitops/spec.h"
#include "capigitops/yaml.h"

namespace capigitops {

// ---------------------------------------------------------------- Prices

// Hourly price of one machine or one accelerator.
struct Price {
  std::optional<double> on_demand;
  std::optional<double> spot;  // preemptible / spot; absent: unknown
  // The machine type comes with its GPUs (AWS g4dn, Azure NC, GCP a2/g2):
  // the pool's accelerators add nothing on top of this price.
  bool includes_accelerators = false;
  std::string file;  // where this entry was defined (last override wins)
  yaml::Mark mark;
};

struct PriceTable {
  std::string currency;  // "USD"; empty until a table is loaded
  // provider -> machine type (or glob such as "*") -> price
  std::map<Provider, std::map<std::string, Price>> machine_types;
  // provider -> accelerator type -> price per accelerator
  std::map<Provider, std::map<std::string, Price>> accelerators;

  // Exact entry first, else the longest glob key that matches; nullptr when
  // none does.
  const Price* MachinePrice(Provider p, const std::string& type) const;
  const Price* AcceleratorPrice(Provider p, const std::string& type) const;
};

// Parses a `kind: PriceTable` file and merges it into `table`: an entry of
// the same provider and type replaces the earlier one, so a repository's
// policies/prices.yaml overrides the project's. `table` is left unchanged
// when the file has errors; the returned diagnostics carry file:line:column.
Diagnostics LoadPriceTable(const std::string& file, std::string_view text,
                           PriceTable* table);

// ---------------------------------------------------------------- Cost

// The cost of one part of the cluster: the control plane or a node pool.
struct CostLine {
  std::string part;          // "controlPlane" or the pool name
  std::string field;         // "spec.controlPlane", "spec.nodePools[1]"
  std::string machine_type;  // as requested
  bool spot = false;
  int min_replicas = 0;
  int max_replicas = 0;
  double node_hourly = 0;  // one node: machine + its accelerators
  bool known = true;
  // A GPU pool of a hibernated cluster (spec.hibernate): rendered at zero
  // nodes, so min and max replicas are 0 and it costs nothing meanwhile.
  bool hibernated = false;
};

struct CostEstimate {
  // False when any price is missing; then the sums below cover only the parts
  // whose prices are known and `missing` says what is not.
  bool known = true;
  std::vector<std::string> missing;  // "gcp machine type n9-foo"
  std::string currency;
  double hourly_min = 0;            // autoscaled pools at their minimum size
  double hourly_max = 0;            // ... and at their maximum
  std::optional<double> ttl_hours;  // lifetime the totals cover
  std::optional<double> total_min;  // hourly_min * ttl_hours
  std::optional<double> total_max;
  std::vector<CostLine> lines;
};

// $/hour at the requested size; totals over the TTL when it is a duration.
// With spec.hibernate the GPU pools count at zero nodes, as they are rendered
// (the control plane and CPU pools stay).
// For expiresAt (or a cluster already running) the caller passes the hours
// that remain as `ttl_hours_override`; ttl never/none gives no total.
// Missing prices make the estimate unknown, never a failure.
CostEstimate EstimateCost(
    const ClusterRequest& req, const PriceTable& prices,
    std::optional<double> ttl_hours_override = std::nullopt);

// "$12.34", "$1,234.50" (rounded to cents).
std::string FormatMoney(double amount);

// One line for plans and status: "$0.58 to $82.58/hour, $2.33 to $330.33
// over 4h"; "$2.20/hour"; "unknown (no price for gcp machine type n9-foo)".
std::string FormatCostSummary(const CostEstimate& cost);

// For -o json: {known, currency, hourlyMin, hourlyMax, ttlHours, totalMin,
// totalMax, missing, lines: [{part, field, machineType, spot, minReplicas,
// maxReplicas, nodeHourly, known, hibernated (only when true)}]}; amounts
// rounded to 1/10000.
nlohmann::json CostToJson(const CostEstimate& cost);

// ---------------------------------------------------------------- Policies

enum class PolicyAction { kEnforce, kWarn };

enum class RuleKind {
  kAllowedProviders,     // allowedProviders: [gcp, aws]
  kAllowedRegions,       // allowedRegions: ["us-*", europe-west4]
  kAllowedMachineTypes,  // allowedMachineTypes: ["n1-*", "g4dn.*"]
  kAllowedAccelerators,  // allowedAccelerators: [nvidia-tesla-t4]
  kMaxReplicas,          // maxReplicas: 50 (each pool at max, control plane)
  kMaxAccelerators,      // maxAcceleratorsPerCluster: 64 (at max size)
  kMaxTtl,               // maxTTL: 7d
  kRequireTtl,           // requireTTL: always | {forAccelerators, forSpot}
  kRequiredLabels,       // requiredLabels: [team, cost-center]
  kMaxHourlyCost,        // maxHourlyCost: 200 (at max size)
  kMaxIdleAfter,         // maxIdleAfter: 2h (spec.idle.after at most)
  kRequireIdle,          // requireIdle: always | {forAccelerators, forSpot}
  kAllowedAddons,        // allowedAddons: [metrics-server, "kueue*"]
                         // (spec.addons.cni and .extra)
  kMaxLifetime,          // maxLifetime: 30d (from createdAt, however extended)
};

// The camelCase key of a rule kind in YAML ("maxReplicas").
const char* RuleKindName(RuleKind kind);

struct RequireTtl {
  bool always = false;
  bool for_accelerators = false;
  bool for_spot = false;
};

struct PolicyRule {
  std::string name;
  RuleKind kind = RuleKind::kAllowedProviders;
  PolicyAction action = PolicyAction::kEnforce;
  std::vector<std::string> patterns;  // globs or names of allowed*/labels
  int64_t max_count = 0;              // maxReplicas, maxAccelerators...
  int64_t max_ttl_seconds = 0;        // maxTTL and maxLifetime
  RequireTtl require_ttl;             // requireTTL, requireIdle
  int64_t max_idle_seconds = 0;       // maxIdleAfter
  double max_hourly_cost = 0;         // maxHourlyCost
  bool require_known_price = true;    // maxHourlyCost: unknown is a verdict
  yaml::Mark mark;                    // where the rule is written
};

// Which requests a policy applies to; every part that is set must match,
// and an empty selector selects every request.
struct PolicySelector {
  std::vector<std::string> clusters;  // name globs
  std::vector<std::string> owners;    // owner globs
  std::vector<Provider> providers;
  std::map<std::string, std::string> labels;  // key -> value glob

  bool Matches(const ClusterRequest& req) const;
};

struct Policy {
  std::string name;
  std::string file;
  yaml::Mark mark;
  PolicySelector selector;
  std::vector<PolicyRule> rules;
};

// Appends the `kind: Policy` documents of one file (several may be separated
// by ---) to `out`. Documents of kind PriceTable are skipped, so a policies/
// directory can hold prices.yaml too. Errors (unknown fields with a "did you
// mean", wrong types, bad globs and durations, a rule with no check or two)
// go to `diags` with file:line:column; a policy with errors is not appended.
void LoadPolicies(const std::string& file, std::string_view text,
                  std::vector<Policy>* out, Diagnostics* diags);

// Policies and prices of a set of files ("policies/a.yaml" -> content),
// loaded in path order. Load the project's built-in files first and the
// repository's after them, so the repository's prices override.
struct PolicyBundle {
  std::vector<Policy> policies;
  PriceTable prices;
};
void LoadPolicyFiles(const std::map<std::string, std::string>& files,
                     PolicyBundle* bundle, Diagnostics* diags);

struct Verdict {
  std::string policy;
  std::string rule;
  std::string field;  // the offending field, e.g. spec.nodePools[1].machineType
  std::string value;  // its value as text, e.g. "vsphere"
  std::string message;
  bool enforce = false;  // true: the request is denied
  std::string file;      // the request's file
  int line = 0;          // of the field, or of its closest written parent
  int column = 0;
  std::string policy_file;  // where the rule is written
  int policy_line = 0;

  // clusters/a.yaml:9:16: deny: policy gpu-guardrails rule allowed-providers:
  // spec.provider: "vsphere" is not allowed (allowed: gcp, aws)
  std::string ToString() const;
};

// Clock for rules that compare times (maxTTL against expiresAt), and when
// the request's cluster was created (maxLifetime).
struct PolicyContext {
  std::optional<int64_t> now;  // Unix seconds; unset: expiresAt unchecked
  // Unix seconds of the cluster's first apply (its createdAt); unset: not
  // created yet or unknown, and maxLifetime counts from `now`.
  std::optional<int64_t> created_at;
};

// The verdicts of every policy whose selector matches `req`, in policy and
// rule order. `cost` is the request's estimate (for maxHourlyCost).
std::vector<Verdict> EvaluatePolicies(const ClusterRequest& req,
                                      const std::vector<Policy>& policies,
                                      const CostEstimate& cost,
                                      const PolicyContext& context = {});

// True when any verdict enforces (the request is denied).
bool IsDenied(const std::vector<Verdict>& verdicts);

// {policy, rule, action: "deny"|"warn", field, value, message, file, line,
// column, policyFile, policyLine} for -o json.
nlohmann::json VerdictToJson(const Verdict& verdict);

}  // namespace capigitops

#endif  // CAPIGITOPS_POLICY_H_
