#include "testing/fake_workload.h"

#include <nlohmann/json.hpp>

#include "testing/forwarding_kube_api.h"

namespace capigitops {

void FakeWorkloadConnector::Add(const std::string& ns,
                                const std::string& cluster, KubeApi* api) {
  std::lock_guard<std::mutex> lock(mu_);
  apis_[ns + "/" + cluster] = api;
  failures_.erase(ns + "/" + cluster);
}

void FakeWorkloadConnector::Fail(const std::string& ns,
                                 const std::string& cluster, Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_[ns + "/" + cluster] = std::move(status);
  apis_.erase(ns + "/" + cluster);
}

StatusOr<std::unique_ptr<KubeApi>> FakeWorkloadConnector::Connect(
    const std::string& ns, const std::string& cluster) {
  std::lock_guard<std::mutex> lock(mu_);
  ++connects_;
  std::string key = ns + "/" + cluster;
  auto f = failures_.find(key);
  if (f != failures_.end()) return f->second;
  auto a = apis_.find(key);
  if (a == apis_.end()) {
    return Status::NotFound("secret " + cluster + "-kubeconfig not found");
  }
  return std::unique_ptr<KubeApi>(
      std::make_unique<testing::ForwardingKubeApi>(*a->second));
}

int FakeWorkloadConnector::connects() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connects_;
}

}  // namespace capigitops
