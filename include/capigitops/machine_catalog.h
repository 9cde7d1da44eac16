// The machine and GPU catalog of each provider: CPU, memory and bundled GPUs
// of known machine types, the GPU names each provider accepts, and which
// machine families can take which GPUs.
//
// The single source for both `validate` (spec: an accelerator that
// contradicts its machine type, a GPU on a family that cannot take it, an
// unknown type) and the renderer (the cluster-autoscaler's scale-from-zero
// capacity, the GPU labels and taints).
#ifndef CAPIGITOPS_MACHINE_CATALOG_H_
#define CAPIGITOPS_MACHINE_CATALOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capigitops/config.h"

namespace capigitops {

struct MachineShape {
  int cpus = 0;            // 0: unknown (a declared type without cpus)
  int64_t memory_mib = 0;  // 0: unknown
  std::string gpu_type;    // e.g. nvidia-tesla-t4; empty: no GPU
  int gpu_count = 0;
  bool declared = false;  // from providers.<p>.machineTypes or vSphere sizes

  // What the cluster-autoscaler needs to scale a node group up from zero.
  bool HasCapacity() const { return cpus > 0 && memory_mib > 0; }
};

// The shape of `machine_type` on `provider`: the repository's declaration
// (providers.<p>.machineTypes, vSphere sizes) when there is one, else the
// built-in table. nullopt when neither knows it. Docker has no types.
std::optional<MachineShape> LookupMachineShape(
    Provider provider, std::string_view machine_type,
    const ProviderSettings& settings);

// Every machine type of the built-in table and the repository's declarations
// for `provider` (for did-you-mean hints).
std::vector<std::string> KnownMachineTypes(Provider provider,
                                           const ProviderSettings& settings);

// A vSphere size by name: the repo's sizes when it defines any, else the
// built-in small/medium/large/xlarge.
std::optional<VsphereSize> LookupVsphereSize(const VsphereSettings& settings,
                                             const std::string& name);

// The PCI device of a vSphere GPU type: the repo's accelerators when it maps
// any, else passthrough of common NVIDIA cards (CAPV docs/gpu-pci.md).
std::optional<VspherePciDevice> LookupVspherePciDevice(
    const VsphereSettings& settings, const std::string& gpu_type);

// GCP machine families whose GPUs come with the machine type (a2, a3, a4,
// g2): they take no guestAccelerators.
bool GcpMachineTypeBundlesGpus(std::string_view machine_type);

// The accelerator names `provider` accepts in spec.nodePools[].accelerator:
// GCP's accelerator types, the GPUs of the built-in and declared machine
// types elsewhere, the mapped PCI devices on vSphere. Sorted.
std::vector<std::string> AcceleratorTypes(Provider provider,
                                          const ProviderSettings& settings);

// The built-in and declared machine types of `provider` that come with
// `gpu_type`, in table order (for "use one of ..." hints).
std::vector<std::string> MachineTypesWithGpu(Provider provider,
                                             std::string_view gpu_type,
                                             const ProviderSettings& settings);

// GCP GPUs attached to N1 machines through guestAccelerators: the counts one
// machine can take and the most vCPUs the machine may have for each count
// (cloud.google.com/compute/docs/gpus, "N1 general-purpose machine types").
struct GcpAttachableGpu {
  std::string_view type;
  std::vector<std::pair<int, int>> max_cpus_by_count;  // {count, max vCPUs}
};
const GcpAttachableGpu* FindGcpAttachableGpu(std::string_view gpu_type);

// The closest name to `wrong` in `names` ("nvidia-a100" -> "nvidia-tesla-
// a100"), ignoring vendor and product-line prefixes; empty when nothing is
// close.
std::string ClosestName(std::string_view wrong,
                        const std::vector<std::string>& names);

}  // namespace capigitops

#endif  // CAPIGITOPS_MACHINE_CATALOG_H_
