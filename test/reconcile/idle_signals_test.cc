// Reading workload clusters (nodes for `usable`, GPU work for idle) through
// FakeKubeApi workload APIs.
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
    note_.clear();
    return ObserveWorkload(api_, {"kube-system", "gpu-operator"}, &note_);
  }
  FakeKubeApi api_;
  std::string note_;
};

TEST_F(IdleSignalsTest, EmptyClusterIsIdle) {
  IdleObservation o = Observe();
  EXPECT_TRUE(o.readable) << o.unreadable;
  EXPECT_TRUE(o.busy.empty());
  EXPECT_TRUE(note_.empty());
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
  std::string note;
  IdleObservation o = ObserveWorkload(kueue, {}, &note);
  ASSERT_TRUE(o.readable) << o.unreadable;
  ASSERT_EQ(o.busy.size(), 1u);
  EXPECT_EQ(o.busy[0], "Kueue workload ml/w is pending");
  // Without Kueue nothing is asked for beyond nodes, pods and jobs.
  EXPECT_TRUE(Observe().readable);
}

// The observation says why in a fixed text (the status file must not
// change with every attempt's message); the message goes to the note.
TEST_F(IdleSignalsTest, AnyFailedListMakesItUnreadable) {
  api_.FailOn("list", "Job", Status::Unavailable("connection refused"));
  IdleObservation o = Observe();
  EXPECT_FALSE(o.readable);
  EXPECT_EQ(o.unreadable,
            "listing Jobs: workload API unreachable: cannot connect");
  EXPECT_NE(note_.find("connection refused"), std::string::npos) << note_;
  FakeKubeApi kueue;
  kueue.ServeWorkloadKinds(/*kueue=*/true);
  kueue.FailOn("list", "Workload", Status::PermissionDenied("forbidden"));
  std::string note;
  o = ObserveWorkload(kueue, {}, &note);
  EXPECT_FALSE(o.readable);
  EXPECT_EQ(o.unreadable, "listing Workloads: workload API denied the list");
}

// One reading per cluster serves both `usable` and the idle decision: one
// connection, the Nodes once, and the idle signals only where watched.
TEST_F(IdleSignalsTest, ManyClustersReadOnceInParallelInInputOrder) {
  FakeWorkloadConnector connector;
  FakeKubeApi busy;
  busy.ServeWorkloadKinds();
  busy.Seed(IdleNode("n", true));
  busy.Seed(IdlePod("ml", "p", "Running", 1));
  connector.Add("ns", "idle", &api_);
  connector.Add("ns", "busy", &busy);
  connector.Fail("ns", "broken", Status::PermissionDenied("secrets forbidden"));
  std::vector<WorkloadTarget> targets;
  for (int i = 0; i < 20; ++i) {
    const char* name = i % 5 == 0   ? "idle"
                       : i % 5 == 1 ? "busy"
                       : i % 5 == 2 ? "broken"
                       : i % 5 == 3 ? "new"
                                    : "provisioning";
    targets.push_back({name, i % 5 != 4, /*watch_idle=*/i < 10});
  }
  std::vector<WorkloadRead> seen =
      ReadWorkloadClusters(connector, "ns", targets, {}, 3);
  ASSERT_EQ(seen.size(), targets.size());
  for (size_t i = 0; i < targets.size(); ++i) {
    const std::string& name = targets[i].name;
    const WorkloadRead& r = seen[i];
    ASSERT_EQ(r.idle.has_value(), targets[i].watch_idle) << i;
    if (name == "idle") {
      EXPECT_EQ(r.reading.nodes, 2);
      EXPECT_EQ(r.reading.ready_nodes, 1);
      EXPECT_TRUE(r.reading.unreadable.empty());
      if (r.idle) {
        EXPECT_TRUE(r.idle->readable && r.idle->busy.empty());
      }
    } else if (name == "busy") {
      EXPECT_EQ(r.reading.ready_nodes, 1);
      if (r.idle) {
        EXPECT_EQ(r.idle->busy.size(), 1u);
      }
    } else if (name == "broken") {
      EXPECT_EQ(r.reading.unreadable, "kubeconfig Secret could not be read");
      EXPECT_NE(r.note.find("forbidden"), std::string::npos);
    } else if (name == "new") {
      EXPECT_EQ(r.reading.unreadable, "kubeconfig Secret not found yet");
    } else {
      EXPECT_EQ(r.reading.unreadable, "control plane not initialized yet");
    }
    // What cannot be read is never idle, and says why as the status does.
    if (r.idle && !r.reading.unreadable.empty()) {
      EXPECT_FALSE(r.idle->readable);
      EXPECT_EQ(r.idle->unreadable, r.reading.unreadable);
    }
  }
  EXPECT_EQ(connector.connects(), 16) << "not before the control plane is up";
  // Per watched reachable cluster: Nodes, Pods, Jobs, and Kueue's two
  // versions (not served here), without a discovery request; per unwatched
  // one the Nodes only.
  EXPECT_EQ(api_.Count("list", "Node"), 4);
  EXPECT_EQ(api_.Count("list", "Pod"), 2);
  EXPECT_EQ(api_.Count("list", "Job"), 2);
  EXPECT_EQ(api_.Count("list", "Workload"), 4);
  EXPECT_EQ(api_.Count(""), 12);
}

}  // namespace
}  // namespace capigitops
