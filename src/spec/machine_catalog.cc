// The machine and GPU catalog (machine_catalog.h); the rows of the built-in
// shape table are in machine_tables.cc.
//
#include "capigitops/machine_catalog.h"

#include <algorithm>
#include <array>
#include <map>

#include "spec/machine_tables.h"
#include "util/edit_distance.h"

namespace capigitops {
namespace {

const DeclaredMachineTypes* Declared(Provider provider,
                                     const ProviderSettings& settings) {
  switch (provider) {
    case Provider::kGcp:
      return &settings.gcp.machine_types;
    case Provider::kAws:
      return &settings.aws.machine_types;
    case Provider::kAzure:
      return &settings.azure.machine_types;
    case Provider::kOpenstack:
      return &settings.openstack.machine_types;
    case Provider::kVsphere:
    case Provider::kDocker:
      return nullptr;
  }
  return nullptr;
}

constexpr int kNvidiaVendorId = 4318;  // 0x10DE

// Passthrough of common PCIe cards, used when the repo maps no accelerators
// (decimal IDs as CAPV docs/gpu-pci.md writes them: T4 = 4318/7864).
const std::map<std::string, VspherePciDevice>& BuiltinPciDevices() {
  static const auto* devices = new std::map<std::string, VspherePciDevice>{
      {"nvidia-tesla-t4", {kNvidiaVendorId, 0x1EB8, ""}},
      {"nvidia-tesla-v100", {kNvidiaVendorId, 0x1DB4, ""}},
      {"nvidia-a100", {kNvidiaVendorId, 0x20F1, ""}},
      {"nvidia-tesla-a100", {kNvidiaVendorId, 0x20F1, ""}},
      {"nvidia-l4", {kNvidiaVendorId, 0x27B8, ""}},
  };
  return *devices;
}

const std::map<std::string, VspherePciDevice>& PciDevices(
    const VsphereSettings& settings) {
  return settings.accelerators.empty() ? BuiltinPciDevices()
                                       : settings.accelerators;
}

// N1 GPUs and the most vCPUs an N1 machine may have with each count
// (cloud.google.com/compute/docs/gpus#n1-gpus). The -vws variants are the
// same cards with a virtual workstation licence.
const std::vector<GcpAttachableGpu>& GcpAttachableGpus() {
  static const auto* gpus = new std::vector<GcpAttachableGpu>{
      {"nvidia-tesla-t4", {{1, 48}, {2, 48}, {4, 96}}},
      {"nvidia-tesla-t4-vws", {{1, 48}, {2, 48}, {4, 96}}},
      {"nvidia-tesla-v100", {{1, 12}, {2, 24}, {4, 48}, {8, 96}}},
      {"nvidia-tesla-p100", {{1, 16}, {2, 32}, {4, 96}}},
      {"nvidia-tesla-p100-vws", {{1, 16}, {2, 32}, {4, 96}}},
      {"nvidia-tesla-p4", {{1, 24}, {2, 48}, {4, 96}}},
      {"nvidia-tesla-p4-vws", {{1, 24}, {2, 48}, {4, 96}}},
  };
  return *gpus;
}

void AddSorted(std::vector<std::string>* out, std::string name) {
  if (name.empty()) return;
  auto at = std::lower_bound(out->begin(), out->end(), name);
  if (at == out->end() || *at != name) out->insert(at, std::move(name));
}

// "nvidia-tesla-a100" -> "a100": what a new user would type.
std::string Normalize(std::string_view name) {
  std::string s(name);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  for (bool again = true; again;) {
    again = false;
    for (std::string_view prefix : {"nvidia-", "nvidia_", "tesla-"}) {
      if (s.starts_with(prefix)) {
        s.erase(0, prefix.size());
        again = true;
      }
    }
  }
  return s;
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
  if (provider == Provider::kVsphere) {
    auto size = LookupVsphereSize(settings.vsphere, std::string(machine_type));
    if (!size) return std::nullopt;
    return MachineShape{size->cpus, size->memory_mib, "", 0, true};
  }
  if (const DeclaredMachineTypes* declared = Declared(provider, settings)) {
    auto it = declared->find(std::string(machine_type));
    if (it != declared->end()) {
      const DeclaredMachineType& d = it->second;
      return MachineShape{d.cpus, d.memory_mib,
                          d.gpus > 0 ? d.gpu_type : std::string(), d.gpus,
                          true};
    }
  }
  for (const ShapeRow& row : BuiltinShapes(provider)) {
    if (row.type == machine_type) {
      return MachineShape{row.cpus, row.memory_mib, std::string(row.gpu_type),
                          row.gpu_count, false};
    }
  }
  return std::nullopt;
}

std::vector<std::string> KnownMachineTypes(Provider provider,
                                           const ProviderSettings& settings) {
  std::vector<std::string> out;
  for (const ShapeRow& row : BuiltinShapes(provider)) {
    out.emplace_back(row.type);
  }
  if (const DeclaredMachineTypes* declared = Declared(provider, settings)) {
    for (const auto& [name, type] : *declared) out.push_back(name);
  }
  if (provider == Provider::kVsphere) {
    if (settings.vsphere.sizes.empty()) {
      out = {"small", "medium", "large", "xlarge"};
    }
    for (const auto& [name, size] : settings.vsphere.sizes) {
      out.push_back(name);
    }
  }
  return out;
}

std::optional<VspherePciDevice> LookupVspherePciDevice(
    const VsphereSettings& settings, const std::string& gpu_type) {
  const auto& table = PciDevices(settings);
  auto it = table.find(gpu_type);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

bool GcpMachineTypeBundlesGpus(std::string_view machine_type) {
  return machine_type.starts_with("a2-") || machine_type.starts_with("a3-") ||
         machine_type.starts_with("a4-") || machine_type.starts_with("g2-");
}

const GcpAttachableGpu* FindGcpAttachableGpu(std::string_view gpu_type) {
  for (const GcpAttachableGpu& gpu : GcpAttachableGpus()) {
    if (gpu.type == gpu_type) return &gpu;
  }
  return nullptr;
}

std::vector<std::string> AcceleratorTypes(Provider provider,
                                          const ProviderSettings& settings) {
  std::vector<std::string> out;
  if (provider == Provider::kVsphere) {
    for (const auto& [name, device] : PciDevices(settings.vsphere)) {
      AddSorted(&out, name);
    }
    return out;
  }
  if (provider == Provider::kGcp) {
    for (const GcpAttachableGpu& gpu : GcpAttachableGpus()) {
      AddSorted(&out, std::string(gpu.type));
    }
  }
  for (const ShapeRow& row : BuiltinShapes(provider)) {
    AddSorted(&out, std::string(row.gpu_type));
  }
  if (const DeclaredMachineTypes* declared = Declared(provider, settings)) {
    for (const auto& [name, type] : *declared) AddSorted(&out, type.gpu_type);
  }
  return out;
}

std::vector<std::string> MachineTypesWithGpu(Provider provider,
                                             std::string_view gpu_type,
                                             const ProviderSettings& settings) {
  std::vector<std::string> out;
  for (const ShapeRow& row : BuiltinShapes(provider)) {
    if (row.gpu_type == gpu_type) out.emplace_back(row.type);
  }
  if (const DeclaredMachineTypes* declared = Declared(provider, settings)) {
    for (const auto& [name, type] : *declared) {
      if (type.gpus > 0 && type.gpu_type == gpu_type) out.push_back(name);
    }
  }
  return out;
}

std::string ClosestName(std::string_view wrong,
                        const std::vector<std::string>& names) {
  const std::string want = Normalize(wrong);
  // The same card under the provider's spelling: a100 -> nvidia-tesla-a100.
  std::string best;
  for (const std::string& name : names) {
    if (Normalize(name) == want) return name;
    // h100 -> nvidia-h100-80gb: the shortest name that extends it.
    if (!want.empty() && Normalize(name).starts_with(want + "-") &&
        (best.empty() || name.size() < best.size())) {
      best = name;
    }
  }
  if (!best.empty()) return best;
  std::vector<std::string> normalized;
  for (const std::string& name : names) normalized.push_back(Normalize(name));
  std::string close = SuggestClosest(want, normalized);
  if (!close.empty()) {
    for (const std::string& name : names) {
      if (Normalize(name) == close) return name;
    }
  }
  return SuggestClosest(wrong, names);
}

}  // namespace capigitops
