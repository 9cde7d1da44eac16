#include "testing/fake_workload.h"

#include <nlohmann/json.hpp>

namespace capigitops {
namespace {

// A borrowed KubeApi behind the unique_ptr the connector returns.
class Forwarding : public KubeApi {
 public:
  explicit Forwarding(KubeApi* inner) : inner_(*inner) {}
  StatusOr<ResourceInfo> Resolve(const std::string& api_version,
                                 const std::string& kind) override {
    return inner_.Resolve(api_version, kind);
  }
  void ForgetDiscovery() override { inner_.ForgetDiscovery(); }
  StatusOr<nlohmann::json> Get(const ResourceInfo& r, const std::string& ns,
                               const std::string& name) override {
    return inner_.Get(r, ns, name);
  }
  StatusOr<std::vector<nlohmann::json>> List(
      const ResourceInfo& r, const std::string& ns,
      const std::string& selector) override {
    return inner_.List(r, ns, selector);
  }
  StatusOr<nlohmann::json> Apply(const nlohmann::json& object,
                                 const ApplyOptions& options) override {
    return inner_.Apply(object, options);
  }
  Status Delete(const ResourceInfo& r, const std::string& ns,
                const std::string& name, const WriteOptions& options) override {
    return inner_.Delete(r, ns, name, options);
  }
  StatusOr<nlohmann::json> Create(const ResourceInfo& r,
                                  const nlohmann::json& obj,
                                  const WriteOptions& options) override {
    return inner_.Create(r, obj, options);
  }
  StatusOr<nlohmann::json> Replace(const ResourceInfo& r,
                                   const nlohmann::json& obj,
                                   const WriteOptions& options) override {
    return inner_.Replace(r, obj, options);
  }
  int Concurrency() const override { return inner_.Concurrency(); }

 private:
  KubeApi& inner_;
};

}  // namespace

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
  return std::unique_ptr<KubeApi>(std::make_unique<Forwarding>(a->second));
}

int FakeWorkloadConnector::connects() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connects_;
}

}  // namespace capigitops
