// Checks of machine types, GPUs and node labels against the provider's
// catalog (machine_catalog.h): the mistakes that would otherwise pass
// `validate` and fail inside the provider after merge.
#ifndef CAPIGITOPS_SPEC_POOL_CHECKS_H_
#define CAPIGITOPS_SPEC_POOL_CHECKS_H_

#include <string>
#include <string_view>

#include "capigitops/field_reader.h"
#include "capigitops/spec.h"

namespace capigitops {

// Pool names whose objects would take the names of other objects of the
// cluster ("control-plane": its templates and MachineHealthCheck).
bool IsReservedPoolName(std::string_view name);

// Why the kubelet would refuse `key` in --node-labels and how to fix it;
// empty when the label is fine (including the labels Cluster API syncs from
// the Machine, IsCapiSyncedNodeLabel).
std::string NodeLabelProblem(std::string_view key);

// The machine type of the control plane or of a pool (`path`, e.g.
// spec.nodePools[1]) is one the provider has or the repository declares.
// Returns false when it is not (then the GPU checks are skipped).
bool CheckMachineType(const ClusterRequest& req, const std::string& type,
                      const std::string& path, DecodeContext* ctx);

// The pool's accelerator against the provider's GPU names and its machine
// type's shape. A machine type that comes with GPUs and a pool without
// accelerator: the accelerator is derived from the shape.
void CheckPoolGpus(const ClusterRequest& req, const std::string& path,
                   NodePool* pool, DecodeContext* ctx);

// A warning when a pool with autoscaling.min 0 can never scale up from zero
// because the CPU and memory of its machine type are unknown.
void CheckScaleFromZero(const ClusterRequest& req, const std::string& path,
                        const NodePool& pool, DecodeContext* ctx);

}  // namespace capigitops

#endif  // CAPIGITOPS_SPEC_POOL_CHECKS_H_
