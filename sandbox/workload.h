// Workload clusters: one simulated API server per CAPI Cluster, served by
// the same process and listener under a path prefix, each with its own store
// and bearer token. The kubeconfig Secret of a Cluster points here.
#ifndef CAPIGITOPS_SANDBOX_WORKLOAD_H_
#define CAPIGITOPS_SANDBOX_WORKLOAD_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kinds.h"
#include "store.h"

namespace capigitops::sandbox {

// Prefix of every workload cluster URL: /workload/<namespace>/<name>/...
inline constexpr char kWorkloadPathPrefix[] = "/workload/";

struct WorkloadCluster {
  std::string ns;
  std::string name;
  std::string token;
  Store store;

  // ClusterResourceSets applied into this store (name -> `provides`),
  // which a restarted sandbox re-applies from the bindings.
  std::map<std::string, std::string> AppliedSets() const {
    std::lock_guard<std::mutex> lock(mu);
    return applied_sets;
  }
  void MarkApplied(const std::string& set, const std::string& provides) {
    std::lock_guard<std::mutex> lock(mu);
    applied_sets[set] = provides;
  }

 private:
  mutable std::mutex mu;
  std::map<std::string, std::string> applied_sets;
};

// Splits "/workload/<ns>/<name>/<rest>" into its parts; `rest` keeps its
// leading slash ("/" when absent). False for other paths.
bool SplitWorkloadPath(const std::string& path, std::string* ns,
                       std::string* name, std::string* rest);

// The kinds a workload cluster serves: core v1 (Nodes, Pods, Services,
// ServiceAccounts, ...), apps/v1 and batch/v1, without schemas.
void AddWorkloadKinds(KindRegistry* registry);

// The workload clusters, keyed by namespace/name. Thread-safe. A removed
// cluster's store is shut down (ending its watches) but kept alive, since
// a request may still hold it.
class WorkloadRegistry {
 public:
  WorkloadRegistry();

  const KindRegistry& kinds() const { return kinds_; }
  // The cluster, created with a fresh token and the default namespaces.
  std::shared_ptr<WorkloadCluster> Ensure(const std::string& ns,
                                          const std::string& name);
  // nullptr when there is none.
  std::shared_ptr<WorkloadCluster> Find(const std::string& ns,
                                        const std::string& name) const;
  void Remove(const std::string& ns, const std::string& name);
  std::vector<std::shared_ptr<WorkloadCluster>> All() const;
  // Ends every watch of every cluster (process shutdown).
  void Shutdown();

 private:
  KindRegistry kinds_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<WorkloadCluster>> clusters_;
  std::vector<std::shared_ptr<WorkloadCluster>> retired_;
};

// Creates the namespace `name` in `store` unless it exists.
void EnsureNamespace(Store* store, const std::string& name);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_WORKLOAD_H_
