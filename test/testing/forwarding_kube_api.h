// A KubeApi that passes every call to `inner`: tests derive from it and
// override the one call they watch or refuse (a delete hook, a forbidden
// cluster-wide LIST) instead of forwarding all ten by hand.
#ifndef CAPIGITOPS_TEST_TESTING_FORWARDING_KUBE_API_H_
#define CAPIGITOPS_TEST_TESTING_FORWARDING_KUBE_API_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "capigitops/kube_api.h"

namespace capigitops::testing {

class ForwardingKubeApi : public KubeApi {
 public:
  explicit ForwardingKubeApi(KubeApi& inner) : inner_(inner) {}

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

}  // namespace capigitops::testing

#endif  // CAPIGITOPS_TEST_TESTING_FORWARDING_KUBE_API_H_
