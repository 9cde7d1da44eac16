#include "spec/pool_checks.h"

#include <algorithm>
#include <array>

#include "capigitops/machine_catalog.h"
#include "util/edit_distance.h"

namespace capigitops {
namespace {

// The mark of `field`, else of its closest written parent.
yaml::Mark At(const ClusterRequest& req, std::string field) {
  for (;;) {
    yaml::Mark at = req.MarkOf(field);
    if (at.line != 0) return at;
    size_t cut = field.find_last_of(".[");
    if (cut == std::string::npos) return at;
    field.resize(cut);
  }
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// "a, b, c" of at most `limit` names, with ", ..." when there are more.
std::string List(const std::vector<std::string>& names, size_t limit = 8) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < limit; ++i) {
    out += (i == 0 ? "" : ", ") + names[i];
  }
  if (names.size() > limit) out += ", ...";
  return out;
}

std::string DidYouMean(const std::string& suggestion) {
  return suggestion.empty() ? "" : " (did you mean " + Quote(suggestion) + "?)";
}

bool HasSuffixDomain(std::string_view domain, std::string_view base) {
  return domain == base ||
         (domain.size() > base.size() && domain.ends_with(base) &&
          domain[domain.size() - base.size() - 1] == '.');
}

// The --node-labels the kubelet accepts in the kubernetes.io and k8s.io
// domains (kubernetes pkg/kubelet/apis/well_known_labels.go, checked by
// cmd/kubelet/app/options ValidateKubeletFlags: the kubelet refuses to start
// with any other).
constexpr std::array<std::string_view, 11> kKubeletLabels = {
    "kubernetes.io/hostname",
    "kubernetes.io/arch",
    "kubernetes.io/os",
    "beta.kubernetes.io/arch",
    "beta.kubernetes.io/os",
    "beta.kubernetes.io/instance-type",
    "node.kubernetes.io/instance-type",
    "topology.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone",
};

std::string ProviderLabel(Provider p) { return ProviderName(p); }

// Where the repository declares machine types of provider `p`.
std::string DeclareAt(Provider p, const std::string& type) {
  if (p == Provider::kVsphere) return "providers.vsphere.sizes." + type;
  return "providers." + ProviderLabel(p) + ".machineTypes." + type;
}

}  // namespace

bool IsReservedPoolName(std::string_view name) {
  return name == "control-plane";
}

bool IsCapiSyncedNodeLabel(std::string_view key) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view domain = key.substr(0, slash);
  // cluster-api internal/controllers/machine/machine_controller_noderef.go
  // (getManagedLabels), proposal 20220927-label-sync-between-machine-and-
  // nodes: the node-role.kubernetes.io prefix and the
  // node-restriction.kubernetes.io and node.cluster.x-k8s.io domains.
  return domain == "node-role.kubernetes.io" ||
         HasSuffixDomain(domain, "node-restriction.kubernetes.io") ||
         HasSuffixDomain(domain, "node.cluster.x-k8s.io");
}

std::string NodeLabelProblem(std::string_view key) {
  if (IsCapiSyncedNodeLabel(key)) return "";
  size_t slash = key.find('/');
  if (slash == std::string_view::npos) return "";
  std::string_view domain = key.substr(0, slash);
  if (!HasSuffixDomain(domain, "kubernetes.io") &&
      !HasSuffixDomain(domain, "k8s.io")) {
    return "";
  }
  if (HasSuffixDomain(domain, "kubelet.kubernetes.io") ||
      HasSuffixDomain(domain, "node.kubernetes.io")) {
    return "";
  }
  for (std::string_view allowed : kKubeletLabels) {
    if (key == allowed) return "";
  }
  return Quote(key) +
         " is in a domain the kubelet may not set on its own node "
         "(kubernetes.io and k8s.io allow only kubelet.kubernetes.io/, "
         "node.kubernetes.io/ and a few well-known labels): the kubelet "
         "would refuse to start and the node never joins. Use a domain of "
         "your own (e.g. example.com/" +
         std::string(key.substr(slash + 1)) +
         "); for a role use node-role.kubernetes.io/<role>, which Cluster "
         "API copies from the Machine to the Node (so do "
         "node-restriction.kubernetes.io/ and node.cluster.x-k8s.io/)";
}

bool CheckMachineType(const ClusterRequest& req, const std::string& type,
                      const std::string& path, DecodeContext* ctx) {
  const Provider p = req.provider;
  const std::string field = path + ".machineType";
  if (p == Provider::kDocker) return true;
  if (type.empty()) {
    ctx->Error(At(req, field), field,
               std::string("required for provider ") + ProviderName(p));
    return false;
  }
  if (LookupMachineShape(p, type, req.settings)) return true;
  std::vector<std::string> known = KnownMachineTypes(p, req.settings);
  std::string message;
  if (p == Provider::kVsphere) {
    message = "unknown vsphere size " + Quote(type) +
              DidYouMean(SuggestClosest(type, known)) + ": define it under " +
              "providers.vsphere.sizes in capi-gitops.yaml (known: " +
              (known.empty() ? "none" : List(known, 20)) + ")";
  } else if (p == Provider::kOpenstack) {
    message = "unknown openstack flavor " + Quote(type) +
              DidYouMean(SuggestClosest(type, known)) +
              ": flavors are site-specific, so declare each one in "
              "capi-gitops.yaml under " +
              DeclareAt(p, type) + " {cpus, memoryMiB, gpus, gpuType}";
  } else {
    message = "unknown " + ProviderLabel(p) + " machine type " + Quote(type) +
              DidYouMean(SuggestClosest(type, known)) +
              ": the provider would reject it only after merge. If the type "
              "exists, declare it in capi-gitops.yaml under " +
              DeclareAt(p, type) + " {cpus, memoryMiB, gpus, gpuType}";
  }
  ctx->Error(At(req, field), field, message);
  return false;
}

namespace {

std::string Gpus(int count, const std::string& type) {
  return std::to_string(count) + " x " + type;
}

// The accelerator's name is one `req.provider` knows. Reports and returns
// false when it is not.
bool CheckGpuName(const ClusterRequest& req, const std::string& path,
                  const Accelerator& gpu, DecodeContext* ctx) {
  const Provider p = req.provider;
  std::vector<std::string> names = AcceleratorTypes(p, req.settings);
  if (std::find(names.begin(), names.end(), gpu.type) != names.end()) {
    return true;
  }
  const std::string field = path + ".accelerator.type";
  std::string message = "unknown " + ProviderLabel(p) + " accelerator " +
                        Quote(gpu.type) +
                        DidYouMean(ClosestName(gpu.type, names));
  if (p == Provider::kVsphere) {
    message +=
        ": no PCI device is known for it; map it under "
        "providers.vsphere.accelerators (vendorID and deviceID, or "
        "vgpuProfile)";
  } else if (names.empty()) {
    message += ": declare the GPUs of the flavor under " +
               DeclareAt(p, "<flavor>") + " {gpus, gpuType}";
  } else {
    message += "; " + ProviderLabel(p) + " knows " + List(names, 20);
  }
  ctx->Error(At(req, field), field, message);
  return false;
}

// GCP: guestAccelerators attach only to N1 machines, in the counts and with
// the vCPU limits of cloud.google.com/compute/docs/gpus; A100, H100, H200, L4
// and B200 come only bundled with their machine families.
void CheckGcpAttached(const ClusterRequest& req, const std::string& path,
                      const NodePool& pool, const MachineShape& shape,
                      DecodeContext* ctx) {
  const Accelerator& gpu = *pool.accelerator;
  const std::string field = path + ".accelerator";
  const GcpAttachableGpu* attachable = FindGcpAttachableGpu(gpu.type);
  if (attachable == nullptr) {
    ctx->Error(
        At(req, field + ".type"), field + ".type",
        gpu.type + " cannot be attached to " + pool.machine_type +
            ": on GCP it comes only with its own machine types (" +
            List(MachineTypesWithGpu(req.provider, gpu.type, req.settings)) +
            "); use one of them as machineType");
    return;
  }
  if (!pool.machine_type.starts_with("n1-")) {
    ctx->Error(At(req, path + ".machineType"), path + ".machineType",
               "GCP attaches " + gpu.type + " only to N1 machine types; " +
                   pool.machine_type +
                   " cannot take GPUs: use an n1-standard or n1-highmem type");
    return;
  }
  std::string counts;
  for (const auto& [count, max_cpus] : attachable->max_cpus_by_count) {
    counts += (counts.empty() ? "" : ", ") + std::to_string(count);
    if (count != gpu.count) continue;
    if (shape.cpus > max_cpus) {
      ctx->Error(At(req, field + ".count"), field + ".count",
                 pool.machine_type + " has " + std::to_string(shape.cpus) +
                     " vCPUs, but an N1 machine with " +
                     Gpus(gpu.count, gpu.type) + " may have at most " +
                     std::to_string(max_cpus) +
                     ": attach more GPUs or pick a smaller machine type");
    }
    return;
  }
  ctx->Error(At(req, field + ".count"), field + ".count",
             "GCP attaches " + counts + " " + gpu.type +
                 " to one machine, not " + std::to_string(gpu.count));
}

}  // namespace

void CheckPoolGpus(const ClusterRequest& req, const std::string& path,
                   NodePool* pool, DecodeContext* ctx) {
  const Provider p = req.provider;
  if (p == Provider::kDocker) return;
  if (pool->accelerator &&
      (pool->accelerator->type.empty() || pool->accelerator->count < 1)) {
    return;  // the decoder reported it
  }
  auto shape = LookupMachineShape(p, pool->machine_type, req.settings);
  if (pool->accelerator && !CheckGpuName(req, path, *pool->accelerator, ctx)) {
    return;
  }
  if (!shape) return;  // CheckMachineType reported it
  const std::string field = path + ".accelerator";
  if (shape->gpu_count > 0) {
    // The machine type brings its GPUs: the spec may leave them out, and
    // when it names them they must be the ones the type has.
    const Accelerator real{shape->gpu_type, shape->gpu_count};
    if (!pool->accelerator) {
      pool->accelerator = real;
      return;
    }
    const Accelerator& gpu = *pool->accelerator;
    if (gpu.type != real.type || gpu.count != real.count) {
      ctx->Error(At(req, field), field,
                 pool->machine_type + " comes with " +
                     Gpus(real.count, real.type) + ", not " +
                     Gpus(gpu.count, gpu.type) + ": set accelerator {type: " +
                     real.type + ", count: " + std::to_string(real.count) +
                     "} or leave it out (it follows from the machine type)");
    }
    return;
  }
  if (!pool->accelerator) return;
  switch (p) {
    case Provider::kGcp:
      CheckGcpAttached(req, path, *pool, *shape, ctx);
      return;
    case Provider::kVsphere:  // PCI passthrough attaches to any size
      return;
    case Provider::kOpenstack:
      ctx->Error(At(req, field), field,
                 "flavor " + pool->machine_type +
                     " is declared without GPUs: add gpus and gpuType to " +
                     DeclareAt(p, pool->machine_type) +
                     " in capi-gitops.yaml, or use a GPU flavor");
      return;
    case Provider::kAws:
    case Provider::kAzure: {
      auto with = MachineTypesWithGpu(p, pool->accelerator->type, req.settings);
      ctx->Error(At(req, path + ".machineType"), path + ".machineType",
                 pool->machine_type + " has no GPUs: on " + ProviderLabel(p) +
                     " GPUs come with the machine type" +
                     (with.empty() ? std::string()
                                   : "; for " + pool->accelerator->type +
                                         " use one of " + List(with)));
      return;
    }
    case Provider::kDocker:
      return;
  }
}

void CheckScaleFromZero(const ClusterRequest& req, const std::string& path,
                        const NodePool& pool, DecodeContext* ctx) {
  if (!pool.autoscaling || pool.autoscaling->min != 0) return;
  const Provider p = req.provider;
  std::string fix;
  if (p == Provider::kDocker) {
    fix = "docker machines have no size to declare: set autoscaling.min to 1";
  } else {
    auto shape = LookupMachineShape(p, pool.machine_type, req.settings);
    if (!shape || shape->HasCapacity()) return;  // unknown: already an error
    fix = "set cpus and memoryMiB under " + DeclareAt(p, pool.machine_type) +
          " in capi-gitops.yaml, or set autoscaling.min to 1";
  }
  const std::string field = path + ".autoscaling.min";
  ctx->diags->push_back(
      {ctx->file, At(req, field).line, At(req, field).column, field,
       "node pool " + Quote(pool.name) +
           " can never scale up from zero: the cluster-autoscaler needs the "
           "CPU and memory of a node it cannot see, and they are unknown "
           "for " +
           (pool.machine_type.empty() ? std::string("this pool")
                                      : pool.machine_type) +
           ". To fix it, " + fix,
       Severity::kWarning});
}

}  // namespace capigitops
