// Plan rules across clusters: namespace changes held, shared objects kept.
#include "sync/plan_safety.h"

#include <map>

namespace capigitops {

// The cluster is live in `from` and the repository now puts it in `to`:
// applying would create a second copy in `to` and leave the one in `from`
// unmanaged (its inventory is not read in `to`), so nothing happens to it
// until someone decides.
void HoldNamespaceChange(const std::string& from, const std::string& to,
                         ClusterPlan* cp) {
  cp->action = ClusterAction::kBlocked;
  cp->reason = "namespace change held: it is live in namespace \"" + from +
               "\" and the repository now puts it in \"" + to +
               "\"; applying would create a second copy there and leave this "
               "one unmanaged, so nothing is created or deleted. To keep it, "
               "set namespace: " +
               from +
               " again in capi-gitops.yaml. To move it, remove its spec while "
               "the namespace is still " +
               from + " (it is torn down), then add it back";
}

namespace {

bool IsClusterScoped(KubeApi& client, const ObjRef& ref) {
  StatusOr<ResourceInfo> r = client.Resolve(ref.api_version, ref.kind);
  return r.ok() && !r->namespaced;
}

}  // namespace

// An object that another cluster still needs is kept when one cluster is
// deleted or prunes it: one that several inventories list, and a
// cluster-scoped one (an AWS identity, named after the cluster) while a copy
// of the same cluster lives in another namespace (made before a namespace
// change was held) and uses it too.
void KeepSharedObjects(KubeApi& client, const LiveState& live, Plan* plan) {
  std::map<ObjRef, std::string> needed;  // object -> a cluster needing it
  for (const ClusterPlan& cp : plan->clusters) {
    bool leaving = cp.action == ClusterAction::kDelete && !cp.deletion_held &&
                   !plan->budget_exceeded;
    if (leaving) continue;
    if (cp.action == ClusterAction::kBlocked ||
        cp.action == ClusterAction::kDelete) {
      if (cp.inventory) {
        for (const ObjRef& r : cp.inventory->objects)
          needed.emplace(r, cp.name);
      }
      continue;
    }
    for (const ObjectChange& oc : cp.objects) {
      if (oc.action != ObjectAction::kDelete) needed.emplace(oc.ref, cp.name);
    }
  }
  for (ClusterPlan& cp : plan->clusters) {
    auto copy = live.elsewhere.find(cp.name);
    for (ObjectChange& oc : cp.objects) {
      if (oc.action != ObjectAction::kDelete) continue;
      auto it = needed.find(oc.ref);
      if (it != needed.end() && it->second != cp.name) {
        oc.action = ObjectAction::kKeep;
        oc.note = "shared: cluster " + it->second + " still needs it";
      } else if (copy != live.elsewhere.end() &&
                 IsClusterScoped(client, oc.ref)) {
        oc.action = ObjectAction::kKeep;
        oc.note = "cluster-scoped, and the copy of " + cp.name +
                  " in namespace " + copy->second + " still uses it";
      }
    }
  }
}

}  // namespace capigitops
