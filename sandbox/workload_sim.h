// The workload clusters' own controllers: a Node per ready Machine replica
// (kubelet, cloud-controller-manager, CNI and GPU operator effects), the
// scheduler for Pods (GPU requests, taints, Ready nodes) and the Job
// controller. Runs inside CapiSimulator's loop on its clock.
#ifndef CAPIGITOPS_SANDBOX_WORKLOAD_SIM_H_
#define CAPIGITOPS_SANDBOX_WORKLOAD_SIM_H_

#include <vector>

#include "addons_sim.h"
#include "workload_nodes.h"

namespace capigitops::sandbox {

// A Pod (or a Job's pod template / the Job) carrying this annotation runs
// for that long ("30s", "2m") of wall-clock time, then succeeds; without
// it a Pod runs until deleted.
inline constexpr char kRunForAnnotation[] = "sandbox.capigitops.io/run-for";

// The Nodes the Cluster's ready control-plane and MachineDeployment replicas
// register, from the management objects (`machine_deployments`: the
// Cluster's).
std::vector<NodePlan> PlanNodes(Store* mgmt, const json& cluster,
                                const std::vector<json>& machine_deployments);

// One pass: add-on delivery, Nodes, scheduling and Jobs in every workload
// cluster; forgets the workload clusters whose Cluster is gone.
void ReconcileWorkloads(const AddonContext& ctx,
                        const std::vector<json>& clusters);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_WORKLOAD_SIM_H_
