// Reading a workload cluster's GPU work through FakeKubeApi workload APIs.
#include "reconcile/idle_signals.h"

#include <gtest/gtest.h>

#include "testing/fake_kube_api.h"
#include "testing/fake_workload.h"

namespace capigitops {
namespace {

using nlohmann::json;

json IdleNode(const std::string& name, bool ready) {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}}},
          {"status",
           {{"conditions",
             {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}};
}

json IdlePod(const std::string& ns, const std::string& name,
             const std::string& phase, int gpus) {
  json container = {{"name", "main"}, {"image", "trainer"}};
  if (gpus > 0) {
    container["resources"] = {{"limits", {{"nvidia.com/gpu", gpus}}}};
  }
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"containers", {container}}}},
          {"status", {{"phase", phase}}}};
}

json IdleJob(const std::string& ns, const std::string& name, int active,
             const char* finished) {
  json status = {{"active", active}};
  if (finished != nullptr) {
    status["conditions"] = {{{"type", finished}, {"status", "True"}}};
  }
  return {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"template", json::object()}}},
          {"status", status}};
}

class IdleSignalsTest : public ::testing::Test {
 protected:
  IdleSignalsTest() {
    api_.ServeWorkloadKinds();
    api_.Seed(IdleNode("n1", true));
    api_.Seed(IdleNode("n2", false));
  }
  IdleObservation Observe() {
    return ObserveWorkload(api_, {"kube-system", "gpu-operator"});
  }
  FakeKubeApi api_;
};

TEST_F(IdleSignalsTest, EmptyClusterIsIdleAndCountsReadyNodes) {
  IdleObservation o = Observe();
  EXPECT_TRUE(o.readable) << o.unreadable;
  EXPECT_TRUE(o.busy.empty());
  EXPECT_EQ(o.ready_nodes, 1);
}

TEST_F(IdleSignalsTest, GpuPodsRunningOrPendingAreBusy) {
  api_.Seed(IdlePod("ml", "train-0", "Running", 1));
  api_.Seed(IdlePod("ml", "train-1", "Pending", 2));
  api_.Seed(IdlePod("ml", "done", "Succeeded", 1));
  api_.Seed(IdlePod("ml", "web", "Running", 0));  // no GPU
  IdleObservation o = Observe();
  ASSERT_EQ(o.busy.size(), 2u);
  EXPECT_EQ(o.busy[0], "pod ml/train-0 requests nvidia.com/gpu (Running)");
  EXPECT_EQ(o.busy[1], "pod ml/train-1 requests nvidia.com/gpu (Pending)");
}

TEST_F(IdleSignalsTest, SystemAndIgnoredNamespacesNeverCount) {
  api_.Seed(IdlePod("kube-system", "dcgm", "Running", 1));
  api_.Seed(IdlePod("gpu-operator", "validator", "Running", 1));
  api_.Seed(IdleJob("kube-system", "cleanup", 1, nullptr));
  EXPECT_TRUE(Observe().busy.empty());
}

TEST_F(IdleSignalsTest, ActiveJobsAreBusyFinishedOnesAreNot) {
  api_.Seed(IdleJob("ml", "done", 0, "Complete"));
  api_.Seed(IdleJob("ml", "failed", 0, "Failed"));
  EXPECT_TRUE(Observe().busy.empty());
  api_.Seed(IdleJob("ml", "prep", 1, nullptr));
  IdleObservation o = Observe();
  ASSERT_EQ(o.busy.size(), 1u);
  EXPECT_EQ(o.busy[0], "job ml/prep is active");
}

TEST_F(IdleSignalsTest, KueueWorkloadsCountWhereKueueIsServed) {
  FakeKubeApi kueue;
  kueue.ServeWorkloadKinds(/*kueue=*/true);
  kueue.Seed(IdleNode("n1", true));
  kueue.Seed(
      {{"apiVersion", "kueue.x-k8s.io/v1beta1"},
       {"kind", "Workload"},
       {"metadata", {{"name", "w"}, {"namespace", "ml"}}},
       {"status",
        {{"conditions", {{{"type", "QuotaReserved"}, {"status", "False"}}}}}}});
  kueue.Seed(
      {{"apiVersion", "kueue.x-k8s.io/v1beta1"},
       {"kind", "Workload"},
       {"metadata", {{"name", "old"}, {"namespace", "ml"}}},
       {"status",
        {{"conditions", {{{"type", "Finished"}, {"status", "True"}}}}}}});
  IdleObservation o = ObserveWorkload(kueue, {});
  ASSERT_TRUE(o.readable) << o.unreadable;
  ASSERT_EQ(o.busy.size(), 1u);
  EXPECT_EQ(o.busy[0], "Kueue workload ml/w is pending");
  // Without Kueue nothing is asked for beyond nodes, pods and jobs.
  EXPECT_TRUE(Observe().readable);
}

TEST_F(IdleSignalsTest, AnyFailedListMakesItUnreadable) {
  api_.FailOn("list", "Job", Status::Unavailable("connection refused"));
  IdleObservation o = Observe();
  EXPECT_FALSE(o.readable);
  EXPECT_NE(o.unreadable.find("listing Jobs: "), std::string::npos);
  EXPECT_NE(o.unreadable.find("connection refused"), std::string::npos);
}

TEST_F(IdleSignalsTest, ManyClustersInParallelInInputOrder) {
  FakeWorkloadConnector connector;
  FakeKubeApi busy;
  busy.ServeWorkloadKinds();
  busy.Seed(IdleNode("n", true));
  busy.Seed(IdlePod("ml", "p", "Running", 1));
  connector.Add("ns", "idle", &api_);
  connector.Add("ns", "busy", &busy);
  connector.Fail("ns", "broken", Status::PermissionDenied("secrets forbidden"));
  std::vector<std::string> names;
  for (int i = 0; i < 20; ++i) {
    names.push_back(i % 4 == 0   ? "idle"
                    : i % 4 == 1 ? "busy"
                    : i % 4 == 2 ? "broken"
                                 : "new");
  }
  std::vector<IdleObservation> seen =
      ObserveWorkloads(connector, "ns", names, {}, 3);
  ASSERT_EQ(seen.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "idle") {
      EXPECT_TRUE(seen[i].readable && seen[i].busy.empty());
    } else if (names[i] == "busy") {
      EXPECT_EQ(seen[i].busy.size(), 1u);
    } else if (names[i] == "broken") {
      EXPECT_FALSE(seen[i].readable);
      EXPECT_NE(seen[i].unreadable.find("forbidden"), std::string::npos);
    } else {
      EXPECT_FALSE(seen[i].readable);
      EXPECT_NE(seen[i].unreadable.find("kubeconfig"), std::string::npos);
    }
  }
  EXPECT_EQ(connector.connects(), 20);
}

}  // namespace
}  // namespace capigitops
