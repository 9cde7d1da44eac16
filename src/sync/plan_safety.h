// Plan rules that keep one cluster's change from hurting another: a
// namespace change is held, and an object another cluster still needs is
// kept when one cluster lets go of it.
#ifndef CAPIGITOPS_SYNC_PLAN_SAFETY_H_
#define CAPIGITOPS_SYNC_PLAN_SAFETY_H_

#include <map>
#include <string>

#include "capigitops/kube_api.h"
#include "capigitops/sync.h"

namespace capigitops {

// Blocks `cp`: the cluster is live in namespace `from` and the repository
// now puts it in `to`.
void HoldNamespaceChange(const std::string& from, const std::string& to,
                         ClusterPlan* cp);

// Turns deletions of objects another cluster still needs into kKeep.
void KeepSharedObjects(KubeApi& client, const LiveState& live, Plan* plan);

// What each add-on label key selects: addons.capigitops.io/<add-on> ->
// "cni", "ccm", ... read from the catalog objects (desired and live) that
// select it by their addons.capigitops.io/provides label.
std::map<std::string, std::string> AddonProvidesByLabel(
    const DesiredState& desired, const LiveState& live);

// `desired` is the Cluster about to be applied over `live`. Every add-on
// label the live one has and `desired` drops is listed in `cp`; a CNI's or
// CCM's is put back into `desired` (held) unless `allow_removal`.
// A catalog object the repository no longer defines, but whose deletion
// would uninstall a CNI or cloud-controller-manager from live clusters
// (CAAPH uninstalls a deleted HelmChartProxy's releases): returns
// "calico (cni): still selected by 2 live cluster(s)" when `stale` is such
// an object and some live Cluster still carries its label, else "". The
// object then stays, in the catalog's inventory, until
// --allow-addon-removal.
std::string VitalAddonStillSelected(const ObjRef& stale, const LiveState& live);

void HoldAddonLabelRemovals(const nlohmann::json& live,
                            const std::map<std::string, std::string>& provides,
                            bool allow_removal, nlohmann::json* desired,
                            ClusterPlan* cp);

// For the catalog's plan `cp` (one of `plan`'s): every Cluster, live or
// about to be applied, that a created, updated or deleted catalog object
// selects, into cp->touched_clusters.
void ListCatalogReach(const LiveState& live, const Plan& plan, ClusterPlan* cp);

}  // namespace capigitops

#endif  // CAPIGITOPS_SYNC_PLAN_SAFETY_H_
