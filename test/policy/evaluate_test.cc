#include <gtest/gtest.h>

#include "capigitops/policy.h"
#include "policy/test_requests.h"

namespace capigitops {
namespace {

using testing::GpuTrainingRequest;

// A policy file "policies/p.yaml" named guardrails; `body` goes under spec.
std::vector<Policy> Load(const std::string& body) {
  std::string text =
      "apiVersion: capigitops.io/v1alpha1\n"
      "kind: Policy\n"
      "metadata: {name: guardrails}\n"
      "spec:\n" +
      body;
  std::vector<Policy> policies;
  Diagnostics diags;
  LoadPolicies("policies/p.yaml", text, &policies, &diags);
  for (const Diagnostic& d : diags) ADD_FAILURE() << d.ToString();
  return policies;
}

// The estimate of GpuTrainingRequest at test prices (see cost_test.cc).
CostEstimate KnownCost() {
  CostEstimate cost;
  cost.hourly_min = 1.75;
  cost.hourly_max = 83;
  return cost;
}

std::vector<std::string> Evaluate(const ClusterRequest& req,
                                  const std::string& body,
                                  const CostEstimate& cost = KnownCost(),
                                  const PolicyContext& context = {}) {
  std::vector<std::string> out;
  for (const Verdict& v : EvaluatePolicies(req, Load(body), cost, context)) {
    out.push_back(v.ToString());
  }
  return out;
}

using Lines = std::vector<std::string>;

TEST(EvaluateTest, AllowedProvidersDenyAndWarn) {
  ClusterRequest req = GpuTrainingRequest();
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: clouds, allowedProviders: [aws, azure], "
                     "action: enforce}\n"),
            Lines{"clusters/train.yaml:8:13: deny: policy guardrails rule "
                  "clouds: spec.provider: \"gcp\" is not allowed (allowed: "
                  "aws, azure)"});
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: clouds, allowedProviders: [aws, azure], "
                     "action: warn}\n"),
            Lines{"clusters/train.yaml:8:13: warn: policy guardrails rule "
                  "clouds: spec.provider: \"gcp\" is not allowed (allowed: "
                  "aws, azure)"});
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: clouds, allowedProviders: [gcp]}\n"),
            Lines{});
}

TEST(EvaluateTest, AllowedAddonsCheckTheSpecsChoices) {
  ClusterRequest req = GpuTrainingRequest();
  req.addons.cni = "cilium";
  req.addons.extra = {"metrics-server", "kueue"};
  req.marks["spec.addons.extra[1]"] = {21, 30};
  EXPECT_EQ(
      Evaluate(req,
               "  rules:\n"
               "  - {name: addons, allowedAddons: [cilium, \"metrics-*\"]}\n"),
      Lines{"clusters/train.yaml:21:30: deny: policy guardrails rule "
            "addons: spec.addons.extra[1]: \"kueue\" is not allowed "
            "(allowed: cilium, metrics-*)"});
  // Add-ons the spec does not name (its provider's CCM, the GPU operator)
  // are the catalog's decision: nothing to check.
  req.addons = {};
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: addons, allowedAddons: [calico]}\n"),
            Lines{});
}

TEST(EvaluateTest, AllowedRegionsAreGlobs) {
  ClusterRequest req = GpuTrainingRequest();
  const std::string deny =
      "  rules:\n"
      "  - {name: regions, allowedRegions: [\"europe-*\", asia-east1], "
      "action: enforce}\n";
  EXPECT_EQ(Evaluate(req, deny),
            Lines{"clusters/train.yaml:9:11: deny: policy guardrails rule "
                  "regions: spec.region: \"us-central1\" is not allowed "
                  "(allowed: europe-*, asia-east1)"});
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: regions, allowedRegions: [\"us-*\"], "
                     "action: warn}\n"),
            Lines{});
  req.region = "";  // vSphere, docker: no region to check
  EXPECT_EQ(Evaluate(req, deny), Lines{});
}

TEST(EvaluateTest, AllowedMachineTypesNameThePool) {
  ClusterRequest req = GpuTrainingRequest();
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: types, allowedMachineTypes: [\"n2-*\"], "
                     "action: warn}\n"),
            Lines{"clusters/train.yaml:17:18: warn: policy guardrails rule "
                  "types: spec.nodePools[1].machineType: \"n1-standard-32\" "
                  "is not allowed (allowed: n2-*)"});
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: types, allowedMachineTypes: [\"n1-*\"], "
                     "action: enforce}\n"),
            (Lines{"clusters/train.yaml:11:44: deny: policy guardrails rule "
                   "types: spec.controlPlane.machineType: \"n2-standard-4\" "
                   "is not allowed (allowed: n1-*)",
                   "clusters/train.yaml:14:18: deny: policy guardrails rule "
                   "types: spec.nodePools[0].machineType: \"n2-standard-8\" "
                   "is not allowed (allowed: n1-*)"}));
}

TEST(EvaluateTest, AllowedAccelerators) {
  ClusterRequest req = GpuTrainingRequest();
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - name: gpus\n"
                     "    allowedAccelerators: [nvidia-tesla-t4]\n"),
            Lines{"clusters/train.yaml:18:25: deny: policy guardrails rule "
                  "gpus: spec.nodePools[1].accelerator.type: "
                  "\"nvidia-tesla-v100\" is not allowed (allowed: "
                  "nvidia-tesla-t4)"});
}

TEST(EvaluateTest, MaxReplicasChecksEveryPoolAtMaxAndTheControlPlane) {
  ClusterRequest req = GpuTrainingRequest();
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: size, maxReplicas: 20, action: enforce}\n"),
            Lines{"clusters/train.yaml:20:32: deny: policy guardrails rule "
                  "size: spec.nodePools[1].autoscaling.max: 25 replicas at "
                  "maximum size exceed the limit of 20 per pool"});
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: size, maxReplicas: 1, action: warn}\n"),
            (Lines{"clusters/train.yaml:11:28: warn: policy guardrails rule "
                   "size: spec.controlPlane.replicas: 3 replicas exceed the "
                   "limit of 1",
                   "clusters/train.yaml:15:15: warn: policy guardrails rule "
                   "size: spec.nodePools[0].replicas: 2 replicas exceed the "
                   "limit of 1 per pool",
                   "clusters/train.yaml:20:32: warn: policy guardrails rule "
                   "size: spec.nodePools[1].autoscaling.max: 25 replicas at "
                   "maximum size exceed the limit of 1 per pool"}));
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: size, maxReplicas: 25}\n"),
            Lines{});
}

TEST(EvaluateTest, MaxAcceleratorsCountsTheClusterAtMaxSize) {
  ClusterRequest req = GpuTrainingRequest();
  const std::string rule =
      "  rules:\n"
      "  - {name: gpus, maxAcceleratorsPerCluster: 64, action: enforce}\n";
  EXPECT_EQ(Evaluate(req, rule),
            Lines{"clusters/train.yaml:13:3: deny: policy guardrails rule "
                  "gpus: spec.nodePools: 100 accelerators at maximum size "
                  "(gpu: 25 x 4) exceed the limit of 64 per cluster"});
  req.node_pools[1].autoscaling->max = 16;  // 64 GPUs: at the limit
  EXPECT_EQ(Evaluate(req, rule), Lines{});
}

TEST(EvaluateTest, MaxTtl) {
  ClusterRequest req = GpuTrainingRequest();
  const std::string rule =
      "  rules:\n"
      "  - {name: lifetime, maxTTL: 2h, action: enforce}\n";
  EXPECT_EQ(Evaluate(req, rule),
            Lines{"clusters/train.yaml:21:8: deny: policy guardrails rule "
                  "lifetime: spec.ttl: ttl 4h exceeds the limit of 2h"});
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: lifetime, maxTTL: 1d, action: warn}\n"),
            Lines{});

  req.ttl = {TtlKind::kNever, 0, 0, "never"};
  EXPECT_EQ(Evaluate(req, rule),
            Lines{"clusters/train.yaml:21:8: deny: policy guardrails rule "
                  "lifetime: spec.ttl: ttl never is not allowed: clusters "
                  "must expire within 2h"});

  // No ttl at all: the verdict points at spec, the closest written parent.
  req.ttl = {};
  req.marks.erase("spec.ttl");
  EXPECT_EQ(Evaluate(req, rule),
            Lines{"clusters/train.yaml:7:3: deny: policy guardrails rule "
                  "lifetime: spec.ttl: no ttl set: clusters must expire "
                  "within 2h (set ttl, e.g. ttl: 2h, or expiresAt)"});

  // expiresAt is measured from the clock the caller passes.
  req.ttl = {TtlKind::kExpiresAt, 0, 1796148000, "2026-12-01T18:00:00Z"};
  req.marks["spec.expiresAt"] = {21, 14};
  PolicyContext ctx;
  EXPECT_EQ(Evaluate(req, rule, KnownCost(), ctx), Lines{});  // no clock
  ctx.now = 1796148000 - 3 * 3600;
  EXPECT_EQ(Evaluate(req, rule, KnownCost(), ctx),
            Lines{"clusters/train.yaml:21:14: deny: policy guardrails rule "
                  "lifetime: spec.expiresAt: expires in 3h, beyond the limit "
                  "of 2h"});
  ctx.now = 1796148000 - 3600;
  EXPECT_EQ(Evaluate(req, rule, KnownCost(), ctx), Lines{});
}

TEST(EvaluateTest, RequireTtlForGpuAndSpotPools) {
  ClusterRequest req = GpuTrainingRequest();
  const std::string rule =
      "  rules:\n"
      "  - name: ttl-for-gpus\n"
      "    requireTTL: {forAccelerators: true}\n"
      "    action: enforce\n";
  EXPECT_EQ(Evaluate(req, rule), Lines{});  // ttl: 4h
  req.ttl = {TtlKind::kNever, 0, 0, "never"};
  EXPECT_EQ(Evaluate(req, rule),
            Lines{"clusters/train.yaml:21:8: deny: policy guardrails rule "
                  "ttl-for-gpus: spec.ttl: clusters with GPU node pools need a "
                  "ttl (e.g. 4h) or expiresAt, not ttl never"});
  req.ttl = {};
  req.marks.erase("spec.ttl");
  EXPECT_EQ(
      Evaluate(req,
               "  rules:\n"
               "  - {name: ttl-for-spot, requireTTL: {forSpot: "
               "true}, action: warn}\n"),
      Lines{"clusters/train.yaml:7:3: warn: policy guardrails rule "
            "ttl-for-spot: spec.ttl: clusters with spot node pools need a "
            "ttl (e.g. 4h) or expiresAt"});
  // Without GPUs or spot pools these rules have nothing to say...
  req.node_pools.pop_back();
  EXPECT_EQ(Evaluate(req, rule), Lines{});
  // ... unless the TTL is required always.
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: ttl, requireTTL: always}\n"),
            Lines{"clusters/train.yaml:7:3: deny: policy guardrails rule ttl: "
                  "spec.ttl: clusters need a ttl (e.g. 4h) or expiresAt"});
}

TEST(EvaluateTest, RequiredLabels) {
  ClusterRequest req = GpuTrainingRequest();
  const std::string rule =
      "  rules:\n"
      "  - {name: labels, requiredLabels: [team, cost-center], action: warn}\n";
  EXPECT_EQ(Evaluate(req, rule),
            Lines{"clusters/train.yaml:5:11: warn: policy guardrails rule "
                  "labels: metadata.labels.cost-center: required label "
                  "\"cost-center\" is missing"});
  req.labels["cost-center"] = "4711";
  EXPECT_EQ(Evaluate(req, rule), Lines{});
  // No labels written at all: point at metadata.
  req.labels.clear();
  req.marks.erase("metadata.labels");
  req.marks.erase("metadata.labels.team");
  EXPECT_EQ(Evaluate(req, rule).size(), 2u);
  EXPECT_EQ(Evaluate(req, rule)[0],
            "clusters/train.yaml:4:3: warn: policy guardrails rule labels: "
            "metadata.labels.team: required label \"team\" is missing");
}

TEST(EvaluateTest, MaxHourlyCostAtMaxSize) {
  ClusterRequest req = GpuTrainingRequest();
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: budget, maxHourlyCost: 50, action: "
                     "enforce}\n"),
            Lines{"clusters/train.yaml:7:3: deny: policy guardrails rule "
                  "budget: spec: estimated cost $83.00/hour at maximum size "
                  "exceeds the limit of $50.00/hour"});
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: budget, maxHourlyCost: 83, action: "
                     "enforce}\n"),
            Lines{});
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: budget, maxHourlyCost: 80.5, action: "
                     "warn}\n"),
            Lines{"clusters/train.yaml:7:3: warn: policy guardrails rule "
                  "budget: spec: estimated cost $83.00/hour at maximum size "
                  "exceeds the limit of $80.50/hour"});
}

// An enforced cost limit that cannot be checked must not let the request
// through silently (issue 10): it denies unless requireKnownPrice: false.
TEST(EvaluateTest, UnknownPriceDeniesAnEnforcedCostRule) {
  ClusterRequest req = GpuTrainingRequest();
  CostEstimate unknown = KnownCost();
  unknown.known = false;
  unknown.missing = {"gcp machine type n9-foo"};
  unknown.hourly_max = 10;  // the known parts only
  const std::string expected_tail =
      "policy guardrails rule budget: spec: estimated cost is unknown (no "
      "price for gcp machine type n9-foo), so the limit of $50.00/hour "
      "cannot be checked";
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: budget, maxHourlyCost: 50, action: enforce}\n",
                     unknown),
            Lines{"clusters/train.yaml:7:3: deny: " + expected_tail});
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: budget, maxHourlyCost: 50, "
                     "requireKnownPrice: false, action: enforce}\n",
                     unknown),
            Lines{"clusters/train.yaml:7:3: warn: " + expected_tail});
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: budget, maxHourlyCost: 50, action: warn}\n",
                     unknown),
            Lines{"clusters/train.yaml:7:3: warn: " + expected_tail});
  // The known parts alone already break the limit: that is a denial.
  unknown.hourly_max = 60;
  EXPECT_EQ(Evaluate(req,
                     "  rules:\n"
                     "  - {name: budget, maxHourlyCost: 50, action: enforce}\n",
                     unknown),
            Lines{"clusters/train.yaml:7:3: deny: policy guardrails rule "
                  "budget: spec: estimated cost of at least $60.00/hour at "
                  "maximum size exceeds the limit of $50.00/hour"});
}

TEST(EvaluateTest, VerdictNamesPolicyRuleFieldValueAndWhereTheRuleIs) {
  std::vector<Verdict> verdicts = EvaluatePolicies(
      GpuTrainingRequest(),
      Load(
          "  rules:\n"
          "  - {name: ok, maxReplicas: 100}\n"
          "  - {name: types, allowedMachineTypes: [\"n2-*\"], action: warn}\n"),
      KnownCost());
  ASSERT_EQ(verdicts.size(), 1u);
  const Verdict& v = verdicts[0];
  EXPECT_EQ(v.policy, "guardrails");
  EXPECT_EQ(v.rule, "types");
  EXPECT_EQ(v.field, "spec.nodePools[1].machineType");
  EXPECT_EQ(v.value, "n1-standard-32");
  EXPECT_FALSE(v.enforce);
  EXPECT_EQ(v.file, "clusters/train.yaml");
  EXPECT_EQ(v.line, 17);
  EXPECT_EQ(v.column, 18);
  EXPECT_EQ(v.policy_file, "policies/p.yaml");
  EXPECT_EQ(v.policy_line, 7);
  EXPECT_FALSE(IsDenied(verdicts));
}

const char kDenyAll[] =
    "  rules:\n"
    "  - {name: nothing, allowedProviders: [docker]}\n";

TEST(SelectorTest, EmptySelectorSelectsEverything) {
  EXPECT_EQ(Evaluate(GpuTrainingRequest(), kDenyAll).size(), 1u);
}

TEST(SelectorTest, OwnerGlobs) {
  ClusterRequest req = GpuTrainingRequest();
  EXPECT_EQ(Evaluate(req, "  selector: {owners: [\"ml-*\"]}\n" +
                              std::string(kDenyAll))
                .size(),
            1u);
  EXPECT_EQ(Evaluate(req, "  selector: {owners: [platform, \"data-*\"]}\n" +
                              std::string(kDenyAll))
                .size(),
            0u);
}

TEST(SelectorTest, Providers) {
  ClusterRequest req = GpuTrainingRequest();
  EXPECT_EQ(Evaluate(req, "  selector: {providers: [aws, gcp]}\n" +
                              std::string(kDenyAll))
                .size(),
            1u);
  EXPECT_EQ(
      Evaluate(req, "  selector: {providers: [aws]}\n" + std::string(kDenyAll))
          .size(),
      0u);
}

TEST(SelectorTest, LabelsMustAllMatch) {
  ClusterRequest req = GpuTrainingRequest();
  auto count = [&](const std::string& selector) {
    return Evaluate(req, "  selector: " + selector + "\n" + kDenyAll).size();
  };
  EXPECT_EQ(count("{labels: {team: ml-research}}"), 1u);
  EXPECT_EQ(count("{labels: {team: \"ml-*\"}}"), 1u);
  EXPECT_EQ(count("{labels: {team: \"*\"}}"), 1u);  // present, any value
  EXPECT_EQ(count("{labels: {team: platform}}"), 0u);
  EXPECT_EQ(count("{labels: {team: \"*\", cost-center: \"*\"}}"), 0u);
}

TEST(SelectorTest, EveryPartMustMatch) {
  ClusterRequest req = GpuTrainingRequest();
  EXPECT_EQ(Evaluate(req,
                     "  selector: {clusters: [\"train*\"], owners: "
                     "[\"ml-*\"], providers: [gcp]}\n" +
                         std::string(kDenyAll))
                .size(),
            1u);
  EXPECT_EQ(Evaluate(req,
                     "  selector: {clusters: [\"prod-*\"], owners: "
                     "[\"ml-*\"], providers: [gcp]}\n" +
                         std::string(kDenyAll))
                .size(),
            0u);
}

TEST(EvaluateTest, PoliciesAndRulesKeepTheirOrder) {
  std::vector<Policy> policies = Load(
      "  rules:\n"
      "  - {name: labels, requiredLabels: [owner-email], action: warn}\n"
      "  - {name: clouds, allowedProviders: [aws]}\n");
  std::vector<Policy> second = Load(
      "  rules:\n"
      "  - {name: size, maxReplicas: 10}\n");
  second[0].name = "second";
  policies.push_back(second[0]);
  std::vector<Verdict> v =
      EvaluatePolicies(GpuTrainingRequest(), policies, KnownCost());
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].rule, "labels");
  EXPECT_EQ(v[1].rule, "clouds");
  EXPECT_EQ(v[2].policy, "second");
  EXPECT_TRUE(IsDenied(v));
}

}  // namespace
}  // namespace capigitops

namespace capigitops {
namespace {

TEST(EvaluateTest, VerdictJson) {
  Verdict v;
  v.policy = "p";
  v.rule = "r";
  v.field = "spec.provider";
  v.value = "gcp";
  v.message = "\"gcp\" is not allowed (allowed: aws)";
  v.enforce = true;
  v.file = "clusters/a.yaml";
  v.line = 8;
  v.column = 13;
  v.policy_file = "policies/p.yaml";
  v.policy_line = 6;
  nlohmann::json j = VerdictToJson(v);
  EXPECT_EQ(j["action"], "deny");
  EXPECT_EQ(j["field"], "spec.provider");
  EXPECT_EQ(j["value"], "gcp");
  EXPECT_EQ(j["line"], 8);
  EXPECT_EQ(j["column"], 13);
  EXPECT_EQ(j["policyFile"], "policies/p.yaml");
  v.enforce = false;
  EXPECT_EQ(VerdictToJson(v)["action"], "warn");
}

}  // namespace
}  // namespace capigitops
