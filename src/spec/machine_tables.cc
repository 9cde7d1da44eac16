// The built-in machine shape table: published vCPUs, memory and bundled GPUs
// of common machine types. Sources: the providers' machine type pages (GCP
// cloud.google.com/compute/docs/machine-resource and .../gpus, AWS EC2
// instance types, Azure VM sizes). GCP sizes are in GB as Google lists them
// and stored as GiB-based MiB (n1-standard: 3.75 GB per vCPU).
#include "spec/machine_tables.h"

#include <array>

namespace capigitops {
namespace {

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
    {"n1-highmem-2", 2, 13312, "", 0},
    {"n1-highmem-4", 4, 26624, "", 0},
    {"n1-highmem-8", 8, 53248, "", 0},
    {"n1-highmem-16", 16, 106496, "", 0},
    {"n1-highmem-32", 32, 212992, "", 0},
    {"n1-highmem-64", 64, 425984, "", 0},
    {"n1-highmem-96", 96, 638976, "", 0},
    {"n1-highcpu-16", 16, 14746, "", 0},
    {"n1-highcpu-32", 32, 29491, "", 0},
    {"n1-highcpu-64", 64, 58982, "", 0},
    {"n1-highcpu-96", 96, 88474, "", 0},
    {"n2-standard-2", 2, 8 * kGib, "", 0},
    {"n2-standard-4", 4, 16 * kGib, "", 0},
    {"n2-standard-8", 8, 32 * kGib, "", 0},
    {"n2-standard-16", 16, 64 * kGib, "", 0},
    {"n2-standard-32", 32, 128 * kGib, "", 0},
    {"n2-standard-64", 64, 256 * kGib, "", 0},
    {"n2-standard-80", 80, 320 * kGib, "", 0},
    {"n2-standard-96", 96, 384 * kGib, "", 0},
    {"n2-standard-128", 128, 512 * kGib, "", 0},
    {"n2-highmem-2", 2, 16 * kGib, "", 0},
    {"n2-highmem-4", 4, 32 * kGib, "", 0},
    {"n2-highmem-8", 8, 64 * kGib, "", 0},
    {"n2-highmem-16", 16, 128 * kGib, "", 0},
    {"n2-highmem-32", 32, 256 * kGib, "", 0},
    {"n2-highmem-64", 64, 512 * kGib, "", 0},
    {"n2d-standard-2", 2, 8 * kGib, "", 0},
    {"n2d-standard-4", 4, 16 * kGib, "", 0},
    {"n2d-standard-8", 8, 32 * kGib, "", 0},
    {"n2d-standard-16", 16, 64 * kGib, "", 0},
    {"n2d-standard-32", 32, 128 * kGib, "", 0},
    {"n4-standard-2", 2, 8 * kGib, "", 0},
    {"n4-standard-4", 4, 16 * kGib, "", 0},
    {"n4-standard-8", 8, 32 * kGib, "", 0},
    {"n4-standard-16", 16, 64 * kGib, "", 0},
    {"n4-standard-32", 32, 128 * kGib, "", 0},
    {"c2-standard-4", 4, 16 * kGib, "", 0},
    {"c2-standard-8", 8, 32 * kGib, "", 0},
    {"c2-standard-16", 16, 64 * kGib, "", 0},
    {"c2-standard-30", 30, 120 * kGib, "", 0},
    {"c2-standard-60", 60, 240 * kGib, "", 0},
    {"c3-standard-4", 4, 16 * kGib, "", 0},
    {"c3-standard-8", 8, 32 * kGib, "", 0},
    {"c3-standard-22", 22, 88 * kGib, "", 0},
    {"c3-standard-44", 44, 176 * kGib, "", 0},
    {"e2-medium", 2, 4 * kGib, "", 0},
    {"e2-standard-2", 2, 8 * kGib, "", 0},
    {"e2-standard-4", 4, 16 * kGib, "", 0},
    {"e2-standard-8", 8, 32 * kGib, "", 0},
    {"e2-standard-16", 16, 64 * kGib, "", 0},
    {"e2-standard-32", 32, 128 * kGib, "", 0},
    {"e2-highmem-2", 2, 16 * kGib, "", 0},
    {"e2-highmem-4", 4, 32 * kGib, "", 0},
    {"e2-highmem-8", 8, 64 * kGib, "", 0},
    {"e2-highmem-16", 16, 128 * kGib, "", 0},
    {"a2-highgpu-1g", 12, 85 * kGib, "nvidia-tesla-a100", 1},
    {"a2-highgpu-2g", 24, 170 * kGib, "nvidia-tesla-a100", 2},
    {"a2-highgpu-4g", 48, 340 * kGib, "nvidia-tesla-a100", 4},
    {"a2-highgpu-8g", 96, 680 * kGib, "nvidia-tesla-a100", 8},
    {"a2-megagpu-16g", 96, 1360 * kGib, "nvidia-tesla-a100", 16},
    {"a2-ultragpu-1g", 12, 170 * kGib, "nvidia-a100-80gb", 1},
    {"a2-ultragpu-2g", 24, 340 * kGib, "nvidia-a100-80gb", 2},
    {"a2-ultragpu-4g", 48, 680 * kGib, "nvidia-a100-80gb", 4},
    {"a2-ultragpu-8g", 96, 1360 * kGib, "nvidia-a100-80gb", 8},
    // A3 (H100, H200) and A4 (B200): 8 GPUs on all but the small highgpu.
    {"a3-highgpu-1g", 26, 234 * kGib, "nvidia-h100-80gb", 1},
    {"a3-highgpu-2g", 52, 468 * kGib, "nvidia-h100-80gb", 2},
    {"a3-highgpu-4g", 104, 936 * kGib, "nvidia-h100-80gb", 4},
    {"a3-highgpu-8g", 208, 1872 * kGib, "nvidia-h100-80gb", 8},
    {"a3-edgegpu-8g", 208, 1872 * kGib, "nvidia-h100-80gb", 8},
    {"a3-megagpu-8g", 208, 1872 * kGib, "nvidia-h100-mega-80gb", 8},
    {"a3-ultragpu-8g", 224, 2952 * kGib, "nvidia-h200-141gb", 8},
    {"a4-highgpu-8g", 224, 3968 * kGib, "nvidia-b200", 8},
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
    {"m6i.large", 2, 8 * kGib, "", 0},
    {"m6i.xlarge", 4, 16 * kGib, "", 0},
    {"m6i.2xlarge", 8, 32 * kGib, "", 0},
    {"m6i.4xlarge", 16, 64 * kGib, "", 0},
    {"m6i.8xlarge", 32, 128 * kGib, "", 0},
    {"m6i.16xlarge", 64, 256 * kGib, "", 0},
    {"m7i.large", 2, 8 * kGib, "", 0},
    {"m7i.xlarge", 4, 16 * kGib, "", 0},
    {"m7i.2xlarge", 8, 32 * kGib, "", 0},
    {"m7i.4xlarge", 16, 64 * kGib, "", 0},
    {"m7i.8xlarge", 32, 128 * kGib, "", 0},
    {"t3.medium", 2, 4 * kGib, "", 0},
    {"t3.large", 2, 8 * kGib, "", 0},
    {"t3.xlarge", 4, 16 * kGib, "", 0},
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
    {"g6.xlarge", 4, 16 * kGib, "nvidia-l4", 1},
    {"g6.2xlarge", 8, 32 * kGib, "nvidia-l4", 1},
    {"g6.4xlarge", 16, 64 * kGib, "nvidia-l4", 1},
    {"g6.8xlarge", 32, 128 * kGib, "nvidia-l4", 1},
    {"g6.12xlarge", 48, 192 * kGib, "nvidia-l4", 4},
    {"g6.16xlarge", 64, 256 * kGib, "nvidia-l4", 1},
    {"g6.24xlarge", 96, 384 * kGib, "nvidia-l4", 4},
    {"g6.48xlarge", 192, 768 * kGib, "nvidia-l4", 8},
    {"g6e.xlarge", 4, 32 * kGib, "nvidia-l40s", 1},
    {"g6e.2xlarge", 8, 64 * kGib, "nvidia-l40s", 1},
    {"g6e.4xlarge", 16, 128 * kGib, "nvidia-l40s", 1},
    {"g6e.8xlarge", 32, 256 * kGib, "nvidia-l40s", 1},
    {"g6e.12xlarge", 48, 384 * kGib, "nvidia-l40s", 4},
    {"g6e.24xlarge", 96, 768 * kGib, "nvidia-l40s", 4},
    {"g6e.48xlarge", 192, 1536 * kGib, "nvidia-l40s", 8},
    {"p4d.24xlarge", 96, 1152 * kGib, "nvidia-tesla-a100", 8},
    {"p4de.24xlarge", 96, 1152 * kGib, "nvidia-a100-80gb", 8},
    {"p5.48xlarge", 192, 2048 * kGib, "nvidia-h100-80gb", 8},
    {"p5e.48xlarge", 192, 2048 * kGib, "nvidia-h200-141gb", 8},
    {"p5en.48xlarge", 192, 2048 * kGib, "nvidia-h200-141gb", 8},
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
    {"Standard_D48s_v5", 48, 192 * kGib, "", 0},
    {"Standard_D64s_v5", 64, 256 * kGib, "", 0},
    {"Standard_E4s_v5", 4, 32 * kGib, "", 0},
    {"Standard_E8s_v5", 8, 64 * kGib, "", 0},
    {"Standard_E16s_v5", 16, 128 * kGib, "", 0},
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
    {"Standard_ND96amsr_A100_v4", 96, 1900 * kGib, "nvidia-a100-80gb", 8},
    // Current families: NVv3 (M60, what CAPZ's GPU CI uses), NVadsA10 v5
    // (whole-GPU sizes only), NCads H100 v5 (H100 NVL), ND H100/H200 v5.
    {"Standard_NV12s_v3", 12, 112 * kGib, "nvidia-tesla-m60", 1},
    {"Standard_NV24s_v3", 24, 224 * kGib, "nvidia-tesla-m60", 2},
    {"Standard_NV48s_v3", 48, 448 * kGib, "nvidia-tesla-m60", 4},
    {"Standard_NV36ads_A10_v5", 36, 440 * kGib, "nvidia-a10", 1},
    {"Standard_NV72ads_A10_v5", 72, 880 * kGib, "nvidia-a10", 2},
    {"Standard_NC40ads_H100_v5", 40, 320 * kGib, "nvidia-h100-nvl", 1},
    {"Standard_NC80adis_H100_v5", 80, 640 * kGib, "nvidia-h100-nvl", 2},
    {"Standard_ND96isr_H100_v5", 96, 1900 * kGib, "nvidia-h100-80gb", 8},
    {"Standard_ND96isr_H200_v5", 96, 1850 * kGib, "nvidia-h200-141gb", 8},
});

}  // namespace

std::span<const ShapeRow> BuiltinShapes(Provider provider) {
  switch (provider) {
    case Provider::kGcp:
      return kGcpShapes;
    case Provider::kAws:
      return kAwsShapes;
    case Provider::kAzure:
      return kAzureShapes;
    case Provider::kVsphere:    // sizes come from the repo (or built-ins)
    case Provider::kOpenstack:  // flavors are site-specific
    case Provider::kDocker:     // containers share the host
      return {};
  }
  return {};
}

}  // namespace capigitops
