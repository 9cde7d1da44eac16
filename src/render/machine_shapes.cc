#include "render/machine_shapes.h"

#include <array>

namespace capigitops::render {
namespace {

struct ShapeRow {
  std::string_view type;
  int cpus;
  int64_t memory_mib;
  std::string_view gpu_type;
  int gpu_count;
};

constexpr int64_t kGib = 1024;

// Published vCPU and memory of each type. GCP sizes are in GB as Google
// lists them (n1-standard: 3.75 GB per vCPU); we store MiB.
constexpr std::array kGcpShapes = std::to_array<ShapeRow>({
    {"n1-standard-1", 1, 3840, "", 0},
    {"n1-standard-2", 2, 7680, "", 0},
    {"n1-standard-4", 4, 15360, "", 0},
    {"n1-standard-8", 8, 30720, "", 0},
    {"n1-standard-16", 16, 61440, "", 0},
    {"n1-standard-32", 32, 122880, "", 0},
    {"n1-standard-64", 64, 245760, "", 0},
    {"n1-standard-96", 96, 368640, "", 0},
    {"n1-highmem-8", 8, 53248, "", 0},
    {"n1-highmem-16", 16, 106496, "", 0},
    {"n1-highmem-32", 32, 212992, "", 0},
    {"n2-standard-2", 2, 8 * kGib, "", 0},
    {"n2-standard-4", 4, 16 * kGib, "", 0},
    {"n2-standard-8", 8, 32 * kGib, "", 0},
    {"n2-standard-16", 16, 64 * kGib, "", 0},
    {"n2-standard-32", 32, 128 * kGib, "", 0},
    {"n2-standard-64", 64, 256 * kGib, "", 0},
    {"n2-highmem-8", 8, 64 * kGib, "", 0},
    {"n2-highmem-16", 16, 128 * kGib, "", 0},
    {"e2-standard-2", 2, 8 * kGib, "", 0},
    {"e2-standard-4", 4, 16 * kGib, "", 0},
    {"e2-standard-8", 8, 32 * kGib, "", 0},
    {"a2-highgpu-1g", 12, 85 * kGib, "nvidia-tesla-a100", 1},
    {"a2-highgpu-2g", 24, 170 * kGib, "nvidia-tesla-a100", 2},
    {"a2-highgpu-4g", 48, 340 * kGib, "nvidia-tesla-a100", 4},
    {"a2-highgpu-8g", 96, 680 * kGib, "nvidia-tesla-a100", 8},
    {"a2-megagpu-16g", 96, 1360 * kGib, "nvidia-tesla-a100", 16},
    {"a2-ultragpu-1g", 12, 170 * kGib, "nvidia-a100-80gb", 1},
    {"a2-ultragpu-2g", 24, 340 * kGib, "nvidia-a100-80gb", 2},
    {"a2-ultragpu-4g", 48, 680 * kGib, "nvidia-a100-80gb", 4},
    {"a2-ultragpu-8g", 96, 1360 * kGib, "nvidia-a100-80gb", 8},
    {"g2-standard-4", 4, 16 * kGib, "nvidia-l4", 1},
    {"g2-standard-8", 8, 32 * kGib, "nvidia-l4", 1},
    {"g2-standard-12", 12, 48 * kGib, "nvidia-l4", 1},
    {"g2-standard-16", 16, 64 * kGib, "nvidia-l4", 1},
    {"g2-standard-24", 24, 96 * kGib, "nvidia-l4", 2},
    {"g2-standard-32", 32, 128 * kGib, "nvidia-l4", 1},
    {"g2-standard-48", 48, 192 * kGib, "nvidia-l4", 4},
    {"g2-standard-96", 96, 384 * kGib, "nvidia-l4", 8},
});

constexpr std::array kAwsShapes = std::to_array<ShapeRow>({
    {"m5.large", 2, 8 * kGib, "", 0},
    {"m5.xlarge", 4, 16 * kGib, "", 0},
    {"m5.2xlarge", 8, 32 * kGib, "", 0},
    {"m5.4xlarge", 16, 64 * kGib, "", 0},
    {"m5.8xlarge", 32, 128 * kGib, "", 0},
    {"m5.12xlarge", 48, 192 * kGib, "", 0},
    {"m5.16xlarge", 64, 256 * kGib, "", 0},
    {"m5.24xlarge", 96, 384 * kGib, "", 0},
    {"c5.large", 2, 4 * kGib, "", 0},
    {"c5.xlarge", 4, 8 * kGib, "", 0},
    {"c5.2xlarge", 8, 16 * kGib, "", 0},
    {"c5.4xlarge", 16, 32 * kGib, "", 0},
    {"c5.9xlarge", 36, 72 * kGib, "", 0},
    {"c5.12xlarge", 48, 96 * kGib, "", 0},
    {"c5.18xlarge", 72, 144 * kGib, "", 0},
    {"c5.24xlarge", 96, 192 * kGib, "", 0},
    {"g4dn.xlarge", 4, 16 * kGib, "nvidia-tesla-t4", 1},
    {"g4dn.2xlarge", 8, 32 * kGib, "nvidia-tesla-t4", 1},
    {"g4dn.4xlarge", 16, 64 * kGib, "nvidia-tesla-t4", 1},
    {"g4dn.8xlarge", 32, 128 * kGib, "nvidia-tesla-t4", 1},
    {"g4dn.12xlarge", 48, 192 * kGib, "nvidia-tesla-t4", 4},
    {"g4dn.16xlarge", 64, 256 * kGib, "nvidia-tesla-t4", 1},
    {"g4dn.metal", 96, 384 * kGib, "nvidia-tesla-t4", 8},
    {"g5.xlarge", 4, 16 * kGib, "nvidia-a10g", 1},
    {"g5.2xlarge", 8, 32 * kGib, "nvidia-a10g", 1},
    {"g5.4xlarge", 16, 64 * kGib, "nvidia-a10g", 1},
    {"g5.8xlarge", 32, 128 * kGib, "nvidia-a10g", 1},
    {"g5.12xlarge", 48, 192 * kGib, "nvidia-a10g", 4},
    {"g5.16xlarge", 64, 256 * kGib, "nvidia-a10g", 1},
    {"g5.24xlarge", 96, 384 * kGib, "nvidia-a10g", 4},
    {"g5.48xlarge", 192, 768 * kGib, "nvidia-a10g", 8},
    {"p3.2xlarge", 8, 61 * kGib, "nvidia-tesla-v100", 1},
    {"p3.8xlarge", 32, 244 * kGib, "nvidia-tesla-v100", 4},
    {"p3.16xlarge", 64, 488 * kGib, "nvidia-tesla-v100", 8},
    {"p4d.24xlarge", 96, 1152 * kGib, "nvidia-tesla-a100", 8},
});

constexpr std::array kAzureShapes = std::to_array<ShapeRow>({
    {"Standard_D2s_v3", 2, 8 * kGib, "", 0},
    {"Standard_D4s_v3", 4, 16 * kGib, "", 0},
    {"Standard_D8s_v3", 8, 32 * kGib, "", 0},
    {"Standard_D16s_v3", 16, 64 * kGib, "", 0},
    {"Standard_D32s_v3", 32, 128 * kGib, "", 0},
    {"Standard_D2s_v5", 2, 8 * kGib, "", 0},
    {"Standard_D4s_v5", 4, 16 * kGib, "", 0},
    {"Standard_D8s_v5", 8, 32 * kGib, "", 0},
    {"Standard_D16s_v5", 16, 64 * kGib, "", 0},
    {"Standard_D32s_v5", 32, 128 * kGib, "", 0},
    {"Standard_NC6s_v3", 6, 112 * kGib, "nvidia-tesla-v100", 1},
    {"Standard_NC12s_v3", 12, 224 * kGib, "nvidia-tesla-v100", 2},
    {"Standard_NC24s_v3", 24, 448 * kGib, "nvidia-tesla-v100", 4},
    {"Standard_NC4as_T4_v3", 4, 28 * kGib, "nvidia-tesla-t4", 1},
    {"Standard_NC8as_T4_v3", 8, 56 * kGib, "nvidia-tesla-t4", 1},
    {"Standard_NC16as_T4_v3", 16, 110 * kGib, "nvidia-tesla-t4", 1},
    {"Standard_NC64as_T4_v3", 64, 440 * kGib, "nvidia-tesla-t4", 4},
    {"Standard_NC24ads_A100_v4", 24, 220 * kGib, "nvidia-a100-80gb", 1},
    {"Standard_NC48ads_A100_v4", 48, 440 * kGib, "nvidia-a100-80gb", 2},
    {"Standard_NC96ads_A100_v4", 96, 880 * kGib, "nvidia-a100-80gb", 4},
    {"Standard_ND96asr_v4", 96, 900 * kGib, "nvidia-tesla-a100", 8},
});

template <size_t N>
std::optional<MachineShape> Find(const std::array<ShapeRow, N>& rows,
                                 std::string_view type) {
  for (const ShapeRow& row : rows) {
    if (row.type == type) {
      return MachineShape{row.cpus, row.memory_mib, std::string(row.gpu_type),
                          row.gpu_count};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<VsphereSize> LookupVsphereSize(const VsphereSettings& settings,
                                             const std::string& name) {
  if (!settings.sizes.empty()) {
    auto it = settings.sizes.find(name);
    if (it == settings.sizes.end()) return std::nullopt;
    return it->second;
  }
  if (name == "small") return VsphereSize{2, 4096, 40};
  if (name == "medium") return VsphereSize{4, 8192, 60};
  if (name == "large") return VsphereSize{8, 16384, 100};
  if (name == "xlarge") return VsphereSize{16, 32768, 200};
  return std::nullopt;
}

std::optional<MachineShape> LookupMachineShape(
    Provider provider, std::string_view machine_type,
    const ProviderSettings& settings) {
  switch (provider) {
    case Provider::kGcp:
      return Find(kGcpShapes, machine_type);
    case Provider::kAws:
      return Find(kAwsShapes, machine_type);
    case Provider::kAzure:
      return Find(kAzureShapes, machine_type);
    case Provider::kVsphere: {
      auto size =
          LookupVsphereSize(settings.vsphere, std::string(machine_type));
      if (!size) return std::nullopt;
      return MachineShape{size->cpus, size->memory_mib, "", 0};
    }
    case Provider::kOpenstack:  // flavors are site-specific
    case Provider::kDocker:     // containers share the host
      return std::nullopt;
  }
  return std::nullopt;
}

bool GcpMachineTypeBundlesGpus(std::string_view machine_type) {
  return machine_type.starts_with("a2-") || machine_type.starts_with("a3-") ||
         machine_type.starts_with("g2-");
}

}  // namespace capigitops::render
