// Plan rules across clusters: namespace changes held, shared objects kept.
#include "sync/plan_safety.h"

#include <functional>
#include <map>
#include <set>

#include "capigitops/labels.h"

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
  // Most passes delete nothing: then nothing is to keep, and the map below
  // would hold a reference to every object of every cluster for nothing.
  bool deletes = false;
  for (const ClusterPlan& cp : plan->clusters) {
    for (const ObjectChange& oc : cp.objects)
      deletes = deletes || oc.action == ObjectAction::kDelete;
  }
  if (!deletes) return;
  // object -> a cluster needing it; both live in `plan`, which outlives it.
  std::map<std::reference_wrapper<const ObjRef>, const std::string*,
           std::less<ObjRef>>
      needed;
  for (const ClusterPlan& cp : plan->clusters) {
    bool leaving = cp.action == ClusterAction::kDelete && !cp.deletion_held &&
                   !plan->budget_exceeded;
    if (leaving) continue;
    if (cp.action == ClusterAction::kBlocked ||
        cp.action == ClusterAction::kDelete) {
      if (cp.inventory) {
        for (const ObjRef& r : cp.inventory->objects)
          needed.emplace(r, &cp.name);
      }
      continue;
    }
    for (const ObjectChange& oc : cp.objects) {
      if (oc.action != ObjectAction::kDelete) needed.emplace(oc.ref, &cp.name);
    }
  }
  for (ClusterPlan& cp : plan->clusters) {
    auto copy = live.elsewhere.find(cp.name);
    for (ObjectChange& oc : cp.objects) {
      if (oc.action != ObjectAction::kDelete) continue;
      auto it = needed.find(oc.ref);
      if (it != needed.end() && *it->second != cp.name) {
        oc.action = ObjectAction::kKeep;
        oc.note = "shared: cluster " + *it->second + " still needs it";
      } else if (copy != live.elsewhere.end() &&
                 IsClusterScoped(client, oc.ref)) {
        oc.action = ObjectAction::kKeep;
        oc.note = "cluster-scoped, and the copy of " + cp.name +
                  " in namespace " + copy->second + " still uses it";
      }
    }
  }
}

namespace {

using nlohmann::json;

bool IsCatalogKind(const std::string& kind) {
  return kind == "HelmChartProxy" || kind == "ClusterResourceSet";
}

// The single matchLabels key a catalog object selects, or "".
std::string SelectedKey(const json& obj) {
  auto spec = obj.find("spec");
  if (spec == obj.end() || !spec->is_object()) return "";
  auto sel = spec->find("clusterSelector");
  if (sel == spec->end() || !sel->is_object()) return "";
  auto labels = sel->find("matchLabels");
  if (labels == sel->end() || !labels->is_object() || labels->size() != 1)
    return "";
  return labels->begin().key();
}

void NoteProvides(const json& obj, std::map<std::string, std::string>* out) {
  if (!IsCatalogKind(obj.value("kind", ""))) return;
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return;
  auto labels = meta->find("labels");
  if (labels == meta->end() || !labels->is_object()) return;
  auto provides = labels->find(kAddonProvidesLabel);
  std::string key = SelectedKey(obj);
  if (provides == labels->end() || !provides->is_string() || key.empty())
    return;
  out->emplace(key, provides->get<std::string>());
}

const json& LabelsOf(const json& obj) {
  static const json kEmpty = json::object();
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return kEmpty;
  auto labels = meta->find("labels");
  return labels != meta->end() && labels->is_object() ? *labels : kEmpty;
}

}  // namespace

std::map<std::string, std::string> AddonProvidesByLabel(
    const DesiredState& desired, const LiveState& live) {
  std::map<std::string, std::string> out;
  for (const DesiredCluster& dc : desired.clusters) {
    for (const json& obj : dc.objects) NoteProvides(obj, &out);
  }
  for (const auto& [ref, obj] : live.objects) {
    if (IsCatalogKind(ref.kind)) NoteProvides(obj.Decode(), &out);
  }
  return out;
}

std::string VitalAddonStillSelected(const ObjRef& stale,
                                    const LiveState& live) {
  if (!IsCatalogKind(stale.kind)) return "";
  const std::optional<json> obj = live.Find(stale);
  if (!obj) return "";
  const json& labels = LabelsOf(*obj);
  std::string provides = labels.value(kAddonProvidesLabel, "");
  std::string key = SelectedKey(*obj);
  if ((provides != "cni" && provides != "ccm") || key.empty()) return "";
  int selected = 0;
  for (const auto& [ref, cluster] : live.objects) {
    if (ref.kind == "Cluster" && LabelsOf(cluster.Decode()).contains(key))
      ++selected;
  }
  if (selected == 0) return "";
  return labels.value(kAddonNameLabel, key) + " (" + provides +
         "): still selected by " + std::to_string(selected) +
         " live cluster(s)";
}

void HoldAddonLabelRemovals(const json& live,
                            const std::map<std::string, std::string>& provides,
                            bool allow_removal, json* desired,
                            ClusterPlan* cp) {
  const json& live_labels = LabelsOf(live);
  const json& want = LabelsOf(*desired);
  const std::string prefix = kAddonLabelPrefix;
  for (const auto& [key, value] : live_labels.items()) {
    if (key.rfind(prefix, 0) != 0 || key == kAddonNameLabel ||
        key == kAddonProvidesLabel || want.contains(key)) {
      continue;
    }
    auto p = provides.find(key);
    std::string what = p == provides.end() ? "unknown" : p->second;
    std::string entry = key.substr(prefix.size()) + " (" + what + ")";
    bool vital = what == "cni" || what == "ccm";
    if (vital && !allow_removal) {
      (*desired)["metadata"]["labels"][key] = value;
      cp->addon_removals_held.push_back(entry);
    } else {
      cp->addon_removals.push_back(entry);
    }
  }
}

void ListCatalogReach(const LiveState& live, const Plan& plan,
                      ClusterPlan* cp) {
  std::set<std::string> keys;
  for (const ObjectChange& oc : cp->objects) {
    if (oc.action == ObjectAction::kUnchanged ||
        oc.action == ObjectAction::kKeep) {
      continue;
    }
    std::string key = SelectedKey(oc.desired);
    if (key.empty()) {
      std::optional<json> l = live.Find(oc.ref);
      if (l) key = SelectedKey(*l);
    }
    if (!key.empty()) keys.insert(key);
  }
  // Live Clusters selected now, and those this pass labels (a new add-on's
  // label lands in the same pass as its HelmChartProxy).
  std::set<std::string> touched;
  auto note = [&](const std::string& name, const json& labels) {
    for (const std::string& key : keys) {
      if (labels.contains(key)) touched.insert(name);
    }
  };
  for (const auto& [ref, obj] : live.objects) {
    if (ref.kind == "Cluster" && !keys.empty())
      note(ref.name, LabelsOf(obj.Decode()));
  }
  for (const ClusterPlan& other : plan.clusters) {
    for (const ObjectChange& oc : other.objects) {
      if (oc.ref.kind == "Cluster" && oc.action != ObjectAction::kDelete)
        note(oc.ref.name, LabelsOf(oc.desired));
    }
  }
  cp->touched_clusters.assign(touched.begin(), touched.end());
}

}  // namespace capigitops
