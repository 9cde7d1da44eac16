// A workload cluster's API, reached the way CAPI publishes it: the Secret
// `<cluster>-kubeconfig` (key `value`) in the Cluster's namespace on the
// management cluster. Both the usability status (issue #11: nodes, Ready
// nodes, allocatable GPUs) and the idle decision (issue #12: GPU pods,
// active Jobs, Kueue Workloads) read the workload cluster through this seam,
// so tests can hand the pass in-memory workload APIs (FakeKubeApi) and
// capi-sandbox can serve real ones over HTTP.
#ifndef CAPIGITOPS_WORKLOAD_H_
#define CAPIGITOPS_WORKLOAD_H_

#include <memory>
#include <string>

#include "capigitops/kube_api.h"
#include "capigitops/status.h"

namespace capigitops {

class WorkloadConnector {
 public:
  virtual ~WorkloadConnector() = default;

  // A client for the workload cluster `cluster` in namespace `ns`.
  // NotFound when the kubeconfig Secret does not exist yet (the cluster is
  // still provisioning); other errors (the Secret cannot be read, its
  // kubeconfig is malformed) say why without any credential in the text.
  // Reachability is only known at the first request the client makes.
  virtual StatusOr<std::unique_ptr<KubeApi>> Connect(
      const std::string& ns, const std::string& cluster) = 0;
};

struct WorkloadConnectOptions {
  long request_timeout_ms = 10000;  // one request to a workload API
  int max_retries =
      0;  // an unreachable workload API is reported, not waited on
};

// The real connector: reads `<cluster>-kubeconfig` through `management`
// (which it does not own) and builds a KubeClient from it.
std::unique_ptr<WorkloadConnector> NewSecretWorkloadConnector(
    KubeApi* management, const WorkloadConnectOptions& options);

}  // namespace capigitops

#endif  // CAPIGITOPS_WORKLOAD_H_
