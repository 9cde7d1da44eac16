// A WorkloadConnector for in-process tests: each workload cluster is a
// FakeKubeApi the test owns (ServeWorkloadKinds), or an error to return.
#ifndef CAPIGITOPS_TESTING_FAKE_WORKLOAD_H_
#define CAPIGITOPS_TESTING_FAKE_WORKLOAD_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "capigitops/status.h"
#include "capigitops/workload.h"

namespace capigitops {

class FakeWorkloadConnector : public WorkloadConnector {
 public:
  // Connect(ns, cluster) hands out a client that forwards to `api` (not
  // owned; it must outlive every client handed out).
  void Add(const std::string& ns, const std::string& cluster, KubeApi* api);
  // Connect(ns, cluster) fails with `status`.
  void Fail(const std::string& ns, const std::string& cluster, Status status);

  // Unknown clusters: NotFound, as for a missing kubeconfig Secret.
  StatusOr<std::unique_ptr<KubeApi>> Connect(
      const std::string& ns, const std::string& cluster) override;

  int connects() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, KubeApi*> apis_;
  std::map<std::string, Status> failures_;
  int connects_ = 0;
};

}  // namespace capigitops

#endif  // CAPIGITOPS_TESTING_FAKE_WORKLOAD_H_
