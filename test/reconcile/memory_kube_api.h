// A small in-memory KubeApi for the reconciler's tests: objects in a map,
// equality label selectors, deletions that take effect at once (as if CAPI
// finished the teardown), dry runs that store nothing, and a count of real
// writes. Stands in until the kube module's FakeKubeApi is used here.
#ifndef CAPIGITOPS_TEST_RECONCILE_MEMORY_KUBE_API_H_
#define CAPIGITOPS_TEST_RECONCILE_MEMORY_KUBE_API_H_

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "capigitops/kube_api.h"

namespace capigitops::testing {

class MemoryKubeApi : public KubeApi {
 public:
  // (apiVersion, kind, namespace, name) -> object.
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  std::map<Key, nlohmann::json> objects;
  int writes = 0;  // applies, deletes, creates and replaces that stored
  // Called before each real delete with the object's kind and name.
  std::function<void(const std::string& kind, const std::string& name)>
      on_delete;

  // Live objects of `kind` (any namespace).
  std::vector<std::string> Names(const std::string& kind) const;

  StatusOr<ResourceInfo> Resolve(const std::string& api_version,
                                 const std::string& kind) override;
  void ForgetDiscovery() override {}
  StatusOr<nlohmann::json> Get(const ResourceInfo& r, const std::string& ns,
                               const std::string& name) override;
  StatusOr<std::vector<nlohmann::json>> List(
      const ResourceInfo& r, const std::string& ns,
      const std::string& label_selector) override;
  StatusOr<nlohmann::json> Apply(const nlohmann::json& object,
                                 const ApplyOptions& options) override;
  Status Delete(const ResourceInfo& r, const std::string& ns,
                const std::string& name, const WriteOptions& options) override;
  StatusOr<nlohmann::json> Create(const ResourceInfo& r,
                                  const nlohmann::json& obj,
                                  const WriteOptions& options) override;
  StatusOr<nlohmann::json> Replace(const ResourceInfo& r,
                                   const nlohmann::json& obj,
                                   const WriteOptions& options) override;
  int Concurrency() const override { return 1; }

 private:
  StatusOr<nlohmann::json> Store(const nlohmann::json& obj, bool dry_run);

  std::recursive_mutex mu_;  // the executor calls from several threads
};

}  // namespace capigitops::testing

#endif  // CAPIGITOPS_TEST_RECONCILE_MEMORY_KUBE_API_H_
