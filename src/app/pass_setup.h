// What `reconcile`, `ttl` and `run` share: the Git source flags (with the
// environment variables deploy/ sets as defaults) and turning flags into
// ReconcileOptions and Git sources.
#ifndef CAPIGITOPS_APP_PASS_SETUP_H_
#define CAPIGITOPS_APP_PASS_SETUP_H_

#include <memory>
#include <string>
#include <vector>

#include "app/cli.h"
#include "capigitops/git.h"
#include "capigitops/kube_api.h"
#include "capigitops/reconcile.h"
#include "capigitops/workload.h"

namespace capigitops {

// --repo, --branch, --revision, --status-branch, --cache-dir, Git
// credentials, --read-only, --dry-run, --allow-mass-deletion, --wait, --now,
// --author, and the cluster connection flags.
void AddSourceOptions(FlagSet* options);

// Credentials default to GIT_TOKEN_FILE, GIT_SSH_KEY_FILE and
// GIT_KNOWN_HOSTS_FILE when those name files that exist (deploy/ mounts only
// the keys the Secret holds).
GitSourceOptions SourceOptions(const Args& args, const std::string& branch);

// False (after printing why) on a bad flag. `ro->now` is the current time
// unless --now pins it; *now_pinned says which.
bool ParseReconcileOptions(const Args& args, const CommandIo& io, bool ttl_only,
                           ReconcileOptions* ro, bool* now_pinned);

// The spec source and, with --status-branch, a second one for status; with
// --read-only or --dry-run both are wrapped in ReadOnlyGitSource, so the pass
// commits nothing without knowing why.
struct PassSources {
  GitSource* spec = nullptr;
  GitSource* status = nullptr;  // the spec source unless --status-branch
  std::vector<std::unique_ptr<GitSource>> owned;
};
PassSources OpenSources(const Args& args, const ReconcileOptions& ro);

// True with --read-only or --dry-run: nothing is written to Git or the
// cluster.
bool WritesNothing(const Args& args);

// The API the pass writes through: `kube` itself; with --read-only a
// ReadOnlyKubeApi over it (no write request at all), with --dry-run a
// DryRunKubeApi (server-side dry runs); kept in *holder.
KubeApi* ClusterView(const Args& args, KubeApi* kube,
                     std::unique_ptr<KubeApi>* holder);

// The workload clusters' connector of a pass: their kubeconfig Secrets read
// through `management` (the real client, not a dry-run view: it only
// reads), one short request each and no retries, so an unreachable workload
// API costs a pass seconds and is reported, not waited on.
std::unique_ptr<WorkloadConnector> WorkloadConnectorFor(KubeApi* management);

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_PASS_SETUP_H_
