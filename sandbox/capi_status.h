// Pure status computations of the simulated CAPI controllers (no I/O), so
// the shapes capi-gitops reads are testable on their own.
#ifndef CAPIGITOPS_SANDBOX_CAPI_STATUS_H_
#define CAPIGITOPS_SANDBOX_CAPI_STATUS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace capigitops::sandbox {

using nlohmann::json;

struct ClusterProgress {
  bool infra_ready = false;
  bool control_plane_initialized = false;
  bool workers_ready = false;
  int64_t control_plane_desired = 0;
  int64_t workers_desired = 0;
};

// API group of an object reference (v1beta2 apiGroup or v1beta1 apiVersion).
std::string RefGroup(const json& ref);
// Plural resource of a reference's kind ("KubeadmControlPlane" ->
// "kubeadmcontrolplanes").
std::string RefResource(const json& ref);

// spec.replicas; for autoscaled objects without it the
// cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size annotation;
// else 1 as CAPI defaults.
int64_t DesiredReplicas(const json& obj);

// status.phase, initialization, controlPlane/workers counts and the v1beta2
// conditions; lastTransitionTime only moves when a condition flips.
void SetClusterStatus(const ClusterProgress& p, const std::string& now,
                      json* cluster);
void SetControlPlaneStatus(bool ready, json* control_plane);
void SetMachineDeploymentStatus(bool ready, json* md);

// The <cluster>-kubeconfig Secret CAPI writes for a workload cluster:
// pointing at `server` with `token` (and the CA, when HTTPS), or at an
// unreachable https://<name>.<ns>.sandbox.local:6443 when `server` is "".
json KubeconfigSecret(const json& cluster, const std::string& server = "",
                      const std::string& ca_pem = "",
                      const std::string& token = "");

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_CAPI_STATUS_H_
