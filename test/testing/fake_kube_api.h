// An in-memory Kubernetes API for in-process tests of sync, the reconciler
// and the leader elector.
//
// Requests go through a real KubeClient to capi-sandbox's HTTP-free request
// handler (sandbox/api.h) over an in-process transport, so server-side apply
// merges and keeps managed fields, resourceVersion and generation move,
// dryRun=All stores nothing and label selectors select, as in capi-sandbox.
// The kinds are registered in code (core v1, Lease and the CAPI and
// infrastructure kinds capi-gitops renders): no CRD files are needed.
//
// On top: a request log (verb, kind, name, dry run), injected failures per
// verb and kind, kinds reported as not served, and Clusters that stay for a
// number of reads after they were deleted, as CAPI keeps a Cluster until
// its machines are gone.
#ifndef CAPIGITOPS_TESTING_FAKE_KUBE_API_H_
#define CAPIGITOPS_TESTING_FAKE_KUBE_API_H_

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "capigitops/kube_api.h"

namespace capigitops {

class KubeClient;

namespace sandbox {
class KindRegistry;
class Store;
}  // namespace sandbox

class FakeKubeApi : public KubeApi {
 public:
  struct Request {
    std::string verb;  // get, list, apply, delete, create, replace
    std::string kind;
    std::string name;  // "" for a list
    bool dry_run = false;
  };

  explicit FakeKubeApi(int concurrency = 4);
  ~FakeKubeApi() override;

  // KubeApi.
  StatusOr<ResourceInfo> Resolve(const std::string& api_version,
                                 const std::string& kind) override;
  void ForgetDiscovery() override;
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
  int Concurrency() const override { return concurrency_; }

  // --- Set-up and inspection for tests (not logged) ---

  // Also serves what a workload cluster has: Node, Pod and batch/v1 Job
  // (status written directly, without a status subresource, so tests set
  // phases and conditions with Seed), and with `kueue` Kueue's Workload.
  void ServeWorkloadKinds(bool kueue = false);

  // Server-side applies `object` as `manager`, creating its namespace.
  void Seed(const nlohmann::json& object,
            const std::string& manager = "capi-gitops");
  // The stored object, or null.
  nlohmann::json Stored(const std::string& api_version, const std::string& kind,
                        const std::string& ns, const std::string& name);

  // Every request of `verb` on `kind` ("" for any kind) named `name` (""
  // for any name) fails with `status`, before it reaches the store.
  void FailOn(const std::string& verb, const std::string& kind, Status status,
              const std::string& name = "");
  // Resolve answers NotFound for `kind`, as for a CRD not installed.
  void Unserve(const std::string& kind);
  // A deleted Cluster is still there for this many GETs, then gone
  // (-1: never goes). 0 by default.
  void SetClusterLinger(int reads) { linger_reads_ = reads; }

  std::vector<Request> log() const;
  void ClearLog();
  // Requests of `verb` ("" any) on `kind` ("" any).
  int Count(const std::string& verb, const std::string& kind = "") const;
  // Writes that were not dry runs.
  int StoredWrites() const;

 private:
  Status Begin(const std::string& verb, const std::string& kind,
               const std::string& name, bool dry_run);

  std::unique_ptr<sandbox::KindRegistry> kinds_;
  std::unique_ptr<sandbox::Store> store_;
  std::unique_ptr<KubeClient> client_;
  int concurrency_;
  int linger_reads_ = 0;

  mutable std::mutex mu_;  // guards everything below
  std::vector<Request> log_;
  struct Fault {
    std::string verb, kind, name;
    Status status;
  };
  std::vector<Fault> faults_;
  std::set<std::string> unserved_;
  // Deleted Clusters still visible: "ns/name" -> GETs left (-1: forever).
  std::map<std::string, int> lingering_;
};

}  // namespace capigitops

#endif  // CAPIGITOPS_TESTING_FAKE_KUBE_API_H_
