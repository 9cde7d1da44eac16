#include <gtest/gtest.h>

#include "capigitops/policy.h"
#include "policy/test_requests.h"

namespace capigitops {
namespace {

using testing::GpuTrainingRequest;

// Binary-exact prices, so the arithmetic can be checked exactly.
constexpr char kTestPrices[] = R"(apiVersion: capigitops.io/v1alpha1
kind: PriceTable
metadata: {name: test-prices}
currency: USD
machineTypes:
  gcp:
    n2-standard-4: {onDemand: 0.25, spot: 0.0625}
    n2-standard-8: {onDemand: 0.5, spot: 0.125}
    n1-standard-32: {onDemand: 1.5, spot: 0.25}
    a2-highgpu-1g: {onDemand: 3.75, spot: 1.25, includesAccelerators: true}
    e2-standard-4: {onDemand: 0.125}
  docker:
    "*": {onDemand: 0, spot: 0}
accelerators:
  gcp:
    nvidia-tesla-v100: {onDemand: 2.5, spot: 0.75}
)";

PriceTable TestPrices() {
  PriceTable table;
  Diagnostics diags =
      LoadPriceTable("policies/prices.yaml", kTestPrices, &table);
  EXPECT_TRUE(diags.empty()) << diags[0].ToString();
  return table;
}

TEST(CostTest, ControlPlanePoolsAndSpotGpusAtMinAndMax) {
  CostEstimate est = EstimateCost(GpuTrainingRequest(), TestPrices());
  EXPECT_TRUE(est.known);
  EXPECT_TRUE(est.missing.empty());
  EXPECT_EQ(est.currency, "USD");
  // Control plane 3 x 0.25 on demand; cpu pool 2 x 0.5; gpu pool on spot:
  // 0.25 + 4 x 0.75 = 3.25 per node, 0 to 25 nodes.
  EXPECT_DOUBLE_EQ(est.hourly_min, 0.75 + 1.0);
  EXPECT_DOUBLE_EQ(est.hourly_max, 0.75 + 1.0 + 25 * 3.25);
  ASSERT_EQ(est.lines.size(), 3u);
  EXPECT_EQ(est.lines[0].part, "controlPlane");
  EXPECT_DOUBLE_EQ(est.lines[0].node_hourly, 0.25);
  EXPECT_EQ(est.lines[2].part, "gpu");
  EXPECT_EQ(est.lines[2].field, "spec.nodePools[1]");
  EXPECT_TRUE(est.lines[2].spot);
  EXPECT_EQ(est.lines[2].min_replicas, 0);
  EXPECT_EQ(est.lines[2].max_replicas, 25);
  EXPECT_DOUBLE_EQ(est.lines[2].node_hourly, 3.25);
  // ttl: 4h
  ASSERT_TRUE(est.ttl_hours.has_value());
  EXPECT_DOUBLE_EQ(*est.ttl_hours, 4);
  EXPECT_DOUBLE_EQ(*est.total_min, 4 * 1.75);
  EXPECT_DOUBLE_EQ(*est.total_max, 4 * 83.0);
}

// A hibernated cluster's GPU pools are rendered at zero: they cost nothing
// while it sleeps, the control plane and CPU pools still do.
TEST(CostTest, HibernatedGpuPoolsCountAtZero) {
  ClusterRequest req = GpuTrainingRequest();
  req.node_pools[1].autoscaling.reset();
  req.node_pools[1].replicas = 2;  // fixed size: 2 x 3.25 while awake
  CostEstimate awake = EstimateCost(req, TestPrices());
  EXPECT_DOUBLE_EQ(awake.hourly_min, 1.75 + 6.5);
  req.hibernate = true;
  CostEstimate asleep = EstimateCost(req, TestPrices());
  EXPECT_TRUE(asleep.known);
  EXPECT_DOUBLE_EQ(asleep.hourly_min, 1.75);
  EXPECT_DOUBLE_EQ(asleep.hourly_max, 1.75);
  EXPECT_DOUBLE_EQ(*asleep.total_max, 4 * 1.75);
  ASSERT_EQ(asleep.lines.size(), 3u);
  EXPECT_FALSE(asleep.lines[1].hibernated) << "the CPU pool stays";
  EXPECT_EQ(asleep.lines[1].min_replicas, 2);
  EXPECT_TRUE(asleep.lines[2].hibernated);
  EXPECT_EQ(asleep.lines[2].max_replicas, 0);
  EXPECT_DOUBLE_EQ(asleep.lines[2].node_hourly, 3.25) << "the price stays";
  EXPECT_EQ(FormatCostSummary(asleep), "$1.75/hour, $7.00 over 4h");
  nlohmann::json j = CostToJson(asleep);
  EXPECT_EQ(j["lines"][2]["hibernated"], true);
  EXPECT_FALSE(j["lines"][1].contains("hibernated"));
  // Autoscaled GPU pools: max 0 too, so the range collapses.
  CostEstimate scaled = EstimateCost(
      [] {
        ClusterRequest r = GpuTrainingRequest();
        r.hibernate = true;
        return r;
      }(),
      TestPrices());
  EXPECT_DOUBLE_EQ(scaled.hourly_max, 1.75);
}

TEST(CostTest, OnDemandGpusCostMore) {
  ClusterRequest req = GpuTrainingRequest();
  req.node_pools[1].spot = false;
  CostEstimate est = EstimateCost(req, TestPrices());
  EXPECT_DOUBLE_EQ(est.lines[2].node_hourly, 1.5 + 4 * 2.5);
  EXPECT_DOUBLE_EQ(est.hourly_max, 0.75 + 1.0 + 25 * 11.5);
}

TEST(CostTest, ControlPlaneIsNeverPricedAsSpot) {
  ClusterRequest req = GpuTrainingRequest();
  for (NodePool& p : req.node_pools) p.spot = true;
  CostEstimate est = EstimateCost(req, TestPrices());
  EXPECT_DOUBLE_EQ(est.lines[0].node_hourly, 0.25);
  EXPECT_DOUBLE_EQ(est.lines[1].node_hourly, 0.125);
}

TEST(CostTest, TypesThatIncludeTheirGpusAddNothingForThem) {
  ClusterRequest req = GpuTrainingRequest();
  req.node_pools[1].machine_type = "a2-highgpu-1g";
  req.node_pools[1].accelerator = Accelerator{"nvidia-tesla-a100", 1};
  CostEstimate est = EstimateCost(req, TestPrices());
  EXPECT_TRUE(est.known);  // the a100 needs no price of its own
  EXPECT_DOUBLE_EQ(est.lines[2].node_hourly, 1.25);
}

// The shape table knows a3 bundles its H100s: a price table entry without
// includesAccelerators must not add an H100 price on top (the loader now
// derives the accelerator of bundled types).
TEST(CostTest, BundledShapesNeedNoAcceleratorPrice) {
  ClusterRequest req = GpuTrainingRequest();
  req.node_pools[1].machine_type = "a3-highgpu-8g";
  req.node_pools[1].accelerator = Accelerator{"nvidia-h100-80gb", 8};
  PriceTable prices = TestPrices();
  ASSERT_TRUE(LoadPriceTable("p.yaml", R"(apiVersion: capigitops.io/v1alpha1
kind: PriceTable
metadata: {name: a3}
machineTypes:
  gcp:
    a3-highgpu-8g: {onDemand: 88, spot: 26}
)",
                             &prices)
                  .empty());
  CostEstimate est = EstimateCost(req, prices);
  EXPECT_TRUE(est.known);
  EXPECT_DOUBLE_EQ(est.lines[2].node_hourly, 26);
}

TEST(CostTest, AwsInstanceTypesAlwaysBringTheirGpus) {
  PriceTable prices = TestPrices();
  ASSERT_TRUE(LoadPriceTable("p.yaml", R"(apiVersion: capigitops.io/v1alpha1
kind: PriceTable
metadata: {name: aws}
machineTypes:
  aws:
    m5.xlarge: {onDemand: 0.25}
    g4dn.xlarge: {onDemand: 0.5}
)",
                             &prices)
                  .empty());
  ClusterRequest req;
  req.provider = Provider::kAws;
  req.control_plane = {1, "m5.xlarge"};
  NodePool gpu;
  gpu.name = "gpu";
  gpu.machine_type = "g4dn.xlarge";
  gpu.accelerator = Accelerator{"nvidia-tesla-t4", 1};
  gpu.replicas = 4;
  req.node_pools = {gpu};
  CostEstimate est = EstimateCost(req, prices);
  EXPECT_TRUE(est.known);  // no accelerator price needed, none added
  EXPECT_DOUBLE_EQ(est.hourly_max, 0.25 + 4 * 0.5);
}

TEST(CostTest, MissingPricesMakeTheEstimateUnknownNotAFailure) {
  ClusterRequest req = GpuTrainingRequest();
  req.node_pools[0].machine_type = "n9-foo";
  req.node_pools[1].accelerator = Accelerator{"nvidia-h200", 8};
  CostEstimate est = EstimateCost(req, TestPrices());
  EXPECT_FALSE(est.known);
  EXPECT_EQ(est.missing,
            (std::vector<std::string>{"gcp machine type n9-foo",
                                      "gcp accelerator nvidia-h200"}));
  EXPECT_FALSE(est.lines[1].known);
  EXPECT_FALSE(est.lines[2].known);
  // The known parts still add up: control plane and the gpu pool's machines.
  EXPECT_DOUBLE_EQ(est.hourly_max, 0.75 + 25 * 0.25);
}

TEST(CostTest, MissingSpotPriceIsNamed) {
  ClusterRequest req = GpuTrainingRequest();
  req.node_pools[0].machine_type = "e2-standard-4";
  req.node_pools[0].spot = true;
  CostEstimate est = EstimateCost(req, TestPrices());
  EXPECT_FALSE(est.known);
  EXPECT_EQ(est.missing, (std::vector<std::string>{
                             "gcp spot price of machine type e2-standard-4"}));
}

TEST(CostTest, TotalsFollowTheTtl) {
  PriceTable prices = TestPrices();
  ClusterRequest req = GpuTrainingRequest();
  req.ttl = {TtlKind::kNever, 0, 0, "never"};
  CostEstimate never = EstimateCost(req, prices);
  EXPECT_FALSE(never.ttl_hours.has_value());
  EXPECT_FALSE(never.total_max.has_value());
  EXPECT_FALSE(EstimateCost(req, prices, 10.0).total_max.has_value());

  req.ttl = {TtlKind::kExpiresAt, 0, 1764612000, "2025-12-01T18:00:00Z"};
  EXPECT_FALSE(EstimateCost(req, prices).total_max.has_value());
  CostEstimate remaining = EstimateCost(req, prices, 10.0);
  EXPECT_DOUBLE_EQ(*remaining.total_min, 17.5);
  EXPECT_DOUBLE_EQ(*remaining.total_max, 830);

  req.ttl = {TtlKind::kDuration, 90 * 60, 0, "90m"};
  EXPECT_DOUBLE_EQ(*EstimateCost(req, prices).total_min, 1.5 * 1.75);
  // A running cluster: the caller passes what remains of the ttl.
  EXPECT_DOUBLE_EQ(*EstimateCost(req, prices, 0.5).total_min, 0.5 * 1.75);
}

TEST(CostTest, DockerIsFreeThroughAGlobEntry) {
  ClusterRequest req;
  req.file = "clusters/dev.yaml";
  req.provider = Provider::kDocker;
  req.control_plane = {1, ""};
  NodePool workers;
  workers.name = "workers";
  workers.replicas = 2;
  req.node_pools = {workers};
  CostEstimate est = EstimateCost(req, TestPrices());
  EXPECT_TRUE(est.known);
  EXPECT_DOUBLE_EQ(est.hourly_max, 0);
}

TEST(CostTest, NoPriceTableAtAll) {
  CostEstimate est = EstimateCost(GpuTrainingRequest(), PriceTable{});
  EXPECT_FALSE(est.known);
  EXPECT_EQ(est.missing,
            (std::vector<std::string>{"gcp machine type n2-standard-4",
                                      "gcp machine type n2-standard-8",
                                      "gcp machine type n1-standard-32",
                                      "gcp accelerator nvidia-tesla-v100"}));
  EXPECT_DOUBLE_EQ(est.hourly_max, 0);
}

TEST(CostTest, FormatMoney) {
  EXPECT_EQ(FormatMoney(12.34), "$12.34");
  EXPECT_EQ(FormatMoney(0), "$0.00");
  EXPECT_EQ(FormatMoney(0.5), "$0.50");
  EXPECT_EQ(FormatMoney(0.004), "$0.00");
  EXPECT_EQ(FormatMoney(2.675), "$2.68");
  EXPECT_EQ(FormatMoney(1234.5), "$1,234.50");
  EXPECT_EQ(FormatMoney(1234567.891), "$1,234,567.89");
  EXPECT_EQ(FormatMoney(-3.1), "-$3.10");
}

TEST(PriceTableTest, RepositoryEntriesOverrideTheProjectsOnes) {
  PriceTable table = TestPrices();
  Diagnostics diags = LoadPriceTable("repo/policies/prices.yaml", R"(
apiVersion: capigitops.io/v1alpha1
kind: PriceTable
metadata: {name: negotiated}
machineTypes:
  gcp:
    n1-standard-32: {onDemand: 1.0, spot: 0.2}
  aws:
    g4dn.xlarge: {onDemand: 0.4, includesAccelerators: true}
)",
                                     &table);
  ASSERT_TRUE(diags.empty()) << diags[0].ToString();
  const Price* n1 = table.MachinePrice(Provider::kGcp, "n1-standard-32");
  ASSERT_NE(n1, nullptr);
  EXPECT_DOUBLE_EQ(*n1->on_demand, 1.0);
  EXPECT_EQ(n1->file, "repo/policies/prices.yaml");
  EXPECT_EQ(n1->mark.line, 7);
  // Untouched entries and the currency stay.
  EXPECT_DOUBLE_EQ(
      *table.MachinePrice(Provider::kGcp, "n2-standard-4")->on_demand, 0.25);
  EXPECT_EQ(table.currency, "USD");
  const Price* g4 = table.MachinePrice(Provider::kAws, "g4dn.xlarge");
  ASSERT_NE(g4, nullptr);
  EXPECT_TRUE(g4->includes_accelerators);
  EXPECT_FALSE(g4->spot.has_value());
}

TEST(PriceTableTest, ExactNamesWinOverGlobsAndLongerGlobsOverShorter) {
  PriceTable table;
  Diagnostics diags = LoadPriceTable("p.yaml", R"(
apiVersion: capigitops.io/v1alpha1
kind: PriceTable
metadata: {name: globs}
machineTypes:
  openstack:
    "*": {onDemand: 1}
    "m1.*": {onDemand: 2}
    m1.large: {onDemand: 3}
)",
                                     &table);
  ASSERT_TRUE(diags.empty()) << diags[0].ToString();
  EXPECT_DOUBLE_EQ(
      *table.MachinePrice(Provider::kOpenstack, "m1.large")->on_demand, 3);
  EXPECT_DOUBLE_EQ(
      *table.MachinePrice(Provider::kOpenstack, "m1.tiny")->on_demand, 2);
  EXPECT_DOUBLE_EQ(
      *table.MachinePrice(Provider::kOpenstack, "gpu.big")->on_demand, 1);
  EXPECT_EQ(table.MachinePrice(Provider::kAws, "m1.large"), nullptr);
}

TEST(PriceTableTest, ErrorsHavePositionsAndLeaveTheTableUnchanged) {
  PriceTable table = TestPrices();
  Diagnostics diags = LoadPriceTable("repo/policies/prices.yaml",
                                     R"(apiVersion: capigitops.io/v1alpha1
kind: PriceTable
metadata: {name: broken}
currency: EUR
machineTypes:
  gpc:
    n1-standard-32: {onDemand: 1.0}
  gcp:
    n1-standard-32: {onDemnad: 1.0}
    n2-standard-4: {onDemand: cheap}
    n2-standard-8: {onDemand: -1}
    "n1-[a-z]*": {onDemand: 1}
)",
                                     &table);
  std::vector<std::string> got;
  for (const Diagnostic& d : diags) got.push_back(d.ToString());
  EXPECT_EQ(got,
            (std::vector<std::string>{
                "repo/policies/prices.yaml:4:11: currency: currency EUR "
                "differs from USD of the prices loaded before: use one "
                "currency",
                "repo/policies/prices.yaml:6:3: machineTypes.gpc: unknown "
                "provider \"gpc\"; did you mean \"gcp\"?",
                "repo/policies/prices.yaml:9:21: "
                "machineTypes.gcp.n1-standard-32.onDemand: required field is "
                "missing",
                "repo/policies/prices.yaml:9:22: "
                "machineTypes.gcp.n1-standard-32.onDemnad: unknown field "
                "\"onDemnad\"; did you mean \"onDemand\"?",
                "repo/policies/prices.yaml:10:31: "
                "machineTypes.gcp.n2-standard-4.onDemand: expected a number, "
                "got \"cheap\"",
                "repo/policies/prices.yaml:11:31: "
                "machineTypes.gcp.n2-standard-8.onDemand: must not be "
                "negative, got -1",
                "repo/policies/prices.yaml:12:5: machineTypes.gcp.n1-[a-z]*: "
                "invalid type name: '[' is not supported in patterns: use * "
                "(any characters) and ? (one character)",
            }));
  EXPECT_DOUBLE_EQ(
      *table.MachinePrice(Provider::kGcp, "n1-standard-32")->on_demand, 1.5);
  EXPECT_EQ(table.currency, "USD");
}

TEST(PriceTableTest, WrongKindAndBrokenYaml) {
  PriceTable table;
  Diagnostics diags = LoadPriceTable("p.yaml", "kind: Policy\n", &table);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].ToString(),
            "p.yaml:1:7: kind: expected kind PriceTable, got \"Policy\"");
  diags = LoadPriceTable("p.yaml", "machineTypes: [\n", &table);
  ASSERT_FALSE(diags.empty());
  EXPECT_GT(diags[0].line, 0);
  EXPECT_TRUE(table.machine_types.empty());
}

}  // namespace
}  // namespace capigitops

namespace capigitops {
namespace {

TEST(CostReportTest, SummaryLine) {
  PriceTable prices = TestPrices();
  ClusterRequest req = GpuTrainingRequest();
  EXPECT_EQ(FormatCostSummary(EstimateCost(req, prices)),
            "$1.75 to $83.00/hour, $7.00 to $332.00 over 4h");
  req.node_pools.pop_back();
  req.ttl = {TtlKind::kNever, 0, 0, "never"};
  EXPECT_EQ(FormatCostSummary(EstimateCost(req, prices)), "$1.75/hour");
  req.ttl = {TtlKind::kExpiresAt, 0, 0, "2026-12-01T18:00:00Z"};
  EXPECT_EQ(FormatCostSummary(EstimateCost(req, prices, 26.5)),
            "$1.75/hour, $46.38 over 1d2h30m");
  req.node_pools[0].machine_type = "n9-foo";
  EXPECT_EQ(FormatCostSummary(EstimateCost(req, prices)),
            "unknown (no price for gcp machine type n9-foo); at least "
            "$0.75/hour");
  EXPECT_EQ(FormatCostSummary(EstimateCost(req, PriceTable{})),
            "unknown (no price for gcp machine type n2-standard-4, gcp "
            "machine type n9-foo)");
}

TEST(CostReportTest, Json) {
  nlohmann::json j =
      CostToJson(EstimateCost(GpuTrainingRequest(), TestPrices()));
  EXPECT_EQ(j["known"], true);
  EXPECT_EQ(j["currency"], "USD");
  EXPECT_EQ(j["hourlyMin"], 1.75);
  EXPECT_EQ(j["hourlyMax"], 83.0);
  EXPECT_EQ(j["ttlHours"], 4.0);
  EXPECT_EQ(j["totalMax"], 332.0);
  ASSERT_EQ(j["lines"].size(), 3u);
  EXPECT_EQ(j["lines"][2]["part"], "gpu");
  EXPECT_EQ(j["lines"][2]["spot"], true);
  EXPECT_EQ(j["lines"][2]["maxReplicas"], 25);
  EXPECT_EQ(j["lines"][2]["nodeHourly"], 3.25);
}

}  // namespace
}  // namespace capigitops
