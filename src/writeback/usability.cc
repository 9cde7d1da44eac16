// Is a cluster usable: the summary of what a pass read from its workload
// API and its add-ons (../shared/docs/addons-and-idle.md 1.7 point 7: nodes
// Ready, every selected add-on delivered, GPUs allocatable where there are
// GPU nodes). The first problem a user would hit is the reason.
#include <string>

#include "capigitops/writeback.h"

namespace capigitops {
namespace {

// The add-ons that provide `what`, as "calico: Pending"; "" when none.
std::string Describe(const WorkloadReading& r, const std::string& what) {
  std::string out;
  for (const AddonState& a : r.addons) {
    if (a.provides != what) continue;
    out += (out.empty() ? "" : ", ") + a.name + ": " + a.state;
  }
  return out;
}

bool Delivered(const WorkloadReading& r, const std::string& what) {
  for (const AddonState& a : r.addons) {
    if (a.provides == what && a.ready) return true;
  }
  return false;
}

std::string NotReadyNodes(const WorkloadReading& r) {
  int not_ready = r.nodes - r.ready_nodes;
  if (not_ready == r.nodes) return "nodes NotReady";
  return std::to_string(not_ready) + " of " + std::to_string(r.nodes) +
         " nodes NotReady";
}

}  // namespace

Usability SummarizeUsability(const WorkloadReading& r) {
  if (!r.unreadable.empty()) return {false, r.unreadable};
  if (r.nodes == 0) return {false, "no nodes registered yet"};
  if (r.ready_nodes < r.nodes) {
    // Without a network plugin no node goes Ready: name that first.
    if (!Delivered(r, "cni")) {
      std::string cni = Describe(r, "cni");
      return {false, "no CNI delivered" +
                         (cni.empty() ? "" : " (" + cni + ")") + ": " +
                         NotReadyNodes(r)};
    }
    return {false, NotReadyNodes(r)};
  }
  if (r.gpu_nodes > 0 && r.gpus_allocatable == 0) {
    if (!Delivered(r, "gpu")) {
      std::string gpu = Describe(r, "gpu");
      return {false, "no GPUs allocatable: GPU operator not delivered" +
                         (gpu.empty() ? "" : " (" + gpu + ")")};
    }
    return {false, "no GPUs allocatable on " + std::to_string(r.gpu_nodes) +
                       " GPU node(s)"};
  }
  for (const AddonState& a : r.addons) {
    if (!a.ready) return {false, "add-on " + a.name + " " + a.state};
  }
  return {true, ""};
}

}  // namespace capigitops
