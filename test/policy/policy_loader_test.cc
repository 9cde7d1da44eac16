#include <gtest/gtest.h>

#include "capigitops/policy.h"

namespace capigitops {
namespace {

constexpr char kHeader[] =
    "apiVersion: capigitops.io/v1alpha1\n"
    "kind: Policy\n"
    "metadata: {name: p}\n";

// Loads `text` as policies/p.yaml; returns the diagnostics as strings.
std::vector<std::string> Errors(const std::string& text,
                                std::vector<Policy>* out = nullptr) {
  std::vector<Policy> local;
  Diagnostics diags;
  LoadPolicies("policies/p.yaml", text, out ? out : &local, &diags);
  std::vector<std::string> lines;
  for (const Diagnostic& d : diags) lines.push_back(d.ToString());
  return lines;
}

std::vector<std::string> RuleErrors(const std::string& rules) {
  // Appended in place: GCC 12 sees `string(kHeader) + "..." + rules` move a
  // short string out of its local buffer and reports a false -Warray-bounds
  // in char_traits::copy (GCC bug 105651).
  std::string text = kHeader;
  text += "spec:\n  rules:\n";
  text += rules;
  return Errors(text);
}

using Lines = std::vector<std::string>;

TEST(PolicyLoaderTest, LoadsEveryRuleKind) {
  std::vector<Policy> policies;
  Lines errors = Errors(R"(apiVersion: capigitops.io/v1alpha1
kind: Policy
metadata:
  name: gpu-guardrails
  labels: {owner: platform}
spec:
  description: Limits for ML clusters.
  selector:
    clusters: ["llm-*"]
    owners: ["ml-*"]
    providers: [gcp, aws]
    labels: {team: ml-research}
  rules:
  - {name: providers, allowedProviders: [gcp, aws, azure], action: enforce}
  - {name: regions, allowedRegions: ["us-*", europe-west4], action: enforce}
  - {name: types, allowedMachineTypes: ["n1-*", "g4dn.*"], action: warn}
  - {name: gpu-types, allowedAccelerators: ["nvidia-tesla-*"]}
  - {name: replicas, maxReplicas: 50, action: enforce}
  - {name: gpus, maxAcceleratorsPerCluster: 64, action: enforce}
  - {name: max-ttl, maxTTL: 7d, action: enforce}
  - {name: ttl-for-gpu, requireTTL: {forAccelerators: true, forSpot: true}}
  - {name: ttl-always, requireTTL: always, action: warn}
  - {name: labels, requiredLabels: [team, cost-center], action: warn}
  - {name: budget, maxHourlyCost: 200.5, requireKnownPrice: true}
)",
                        &policies);
  ASSERT_EQ(errors, Lines{});
  ASSERT_EQ(policies.size(), 1u);
  const Policy& p = policies[0];
  EXPECT_EQ(p.name, "gpu-guardrails");
  EXPECT_EQ(p.file, "policies/p.yaml");
  EXPECT_EQ(p.selector.clusters, Lines{"llm-*"});
  EXPECT_EQ(p.selector.owners, Lines{"ml-*"});
  EXPECT_EQ(p.selector.providers,
            (std::vector<Provider>{Provider::kGcp, Provider::kAws}));
  EXPECT_EQ(p.selector.labels.at("team"), "ml-research");
  ASSERT_EQ(p.rules.size(), 11u);
  EXPECT_EQ(p.rules[0].kind, RuleKind::kAllowedProviders);
  EXPECT_EQ(p.rules[0].patterns, (Lines{"gcp", "aws", "azure"}));
  EXPECT_EQ(p.rules[1].patterns, (Lines{"us-*", "europe-west4"}));
  EXPECT_EQ(p.rules[2].action, PolicyAction::kWarn);
  EXPECT_EQ(p.rules[3].kind, RuleKind::kAllowedAccelerators);
  EXPECT_EQ(p.rules[3].action, PolicyAction::kEnforce);  // the default
  EXPECT_EQ(p.rules[4].max_count, 50);
  EXPECT_EQ(p.rules[5].kind, RuleKind::kMaxAccelerators);
  EXPECT_EQ(p.rules[5].max_count, 64);
  EXPECT_EQ(p.rules[6].max_ttl_seconds, 7 * 86400);
  EXPECT_TRUE(p.rules[7].require_ttl.for_accelerators);
  EXPECT_TRUE(p.rules[7].require_ttl.for_spot);
  EXPECT_FALSE(p.rules[7].require_ttl.always);
  EXPECT_TRUE(p.rules[8].require_ttl.always);
  EXPECT_EQ(p.rules[9].patterns, (Lines{"team", "cost-center"}));
  EXPECT_DOUBLE_EQ(p.rules[10].max_hourly_cost, 200.5);
  EXPECT_TRUE(p.rules[10].require_known_price);
  EXPECT_EQ(p.rules[10].mark.line, 24);
}

TEST(PolicyLoaderTest, UnknownFieldsSuggestTheKnownOne) {
  EXPECT_EQ(RuleErrors("  - {name: size, maxReplica: 50}\n"),
            Lines{"policies/p.yaml:6:18: spec.rules[0].maxReplica: unknown "
                  "field \"maxReplica\"; did you mean \"maxReplicas\"?"});
  EXPECT_EQ(
      Errors(std::string(kHeader) + "spec:\n"
                                    "  selecter: {owners: [ml]}\n"
                                    "  rules: [{name: a, maxReplicas: 1}]\n"),
      Lines{"policies/p.yaml:5:3: spec.selecter: unknown field "
            "\"selecter\"; did you mean \"selector\"?"});
  EXPECT_EQ(
      Errors(std::string(kHeader) + "spec:\n"
                                    "  selector: {owner: [ml]}\n"
                                    "  rules: [{name: a, maxReplicas: 1}]\n"),
      Lines{"policies/p.yaml:5:14: spec.selector.owner: unknown field "
            "\"owner\"; did you mean \"owners\"?"});
}

TEST(PolicyLoaderTest, WrongTypes) {
  EXPECT_EQ(RuleErrors("  - name: size\n"
                       "    maxReplicas: lots\n"
                       "  - name: budget\n"
                       "    maxHourlyCost: [1]\n"
                       "  - name: labels\n"
                       "    requiredLabels: team\n"),
            (Lines{"policies/p.yaml:7:18: spec.rules[0].maxReplicas: expected "
                   "an integer, got \"lots\"",
                   "policies/p.yaml:9:20: spec.rules[1].maxHourlyCost: "
                   "expected a number, got a list",
                   "policies/p.yaml:11:21: spec.rules[2].requiredLabels: "
                   "expected a list of strings, got \"team\""}));
  EXPECT_EQ(Errors(std::string(kHeader) + "spec:\n  rules: {name: a}\n"),
            Lines{"policies/p.yaml:5:10: spec.rules: expected a list of "
                  "rules, got a map"});
}

TEST(PolicyLoaderTest, BadGlobsDurationsAndProviders) {
  EXPECT_EQ(
      RuleErrors("  - {name: regions, allowedRegions: [\"us-[ce]*\", \"\"]}\n"
                 "  - {name: ttl, maxTTL: 7days}\n"
                 "  - {name: clouds, allowedProviders: [gpc, onprem]}\n"),
      (Lines{
          "policies/p.yaml:6:38: spec.rules[0].allowedRegions[0]: invalid "
          "pattern \"us-[ce]*\": '[' is not supported in patterns: use * (any "
          "characters) and ? (one character)",
          "policies/p.yaml:6:50: spec.rules[0].allowedRegions[1]: invalid "
          "pattern \"\": empty pattern",
          "policies/p.yaml:7:25: spec.rules[1].maxTTL: \"7days\" is not a "
          "duration: use e.g. 90m, 4h, 7d or 2w",
          "policies/p.yaml:8:39: spec.rules[2].allowedProviders[0]: unknown "
          "provider \"gpc\"; did you mean \"gcp\"?",
          "policies/p.yaml:8:44: spec.rules[2].allowedProviders[1]: unknown "
          "provider \"onprem\" (use gcp, aws, azure, vsphere, openstack or "
          "docker)"}));
}

TEST(PolicyLoaderTest, ExactlyOneCheckPerRule) {
  EXPECT_EQ(RuleErrors("  - {name: both, maxReplicas: 5, maxTTL: 4h}\n"
                       "  - {name: none, action: warn}\n"),
            (Lines{"policies/p.yaml:6:34: spec.rules[0].maxTTL: a rule has "
                   "exactly one check, and this one already has maxReplicas: "
                   "put maxTTL in a rule of its own",
                   "policies/p.yaml:7:5: spec.rules[1]: rule has no check: add "
                   "one of allowedProviders, allowedRegions, "
                   "allowedMachineTypes, allowedAccelerators, maxReplicas, "
                   "maxAcceleratorsPerCluster, maxTTL, requireTTL, "
                   "requiredLabels, maxHourlyCost, maxIdleAfter, requireIdle, "
                   "allowedAddons, maxLifetime"}));
}

TEST(PolicyLoaderTest, ActionsNamesAndOptions) {
  EXPECT_EQ(RuleErrors("  - {name: a, maxReplicas: 5, action: deny}\n"
                       "  - {maxReplicas: 5}\n"
                       "  - {name: a, maxTTL: 4h}\n"
                       "  - {name: c, maxTTL: 4h, requireKnownPrice: true}\n"
                       "  - {name: d, requireTTL: sometimes}\n"
                       "  - {name: e, requireTTL: {forSpot: false}}\n"),
            (Lines{"policies/p.yaml:6:39: spec.rules[0].action: unsupported "
                   "action \"deny\": use enforce (deny the request) or warn",
                   "policies/p.yaml:7:5: spec.rules[1].name: required field is "
                   "missing: e.g. allowed-providers",
                   "policies/p.yaml:8:12: spec.rules[2].name: duplicate rule "
                   "name \"a\"",
                   "policies/p.yaml:9:46: spec.rules[3].requireKnownPrice: "
                   "requireKnownPrice only goes with maxHourlyCost",
                   "policies/p.yaml:10:27: spec.rules[4].requireTTL: expected "
                   "always or {forAccelerators: true, forSpot: true}, got "
                   "\"sometimes\"",
                   "policies/p.yaml:11:27: spec.rules[5].requireTTL: requires "
                   "nothing: set always, forAccelerators or forSpot to true"}));
}

TEST(PolicyLoaderTest, HeaderKindAndMissingParts) {
  EXPECT_EQ(Errors("apiVersion: capigitops.io/v2\n"
                   "kind: Policy\n"
                   "metadata: {name: p}\n"
                   "spec: {rules: [{name: a, maxReplicas: 1}]}\n"),
            Lines{"policies/p.yaml:1:13: apiVersion: unsupported apiVersion "
                  "\"capigitops.io/v2\": use capigitops.io/v1alpha1"});
  EXPECT_EQ(Errors("apiVersion: capigitops.io/v1alpha1\nkind: Polcy\n"),
            Lines{"policies/p.yaml:2:7: kind: expected kind Policy or "
                  "PriceTable, got \"Polcy\""});
  EXPECT_EQ(Errors("apiVersion: capigitops.io/v1alpha1\nkind: Policy\n"),
            (Lines{"policies/p.yaml:1:1: metadata: required field is missing: "
                   "e.g. metadata: {name: baseline}",
                   "policies/p.yaml:1:1: spec: required field is missing: "
                   "spec: {rules: [...]}"}));
  EXPECT_EQ(Errors(std::string(kHeader) + "spec: {rules: []}\n"),
            Lines{"policies/p.yaml:4:15: spec.rules: a policy needs at least "
                  "one rule"});
}

TEST(PolicyLoaderTest, SeveralDocumentsAndPriceTablesAreSkipped) {
  std::vector<Policy> policies;
  Lines errors = Errors(std::string(kHeader) +
                            "spec: {rules: [{name: a, maxReplicas: 1}]}\n"
                            "---\n"
                            "apiVersion: capigitops.io/v1alpha1\n"
                            "kind: PriceTable\n"
                            "metadata: {name: prices}\n"
                            "---\n"
                            "apiVersion: capigitops.io/v1alpha1\n"
                            "kind: Policy\n"
                            "metadata: {name: broken}\n"
                            "spec: {rules: [{name: a, maxReplicas: x}]}\n"
                            "---\n"
                            "apiVersion: capigitops.io/v1alpha1\n"
                            "kind: Policy\n"
                            "metadata: {name: q}\n"
                            "spec: {rules: [{name: a, maxTTL: 1d}]}\n",
                        &policies);
  EXPECT_EQ(errors, Lines{"policies/p.yaml:13:39: spec.rules[0].maxReplicas: "
                          "expected an integer, got \"x\""});
  // The broken policy is left out; the others load.
  ASSERT_EQ(policies.size(), 2u);
  EXPECT_EQ(policies[0].name, "p");
  EXPECT_EQ(policies[1].name, "q");
  EXPECT_EQ(policies[1].mark.line, 15);
}

TEST(PolicyLoaderTest, PolicyNamesAreUniqueAcrossFiles) {
  std::vector<Policy> policies;
  const std::string text =
      std::string(kHeader) + "spec: {rules: [{name: a, maxReplicas: 1}]}\n";
  EXPECT_EQ(Errors(text, &policies), Lines{});
  Diagnostics diags;
  LoadPolicies("repo/policies/q.yaml", text, &policies, &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].ToString(),
            "repo/policies/q.yaml:3:18: metadata.name: policy \"p\" is already "
            "defined in policies/p.yaml:1: policy names must be unique");
  EXPECT_EQ(policies.size(), 1u);
}

TEST(PolicyFilesTest, LoadsPoliciesAndPricesOfADirectory) {
  PolicyBundle bundle;
  Diagnostics diags;
  LoadPolicyFiles(
      {{"policies/a.yaml",
        std::string(kHeader) + "spec: {rules: [{name: a, maxReplicas: 1}]}\n"},
       {"policies/prices.yaml",
        "apiVersion: capigitops.io/v1alpha1\nkind: PriceTable\n"
        "metadata: {name: prices}\n"
        "machineTypes: {aws: {m5.large: {onDemand: 0.1}}}\n"},
       {"policies/broken.yaml", "a: [\n"},
       {"policies/mixed.yaml",
        std::string(kHeader) + "spec: {rules: [{name: a, maxReplicas: 1}]}\n"
                               "---\nkind: PriceTable\n"}},
      &bundle, &diags);
  ASSERT_EQ(bundle.policies.size(), 1u);
  EXPECT_NE(bundle.prices.MachinePrice(Provider::kAws, "m5.large"), nullptr);
  ASSERT_EQ(diags.size(), 2u);
  EXPECT_EQ(diags[0].file, "policies/broken.yaml");
  EXPECT_EQ(diags[1].ToString(),
            "policies/mixed.yaml:1:1: this file mixes PriceTable and other "
            "documents: keep the price table in a file of its own");
}

}  // namespace
}  // namespace capigitops
