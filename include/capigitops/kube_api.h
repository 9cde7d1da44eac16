// The Kubernetes API as capi-gitops uses it: discovery, get, list,
// server-side apply, delete, and create/replace for Leases.
//
// Abstract so that the planner, executor, reconciler and leader elector can
// be tested in-process against an in-memory fake (test/testing/
// fake_kube_api.h), and so that a dry run is another implementation of the
// same interface (DryRunKubeApi below) instead of `if (dry_run)`
// checks through the sync code, as ninja's DiskInterface and
// DryRunCommandRunner. The real implementation is KubeClient
// (capigitops/kube_client.h), over libcurl.
#ifndef CAPIGITOPS_KUBE_API_H_
#define CAPIGITOPS_KUBE_API_H_

#include <cstddef>
#include <functional>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <vector>

#include "capigitops/status.h"

namespace capigitops::yaml {
class JsonItemSax;  // capigitops/json.h
}

namespace capigitops {

struct ResourceInfo {
  std::string group;  // "" for core
  std::string version;
  std::string kind;
  std::string plural;
  bool namespaced = true;

  std::string ApiVersion() const {
    return group.empty() ? version : group + "/" + version;
  }
  // "clusters.cluster.x-k8s.io", as kubectl names resources in messages.
  std::string Name() const {
    return group.empty() ? plural : plural + "." + group;
  }
};

struct ApplyOptions {
  std::string field_manager = "capi-gitops";
  bool force = true;  // take ownership of our fields
  // Sent as dryRun=All: the server validates, defaults and merges, and
  // returns what it would store, storing nothing. Set by DryRunKubeApi.
  bool dry_run = false;
};

// For the other writes (delete, create, replace).
struct WriteOptions {
  bool dry_run = false;  // as ApplyOptions::dry_run
};

class KubeApi {
 public:
  virtual ~KubeApi() = default;

  // Maps apiVersion + kind to the resource, from discovery of that group
  // version (cached). NotFound when the server does not serve the kind (for
  // example, a provider's CRDs are not installed).
  virtual StatusOr<ResourceInfo> Resolve(const std::string& api_version,
                                         const std::string& kind) = 0;

  // Drops the discovery cache, so the next Resolve asks the server again.
  // The controller calls it before each pass: CRDs installed after it
  // started (clusterctl init of another provider) must become visible.
  virtual void ForgetDiscovery() = 0;

  virtual StatusOr<nlohmann::json> Get(const ResourceInfo& r,
                                       const std::string& ns,
                                       const std::string& name) = 0;
  // All objects, in one namespace or all (""), with apiVersion and kind set
  // on every item. `label_selector` as the API takes it ("a=b,c").
  virtual StatusOr<std::vector<nlohmann::json>> List(
      const ResourceInfo& r, const std::string& ns,
      const std::string& label_selector) = 0;
  // List, handing each item to `each` as it is read rather than collecting
  // them all: KubeClient does it a page at a time, so a caller that keeps a
  // smaller form of each item never holds a whole kind in full. On an error
  // some items may have been handed over already. The default lists first.
  virtual Status ListEach(const ResourceInfo& r, const std::string& ns,
                          const std::string& label_selector,
                          const std::function<void(nlohmann::json&)>& each);
  // ListEach for a caller that keeps its own form of each item (the live
  // state's encoding) and wants no tree of it: each item comes as the
  // parser's events, without the apiVersion and kind ListEach sets (the
  // caller knows them: `r`'s). An item that is not an object is an error.
  // The default replays ListEach's items.
  virtual Status ListEachEvents(const ResourceInfo& r, const std::string& ns,
                                const std::string& label_selector,
                                yaml::JsonItemSax& items);
  // Server-side apply of `object` (apiVersion, kind, metadata.name and
  // namespace set). Returns the object as stored (or as it would be).
  virtual StatusOr<nlohmann::json> Apply(const nlohmann::json& object,
                                         const ApplyOptions& options) = 0;
  // Deletes (background propagation); OK when it was already gone.
  virtual Status Delete(const ResourceInfo& r, const std::string& ns,
                        const std::string& name,
                        const WriteOptions& options) = 0;
  // Create (POST) and replace (PUT, resourceVersion checked) for Leases.
  virtual StatusOr<nlohmann::json> Create(const ResourceInfo& r,
                                          const nlohmann::json& obj,
                                          const WriteOptions& options) = 0;
  virtual StatusOr<nlohmann::json> Replace(const ResourceInfo& r,
                                           const nlohmann::json& obj,
                                           const WriteOptions& options) = 0;

  // How many requests the implementation wants in flight at once.
  virtual int Concurrency() const = 0;

  // Runs fn(0..n-1) on up to Concurrency() threads (util's ParallelFor, one
  // index at a time since the work is mostly waiting on the network);
  // returns when all are done.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);
};

// Reads through to `inner` and sends every write as a server-side dry run
// (dryRun=All): the server validates, defaults and merges as for a real
// write and answers with the result, and nothing is stored. For planning
// (what would the server store?), `apply --dry-run` and `reconcile
// --dry-run`.
// A Delete leaves the object in place, so a caller waiting for it to go
// waits its full timeout. Borrows `inner`, which must outlive it.
// A namespace that does not exist yet cannot take a dry-run write (the
// server answers NotFound, since the dry-run apply of the Namespace stored
// nothing): writes into a namespace whose apply found it missing are not
// sent, come back as given, and are counted in Unchecked().
class DryRunKubeApi : public KubeApi {
 public:
  explicit DryRunKubeApi(KubeApi& inner) : inner_(inner) {}

  StatusOr<ResourceInfo> Resolve(const std::string& api_version,
                                 const std::string& kind) override;
  void ForgetDiscovery() override;
  StatusOr<nlohmann::json> Get(const ResourceInfo& r, const std::string& ns,
                               const std::string& name) override;
  StatusOr<std::vector<nlohmann::json>> List(
      const ResourceInfo& r, const std::string& ns,
      const std::string& label_selector) override;
  Status ListEachEvents(const ResourceInfo& r, const std::string& ns,
                        const std::string& label_selector,
                        yaml::JsonItemSax& items) override;
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
  int Concurrency() const override { return inner_.Concurrency(); }

  struct UncheckedWrites {
    std::vector<std::string> namespaces;  // missing, sorted
    size_t writes = 0;                    // not sent to the server
  };
  UncheckedWrites Unchecked() const;

 private:
  // Whether `ns` was found missing by a Namespace apply; counts the write.
  bool SkipUnchecked(const std::string& ns);

  KubeApi& inner_;
  mutable std::mutex mu_;
  std::set<std::string> missing_namespaces_;
  size_t unchecked_writes_ = 0;
};

// Reads through to `inner` and sends no write at all, not even a dry run
// (for `--read-only`: a service account that may only get, list and watch
// works, and the API server sees nothing but reads). A write answers as if
// it had been stored unchanged: Apply, Create and Replace return the object
// given, Delete returns OK and the object stays. So planning through it
// cannot ask the server what it would default: an object that merely looks
// changed shows as an update (DryRunKubeApi gives the exact answer).
class ReadOnlyKubeApi : public KubeApi {
 public:
  explicit ReadOnlyKubeApi(KubeApi& inner) : inner_(inner) {}

  StatusOr<ResourceInfo> Resolve(const std::string& api_version,
                                 const std::string& kind) override;
  void ForgetDiscovery() override;
  StatusOr<nlohmann::json> Get(const ResourceInfo& r, const std::string& ns,
                               const std::string& name) override;
  StatusOr<std::vector<nlohmann::json>> List(
      const ResourceInfo& r, const std::string& ns,
      const std::string& label_selector) override;
  Status ListEachEvents(const ResourceInfo& r, const std::string& ns,
                        const std::string& label_selector,
                        yaml::JsonItemSax& items) override;
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
  int Concurrency() const override { return inner_.Concurrency(); }

 private:
  KubeApi& inner_;
};

}  // namespace capigitops

#endif  // CAPIGITOPS_KUBE_API_H_
