// CPU, memory and bundled GPUs of common machine types, for the
// cluster-autoscaler's scale-from-zero capacity annotations (a node group at
// zero has no node to read them from; GCP and vSphere templates have no
// status.capacity either).
#ifndef CAPIGITOPS_RENDER_MACHINE_SHAPES_H_
#define CAPIGITOPS_RENDER_MACHINE_SHAPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "capigitops/config.h"

namespace capigitops::render {

struct MachineShape {
  int cpus = 0;
  int64_t memory_mib = 0;
  std::string gpu_type;  // e.g. nvidia-tesla-t4; empty: no GPU
  int gpu_count = 0;
};

// The shape of `machine_type` on `provider`, or nullopt when unknown (then
// the capacity annotations are left out, which is not an error). vSphere
// types are size names from settings.vsphere.sizes (or the built-in sizes).
std::optional<MachineShape> LookupMachineShape(
    Provider provider, std::string_view machine_type,
    const ProviderSettings& settings);

// A vSphere size by name: the repo's sizes when it defines any, else the
// built-in small/medium/large/xlarge.
std::optional<VsphereSize> LookupVsphereSize(const VsphereSettings& settings,
                                             const std::string& name);

// GCP machine families whose GPUs come with the machine type (a2, a3, g2):
// they take no guestAccelerators.
bool GcpMachineTypeBundlesGpus(std::string_view machine_type);

}  // namespace capigitops::render

#endif  // CAPIGITOPS_RENDER_MACHINE_SHAPES_H_
