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
};

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
