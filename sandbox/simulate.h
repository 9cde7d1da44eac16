// Simulated CAPI controllers: Cluster phases and conditions, replica counts
// from the control plane and MachineDeployments, the kubeconfig Secret, and
// deletion through the cluster finalizer. All delays run on one clock scaled
// by --time-scale.
#ifndef CAPIGITOPS_SANDBOX_SIMULATE_H_
#define CAPIGITOPS_SANDBOX_SIMULATE_H_

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "store.h"
#include "workload.h"

namespace capigitops::sandbox {

class CapiSimulator {
 public:
  // `time_scale` multiplies the base delay of each step (0 = instant).
  CapiSimulator(Store* store, double time_scale);
  ~CapiSimulator();

  // Serves a workload cluster per Cluster from `workloads`: the kubeconfig
  // Secrets point at <server_url>/workload/<ns>/<name>, and add-ons, Nodes,
  // Pods and Jobs are simulated in them (workload_sim.h).
  void EnableWorkloads(WorkloadRegistry* workloads,
                       const std::string& server_url,
                       const std::string& ca_pem);

  void Start();
  void Stop();
  // One pass over every Cluster and MachineDeployment.
  void ReconcileOnce();

 private:
  void Loop();
  // Seconds since the simulator first saw the object with this uid.
  double Age(const std::string& uid);
  void ReconcileCluster(const json& cluster);
  void ReconcileDeletingCluster(const json& cluster);
  void ReconcileMachineDeployment(const json& md);
  void ReconcileControlPlane(const json& cluster, bool ready);
  void ReconcileInfraCluster(const json& cluster, bool ready);
  void EnsureKubeconfigSecret(const json& cluster);

  Store* store_;
  WorkloadRegistry* workloads_ = nullptr;
  std::string server_url_;
  std::string ca_pem_;
  double step_seconds_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, std::chrono::steady_clock::time_point> first_seen_;
};

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_SIMULATE_H_
