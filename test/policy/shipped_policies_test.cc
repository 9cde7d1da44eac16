// The project's policies/ and the sample repository must load cleanly, and
// the sample clusters must pass every policy: they are what users copy.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/builtin_policies.h"
#include "capigitops/duration.h"
#include "capigitops/loader.h"
#include "capigitops/policy.h"

namespace capigitops {
namespace {

namespace fs = std::filesystem;

std::map<std::string, std::string> ReadProjectPolicies() {
  std::map<std::string, std::string> files;
  fs::path dir = fs::path(CAPIGITOPS_SOURCE_DIR) / "policies";
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    files["policies/" + entry.path().filename().string()] = text.str();
  }
  return files;
}

std::string Join(const Diagnostics& diags) {
  std::string out;
  for (const Diagnostic& d : diags) out += d.ToString() + "\n";
  return out;
}

TEST(ShippedPoliciesTest, ProjectPoliciesAndPricesLoadWithoutErrors) {
  std::map<std::string, std::string> files = ReadProjectPolicies();
  ASSERT_TRUE(files.count("policies/prices.yaml"));
  ASSERT_TRUE(files.count("policies/baseline.yaml"));
  PolicyBundle bundle;
  Diagnostics diags;
  LoadPolicyFiles(files, &bundle, &diags);
  EXPECT_TRUE(diags.empty()) << Join(diags);
  ASSERT_FALSE(bundle.policies.empty());
  EXPECT_EQ(bundle.policies[0].name, "baseline");
  EXPECT_EQ(bundle.prices.currency, "USD");
  // The common types of each cloud are priced, spot included.
  const PriceTable& p = bundle.prices;
  for (const char* type : {"n1-standard-32", "n2-standard-4", "e2-standard-8",
                           "a2-highgpu-1g", "g2-standard-8"}) {
    const Price* price = p.MachinePrice(Provider::kGcp, type);
    ASSERT_NE(price, nullptr) << type;
    EXPECT_TRUE(price->on_demand && price->spot) << type;
    EXPECT_LT(*price->spot, *price->on_demand) << type;
  }
  for (const char* type : {"m5.large", "c5.xlarge", "g4dn.xlarge", "g5.2xlarge",
                           "p3.2xlarge", "p4d.24xlarge"}) {
    EXPECT_NE(p.MachinePrice(Provider::kAws, type), nullptr) << type;
  }
  for (const char* type :
       {"Standard_D4s_v5", "Standard_NC6s_v3", "Standard_ND96asr_v4"}) {
    EXPECT_NE(p.MachinePrice(Provider::kAzure, type), nullptr) << type;
  }
  for (const char* gpu :
       {"nvidia-tesla-v100", "nvidia-tesla-t4", "nvidia-tesla-p100",
        "nvidia-tesla-a100", "nvidia-l4"}) {
    EXPECT_NE(p.AcceleratorPrice(Provider::kGcp, gpu), nullptr) << gpu;
  }
  EXPECT_TRUE(
      p.MachinePrice(Provider::kAws, "g4dn.xlarge")->includes_accelerators);
  // H100 and H200 machines (issue 10), their GPUs in the machine's price.
  for (auto [provider, type] : std::vector<std::pair<Provider, const char*>>{
           {Provider::kGcp, "a3-highgpu-8g"},
           {Provider::kGcp, "a3-ultragpu-8g"},
           {Provider::kAws, "p5.48xlarge"},
           {Provider::kAws, "p5e.48xlarge"},
           {Provider::kAzure, "Standard_ND96isr_H100_v5"},
           {Provider::kAzure, "Standard_ND96isr_H200_v5"}}) {
    const Price* price = p.MachinePrice(provider, type);
    ASSERT_NE(price, nullptr) << type;
    EXPECT_TRUE(price->includes_accelerators) << type;
  }
  EXPECT_DOUBLE_EQ(*p.MachinePrice(Provider::kDocker, "")->on_demand, 0);
}

TEST(ShippedPoliciesTest, EmbeddedCopyMatchesTheSourceTree) {
  // The binary carries policies/ compiled in; a stale copy would mean the
  // reconciler enforces something else than the repository shows.
  EXPECT_EQ(BuiltinPolicyFiles(), ReadProjectPolicies());
}

TEST(ShippedPoliciesTest, SampleRepoPassesEveryPolicyWithKnownCosts) {
  StatusOr<FileSet> files =
      ReadRepoDirectory(std::string(CAPIGITOPS_SOURCE_DIR) + "/sample-repo");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  LoadedRepo repo = LoadRepo(*files);
  ASSERT_TRUE(repo.diags.empty()) << Join(repo.diags);

  PolicyBundle bundle;
  Diagnostics diags;
  LoadPolicyFiles(BuiltinPolicyFiles(), &bundle, &diags);
  std::map<std::string, std::string> repo_policies;
  for (const auto& [path, text] : *files) {
    if (path.rfind(repo.config.policies_path + "/", 0) == 0) {
      repo_policies[path] = text;
    }
  }
  ASSERT_FALSE(repo_policies.empty()) << "sample-repo/policies is empty";
  LoadPolicyFiles(repo_policies, &bundle, &diags);
  ASSERT_TRUE(diags.empty()) << Join(diags);

  // A fixed clock a week before the sample's expiresAt values.
  PolicyContext context;
  context.now = *ParseRfc3339("2026-11-27T08:00:00Z");
  ASSERT_FALSE(repo.requests.empty());
  for (const ClusterRequest& req : repo.requests) {
    std::optional<double> hours;
    if (req.ttl.kind == TtlKind::kExpiresAt) {
      hours = (req.ttl.expires_at - *context.now) / 3600.0;
    }
    CostEstimate cost = EstimateCost(req, bundle.prices, hours);
    EXPECT_TRUE(cost.known) << req.name << ": missing "
                            << (cost.missing.empty() ? "" : cost.missing[0]);
    if (req.ttl.kind != TtlKind::kNever) {
      EXPECT_TRUE(cost.total_max.has_value()) << req.name;
    }
    for (const Verdict& v :
         EvaluatePolicies(req, bundle.policies, cost, context)) {
      EXPECT_FALSE(v.enforce) << v.ToString();
    }
  }
}

}  // namespace
}  // namespace capigitops
