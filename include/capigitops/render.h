// Expansion: a ClusterRequest plus the repo config become the complete set of
// Cluster API objects for one cluster.
//
// Pure and deterministic: no I/O, no clock, and the same input always gives
// byte-identical output. Objects are built as JSON values, never as text, so
// no value from a spec can inject YAML. Field names and versions follow
// ../shared/docs/capi.md: CAPI core, bootstrap and control plane at v1beta2
// with {apiGroup, kind, name} refs, infrastructure kinds at each provider's
// storage version.
#ifndef CAPIGITOPS_RENDER_H_
#define CAPIGITOPS_RENDER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "capigitops/addons.h"
#include "capigitops/config.h"
#include "capigitops/labels.h"  // the keys Expand writes, for its callers
#include "capigitops/spec.h"
#include "capigitops/status.h"

namespace capigitops {

struct RenderOptions {
  // Git revision of the spec, recorded as an annotation on the Cluster; may
  // be empty (then no annotation).
  std::string revision;
  // Namespace of the objects; "" = the repo config's.
  std::string ns;
  // The add-on catalog: the Cluster gets the labels that select its add-ons
  // (AddonsFor). Null: no add-on labels.
  const AddonCatalog* catalog = nullptr;
};

// The catalog add-ons `req` gets, by name: its CNI (spec.addons.cni, else
// addons.defaults.cni), the ccm and csi add-ons of its provider, the gpu
// add-on of its provider when any pool has GPUs (an accelerator or a GPU
// machine type), and the spec's opt-in extras. Each becomes the label
// addons.capigitops.io/<name>: "true" on the Cluster.
std::vector<const Addon*> AddonsFor(const ClusterRequest& req,
                                    const AddonCatalog& catalog,
                                    const RepoConfig& config);

// The catalog's objects in namespace `ns`: per Helm add-on a HelmChartProxy
// (addons.cluster.x-k8s.io/v1alpha1), per manifest add-on a
// ClusterResourceSet (v1beta2, ApplyOnce) and its ConfigMaps, ConfigMaps
// first. Each selects exactly addons.capigitops.io/<name>: "true" and is
// labelled addons.capigitops.io/addon and addons.capigitops.io/provides.
// Names whose immutable fields (selector, strategy) or content they hash:
// "<add-on>-<8 hex>". InvalidArgument for an add-on the loader would reject.
StatusOr<std::vector<nlohmann::json>> ExpandCatalog(const AddonCatalog& catalog,
                                                    const std::string& ns);

// All objects for `req`, in apply order (capigitops/apply_order.h):
// identity objects, machine templates and bootstrap templates first, then the
// InfraCluster, the KubeadmControlPlane, the MachineDeployments, the
// MachineHealthCheck, when a pool is autoscaled the cluster's own
// cluster-autoscaler Deployment (its ServiceAccount, Role and RoleBinding
// come with the referenced objects), and the Cluster last. Provider settings are
// read from req.settings (the repo defaults with the spec's providerConfig
// applied); the namespace and the default Kubernetes version from `config`.
//
// InvalidArgument when the request cannot be expressed for its provider
// (spot on vSphere/OpenStack/docker, a GCP GPU without spec.zone, a missing
// provider setting the objects need); the message names the field.
StatusOr<std::vector<nlohmann::json>> Expand(const ClusterRequest& req,
                                             const RepoConfig& config,
                                             const RenderOptions& opts);

}  // namespace capigitops

#endif  // CAPIGITOPS_RENDER_H_
