// SummarizeUsability: the first thing that would stop a GPU job, as a
// table; and the fields it adds to status/<name>.yaml.
#include <gtest/gtest.h>

#include "capigitops/writeback.h"

namespace capigitops {
namespace {

AddonState Addon(const std::string& name, const std::string& provides,
                 const std::string& state) {
  return {name, provides, state == "Ready", state};
}

WorkloadReading Healthy() {
  WorkloadReading r;
  r.nodes = 3;
  r.ready_nodes = 3;
  r.gpu_nodes = 1;
  r.gpus_allocatable = 4;
  r.addons = {Addon("calico", "cni", "Ready"),
              Addon("gpu-operator", "gpu", "Ready")};
  return r;
}

TEST(UsabilityTest, Table) {
  struct Case {
    std::string what;
    WorkloadReading reading;
    bool usable;
    std::string reason;
  };
  std::vector<Case> cases;
  cases.push_back({"healthy", Healthy(), true, ""});
  {
    WorkloadReading r;
    r.unreadable = "kubeconfig Secret not found yet";
    cases.push_back({"no secret", r, false, "kubeconfig Secret not found yet"});
  }
  {
    WorkloadReading r = Healthy();
    r.unreadable = "workload API unreachable: cannot connect";
    // Readings from before do not count: unreachable is never healthy.
    cases.push_back(
        {"unreachable", r, false, "workload API unreachable: cannot connect"});
  }
  {
    WorkloadReading r = Healthy();
    r.nodes = r.ready_nodes = r.gpu_nodes = 0;
    r.gpus_allocatable = 0;
    cases.push_back({"no nodes", r, false, "no nodes registered yet"});
  }
  {
    WorkloadReading r = Healthy();
    r.ready_nodes = 0;
    r.addons = {Addon("gpu-operator", "gpu", "Pending")};
    cases.push_back(
        {"no cni at all", r, false, "no CNI delivered: nodes NotReady"});
  }
  {
    WorkloadReading r = Healthy();
    r.ready_nodes = 0;
    r.addons[0] = Addon("calico", "cni", "Pending");
    cases.push_back({"cni pending", r, false,
                     "no CNI delivered (calico: Pending): nodes NotReady"});
  }
  {
    WorkloadReading r = Healthy();
    r.ready_nodes = 2;
    cases.push_back({"one node not ready", r, false, "1 of 3 nodes NotReady"});
  }
  {
    WorkloadReading r = Healthy();
    r.gpus_allocatable = 0;
    r.addons.pop_back();
    cases.push_back({"no gpu operator", r, false,
                     "no GPUs allocatable: GPU operator not delivered"});
  }
  {
    WorkloadReading r = Healthy();
    r.gpus_allocatable = 0;
    r.addons[1] = Addon("gpu-operator", "gpu", "NotReady: InstallFailed");
    cases.push_back({"gpu operator failing", r, false,
                     "no GPUs allocatable: GPU operator not delivered "
                     "(gpu-operator: NotReady: InstallFailed)"});
  }
  {
    WorkloadReading r = Healthy();
    r.gpus_allocatable = 0;
    cases.push_back({"operator ready, no gpus yet", r, false,
                     "no GPUs allocatable on 1 GPU node(s)"});
  }
  {
    // A GPU pool at zero (autoscaled): no GPU node, nothing to allocate.
    WorkloadReading r = Healthy();
    r.gpu_nodes = 0;
    r.gpus_allocatable = 0;
    cases.push_back({"gpu pool at zero", r, true, ""});
  }
  {
    WorkloadReading r = Healthy();
    r.addons.push_back(Addon("aws-ebs-csi", "csi", "Pending"));
    cases.push_back({"csi pending", r, false, "add-on aws-ebs-csi Pending"});
  }
  {
    WorkloadReading r = Healthy();
    r.gpu_nodes = 0;
    r.addons.clear();  // no catalog: nothing to deliver
    cases.push_back({"no catalog, ready nodes", r, true, ""});
  }
  for (const Case& c : cases) {
    Usability u = SummarizeUsability(c.reading);
    EXPECT_EQ(u.usable, c.usable) << c.what;
    EXPECT_EQ(u.reason, c.reason) << c.what;
  }
}

ClusterStatusInput Input() {
  ClusterStatusInput in;
  in.name = "gpu-a";
  in.ns = "fleet";
  in.live_cluster = nlohmann::json{
      {"apiVersion", "cluster.x-k8s.io/v1beta2"},
      {"kind", "Cluster"},
      {"metadata", {{"name", "gpu-a"}}},
      {"status",
       {{"phase", "Provisioned"},
        {"initialization", {{"controlPlaneInitialized", true}}}}}};
  return in;
}

TEST(UsabilityStatusFileTest, WritesCountsAddonsAndTheVerdict) {
  ClusterStatusInput in = Input();
  WorkloadReading r = Healthy();
  r.ready_nodes = 0;
  r.addons[0] = Addon("calico", "cni", "Pending");
  in.workload = r;
  std::string text = RenderStatusFile(in);
  EXPECT_NE(text.find("  nodes: 3\n  readyNodes: 0\n  gpusAllocatable: 4\n"
                      "  addons:\n    calico: Pending\n    gpu-operator: "
                      "Ready\n  usable: false\n  usableReason: \"no CNI "
                      "delivered (calico: Pending): nodes NotReady\"\n"),
            std::string::npos)
      << text;
}

TEST(UsabilityStatusFileTest, UnreadableHasNoCountsAndUsableHasNoReason) {
  ClusterStatusInput in = Input();
  WorkloadReading r;
  r.unreadable = "workload API unreachable: no answer in time";
  in.workload = r;
  std::string text = RenderStatusFile(in);
  EXPECT_EQ(text.find("nodes:"), std::string::npos) << text;
  EXPECT_NE(text.find("usable: false\n  usableReason: \"workload API "
                      "unreachable: no answer in time\""),
            std::string::npos)
      << text;
  in.workload = Healthy();
  text = RenderStatusFile(in);
  EXPECT_NE(text.find("usable: true\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("usableReason"), std::string::npos) << text;
  // Nothing read: none of the fields (the status of before this change).
  in.workload.reset();
  text = RenderStatusFile(in);
  EXPECT_EQ(text.find("usable"), std::string::npos) << text;
}

}  // namespace
}  // namespace capigitops
