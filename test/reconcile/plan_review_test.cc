#include "capigitops/plan_review.h"

#include <gtest/gtest.h>

#include "capigitops/duration.h"

namespace capigitops {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'800'000'000;

ClusterRequest GpuRequest(const std::string& machine_type, int replicas) {
  ClusterRequest req;
  req.name = "train";
  req.owner = "ml";
  req.provider = Provider::kAws;
  req.region = "us-east-1";
  req.kubernetes_version = "v1.33.4";
  req.control_plane = {3, "m5.large"};
  NodePool gpu;
  gpu.name = "gpu";
  gpu.machine_type = machine_type;
  gpu.replicas = replicas;
  gpu.accelerator = Accelerator{"nvidia-a10g", 1};
  gpu.labels = {{"workload", "training"}};
  req.node_pools.push_back(gpu);
  req.ttl = Ttl{TtlKind::kDuration, 4 * 3600, 0, "4h"};
  return req;
}

PriceTable Prices() {
  PriceTable t;
  t.currency = "USD";
  t.machine_types[Provider::kAws]["m5.large"] = Price{0.1, {}, false, {}, {}};
  t.machine_types[Provider::kAws]["g5.2xlarge"] = Price{1, {}, true, {}, {}};
  t.machine_types[Provider::kAws]["g5.4xlarge"] = Price{2, {}, true, {}, {}};
  return t;
}

json LiveCluster(const std::optional<ClusterRequest>& applied) {
  json c = {{"apiVersion", "cluster.x-k8s.io/v1beta2"},
            {"kind", "Cluster"},
            {"metadata", {{"name", "train"}}}};
  if (applied)
    c["metadata"]["annotations"][kAppliedSpecAnnotation] =
        SpecRecord(*applied).dump();
  return c;
}

// Live objects as the live state keeps them: encoded.
LiveObjects Encoded(const std::map<ObjRef, json>& objects) {
  LiveObjects out;
  for (const auto& [ref, obj] : objects) out.emplace(ref, LiveObject(obj));
  return out;
}

const ObjRef kMd{"cluster.x-k8s.io/v1beta2", "MachineDeployment", "train-gpu"};
const ObjRef kCluster{"cluster.x-k8s.io/v1beta2", "Cluster", "train"};

// An update that swaps the gpu pool's machine template.
ClusterPlan SwapPlan() {
  ClusterPlan cp;
  cp.name = "train";
  cp.action = ClusterAction::kUpdate;
  cp.inventory = Inventory{};
  cp.inventory->created_at = kNow - 3600;
  ObjectChange md;
  md.ref = kMd;
  md.action = ObjectAction::kUpdate;
  md.changes = {
      {"spec.template.spec.infrastructureRef.name", "train-gpu-aaaa",
       "train-gpu-bbbb"},
      {"spec.template.spec.deletion.nodeDrainTimeoutSeconds", 600, 900}};
  cp.objects.push_back(md);
  return cp;
}

TEST(PlanReviewTest, RecordRoundTripsEveryComparedField) {
  ClusterRequest req = GpuRequest("g5.2xlarge", 2);
  req.labels = {{"team", "ml"}};
  req.node_pools[0].taints = {{"dedicated", "ml", "NoSchedule"}};
  req.node_pools[0].disk_gib = 200;
  req.deletion_protection = true;
  std::optional<ClusterRequest> back =
      RequestFromRecord(json::parse(SpecRecord(req).dump()));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(SpecFields(*back), SpecFields(req));
  EXPECT_TRUE(DiffSpecs(req, *back).empty());
  EXPECT_EQ(back->ttl.seconds, 4 * 3600);
}

TEST(PlanReviewTest, ACorruptRecordIsUnknownNotHalfRead) {
  EXPECT_FALSE(RequestFromRecord(json::parse(R"({"provider":"aws"})")));
  EXPECT_FALSE(
      RequestFromRecord(json::parse(R"({"provider":"nope","nodePools":[]})")));
  EXPECT_FALSE(RequestFromRecord(json::parse(
      R"({"provider":"aws","nodePools":[{"name":"a","replicas":"two"}]})")));
}

TEST(PlanReviewTest, SpecDiffNamesFieldsPoolsAndLabels) {
  ClusterRequest before = GpuRequest("g5.2xlarge", 2);
  ClusterRequest after = GpuRequest("g5.4xlarge", 2);
  after.node_pools[0].labels["tier"] = "a100";
  NodePool cpu;
  cpu.name = "cpu";
  cpu.machine_type = "m5.large";
  cpu.autoscaling = Autoscaling{0, 5};
  after.node_pools.push_back(cpu);
  std::vector<std::string> lines;
  for (const SpecChange& c : DiffSpecs(before, after))
    lines.push_back(c.ToString());
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "pool cpu (none) → added: m5.large x 0-5 (autoscaled)",
                       "gpu.labels.tier (none) → a100",
                       "gpu.machineType g5.2xlarge → g5.4xlarge",
                   }));
  lines.clear();
  for (const SpecChange& c : DiffSpecs(after, before))
    lines.push_back(c.ToString());
  EXPECT_EQ(lines.front(), "pool cpu m5.large x 0-5 (autoscaled) → removed");
}

TEST(PlanReviewTest, ATemplateSwapRollsEveryLiveMachineOfThePool) {
  LiveObjects live = Encoded(
      {{kMd, {{"spec", {{"replicas", 4}}}, {"status", {{"replicas", 3}}}}}});
  std::vector<Replacement> reps = FindReplacements(SwapPlan(), live);
  ASSERT_EQ(reps.size(), 1u);
  EXPECT_EQ(reps[0].ToString(),
            "rolling replacement of 3 machines in pool gpu (new machine "
            "template train-gpu-bbbb)");

  // An autoscaled pool with no live count yet: its bounds, not a number.
  ClusterPlan scaled = SwapPlan();
  scaled.objects[0].desired["metadata"]["annotations"] = {
      {"cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size", "2"},
      {"cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size", "20"}};
  std::vector<Replacement> scaled_reps = FindReplacements(scaled, {});
  ASSERT_EQ(scaled_reps.size(), 1u);
  EXPECT_EQ(scaled_reps[0].ToString(),
            "rolling replacement of every machine (count unknown; autoscaled "
            "2-20) in pool gpu (new machine template train-gpu-bbbb)");

  // A drain timeout alone is applied in place: nothing is replaced.
  ClusterPlan timeout = SwapPlan();
  timeout.objects[0].changes.erase(timeout.objects[0].changes.begin());
  EXPECT_TRUE(FindReplacements(timeout, live).empty());

  // The control plane and removed pools count too.
  ClusterPlan cp = SwapPlan();
  cp.objects[0].action = ObjectAction::kDelete;
  ObjectChange kcp;
  kcp.ref = ObjRef{"controlplane.cluster.x-k8s.io/v1beta2",
                   "KubeadmControlPlane", "train-control-plane"};
  kcp.action = ObjectAction::kUpdate;
  kcp.changes = {{"spec.version", "v1.33.4", "v1.34.0"}};
  cp.objects.push_back(kcp);
  reps = FindReplacements(cp, live);
  ASSERT_EQ(reps.size(), 2u);
  EXPECT_EQ(reps[0].ToString(), "pool gpu removed: its 3 machines are deleted");
  EXPECT_EQ(reps[1].ToString(),
            "rolling replacement of every machine (count unknown) of the "
            "control plane (Kubernetes v1.33.4 → v1.34.0)");
}

TEST(PlanReviewTest, CostAndExpiryBeforeAndAfter) {
  ClusterRequest before = GpuRequest("g5.2xlarge", 2);
  ClusterRequest after = GpuRequest("g5.4xlarge", 2);
  after.ttl = Ttl{TtlKind::kDuration, 8 * 3600, 0, "8h"};
  PriceTable prices = Prices();
  CostEstimate cost = EstimateCost(after, prices);
  LiveObjects live = Encoded({{kCluster, LiveCluster(before)},
                              {kMd, {{"status", {{"replicas", 2}}}}}});
  Plan plan;
  plan.now = kNow;
  plan.clusters = {SwapPlan()};
  PlanReview review =
      ReviewPlan(plan, {{"train", ReviewInput{&after, &cost}}}, prices, live);
  ASSERT_EQ(review.clusters.size(), 1u);
  const ClusterReview& r = review.clusters[0];
  EXPECT_TRUE(r.before_known);
  ASSERT_TRUE(r.hourly_before && r.hourly_after);
  EXPECT_EQ(r.hourly_before->ToString(), "$2.30");  // 3 x 0.1 + 2 x 1
  EXPECT_EQ(r.hourly_after->ToString(), "$4.30");
  EXPECT_DOUBLE_EQ(review.hourly_change_min, 2);
  EXPECT_TRUE(review.complete);
  EXPECT_TRUE(r.expiry_moves);
  EXPECT_EQ(r.expires_before, kNow - 3600 + 4 * 3600);
  EXPECT_EQ(r.expires_after, kNow - 3600 + 8 * 3600);
  EXPECT_EQ(FormatExpiry(*r.expires_after), "2027-01-15 15:00 UTC");
  ASSERT_FALSE(r.spec_changes.empty());
  EXPECT_EQ(r.spec_changes[0].ToString(),
            "gpu.machineType g5.2xlarge → g5.4xlarge");
}

TEST(PlanReviewTest, WithoutARecordTheBeforeSpecIsUnknownNotInvented) {
  ClusterRequest after = GpuRequest("g5.4xlarge", 2);
  PriceTable prices = Prices();
  CostEstimate cost = EstimateCost(after, prices);
  Plan plan;
  plan.now = kNow;
  plan.clusters = {SwapPlan()};
  PlanReview review =
      ReviewPlan(plan, {{"train", ReviewInput{&after, &cost}}}, prices,
                 Encoded({{kCluster, LiveCluster(std::nullopt)}}));
  const ClusterReview& r = review.clusters[0];
  EXPECT_FALSE(r.before_known);
  EXPECT_TRUE(r.spec_changes.empty());
  EXPECT_FALSE(r.hourly_before.has_value());
  EXPECT_FALSE(r.expiry_moves);
  EXPECT_FALSE(review.complete);
  // The object diff still tells the replacement.
  EXPECT_EQ(r.replacements.size(), 1u);
}

TEST(PlanReviewTest, ADeletionThatGoesAheadDropsItsCostAHeldOneDoesNot) {
  ClusterRequest before = GpuRequest("g5.2xlarge", 2);
  ClusterPlan gone;
  gone.name = "train";
  gone.action = ClusterAction::kDelete;
  Plan plan;
  plan.now = kNow;
  plan.clusters = {gone};
  LiveObjects live = Encoded({{kCluster, LiveCluster(before)}});
  PlanReview review = ReviewPlan(plan, {}, Prices(), live);
  EXPECT_FALSE(review.clusters[0].hourly_after.has_value());
  EXPECT_DOUBLE_EQ(review.hourly_change_min, -2.3);

  plan.clusters[0].deletion_held = true;
  review = ReviewPlan(plan, {}, Prices(), live);
  EXPECT_FALSE(review.any_cost_change);
  EXPECT_DOUBLE_EQ(review.hourly_change_min, 0);
}

}  // namespace
}  // namespace capigitops
