// Simulated CAPI controllers. Each pass derives the desired status from the
// object's age on the scaled clock, so repeated passes write nothing new and
// produce no watch events once an object has settled.
#include "simulate.h"

#include <algorithm>
#include <set>

#include "capi_status.h"
#include "util.h"
#include "workload_sim.h"

namespace capigitops::sandbox {
namespace {

constexpr double kBaseStepSeconds = 2.0;
const char kCapiGroup[] = "cluster.x-k8s.io";
const char kClusterFinalizer[] = "cluster.cluster.x-k8s.io";

std::vector<json> ListAll(Store* store, const std::string& group,
                          const std::string& resource) {
  return store
      ->List(group, resource, "", std::nullopt, 0,
             [](const json&) { return true; })
      .items;
}

ObjectKey KeyOf(const std::string& group, const std::string& resource,
                const json& obj) {
  const json& m = obj["metadata"];
  return ObjectKey{group, resource, m.value("namespace", ""),
                   m.value("name", "")};
}

// Read-modify-write; a change that leaves the object equal stores nothing.
void Modify(Store* store, const ObjectKey& key,
            const std::function<void(json*)>& fn) {
  store->Write(key,
               [&](const json* live) -> ApiOr<json> {
                 json obj = *live;
                 fn(&obj);
                 return obj;
               },
               {false, false});
}

}  // namespace

CapiSimulator::CapiSimulator(Store* store, double time_scale)
    : store_(store), step_seconds_(kBaseStepSeconds * time_scale) {}

CapiSimulator::~CapiSimulator() { Stop(); }

void CapiSimulator::EnableWorkloads(WorkloadRegistry* workloads,
                                    const std::string& server_url,
                                    const std::string& ca_pem) {
  workloads_ = workloads;
  server_url_ = server_url;
  ca_pem_ = ca_pem;
}

void CapiSimulator::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void CapiSimulator::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void CapiSimulator::Loop() {
  while (!stop_ && !store_->shut_down()) {
    ReconcileOnce();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

double CapiSimulator::Age(const std::string& uid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = std::chrono::steady_clock::now();
  auto [it, inserted] = first_seen_.emplace(uid, now);
  return std::chrono::duration<double>(now - it->second).count();
}

void CapiSimulator::ReconcileOnce() {
  // Objects are user input: a malformed one must not stop the simulator.
  for (const json& cluster : ListAll(store_, kCapiGroup, "clusters")) {
    try {
      if (cluster["metadata"].contains("deletionTimestamp")) {
        ReconcileDeletingCluster(cluster);
      } else {
        ReconcileCluster(cluster);
      }
    } catch (const json::exception&) {
    }
  }
  for (const json& md : ListAll(store_, kCapiGroup, "machinedeployments")) {
    try {
      if (!md["metadata"].contains("deletionTimestamp")) {
        ReconcileMachineDeployment(md);
      }
    } catch (const json::exception&) {
    }
  }
  if (workloads_ == nullptr) return;
  AddonContext ctx{store_, workloads_, step_seconds_,
                   [this](const std::string& key) { return Age(key); }};
  try {
    ReconcileWorkloads(ctx, ListAll(store_, kCapiGroup, "clusters"));
  } catch (const json::exception&) {
  }
}

void CapiSimulator::ReconcileCluster(const json& cluster) {
  const json& meta = cluster["metadata"];
  std::string name = meta.value("name", "");
  std::string ns = meta.value("namespace", "");
  double age = Age(meta.value("uid", ""));
  ClusterProgress progress;
  progress.infra_ready = age >= step_seconds_;
  progress.control_plane_initialized = age >= 2 * step_seconds_;
  progress.workers_ready = age >= 3 * step_seconds_;
  json spec = cluster.value("spec", json::object());
  const json* cp_ref =
      spec.contains("controlPlaneRef") ? &spec["controlPlaneRef"] : nullptr;
  if (cp_ref) {
    ObjectKey key{RefGroup(*cp_ref), RefResource(*cp_ref), ns,
                  cp_ref->value("name", "")};
    if (std::optional<json> cp = store_->Get(key)) {
      progress.control_plane_desired = DesiredReplicas(*cp);
    }
  }
  for (const json& md : ListAll(store_, kCapiGroup, "machinedeployments")) {
    const json& m = md["metadata"];
    if (m.value("namespace", "") != ns ||
        md.value("spec", json::object()).value("clusterName", "") != name) {
      continue;
    }
    progress.workers_desired += DesiredReplicas(md);
  }
  Modify(store_, KeyOf(kCapiGroup, "clusters", cluster), [&](json* obj) {
    json& finalizers = (*obj)["metadata"]["finalizers"];
    if (!finalizers.is_array()) finalizers = json::array();
    if (std::find(finalizers.begin(), finalizers.end(), kClusterFinalizer) ==
        finalizers.end()) {
      finalizers.push_back(kClusterFinalizer);
    }
    json& endpoint = (*obj)["spec"]["controlPlaneEndpoint"];
    if (progress.infra_ready &&
        (!endpoint.is_object() || endpoint.value("host", "").empty())) {
      endpoint = {{"host", name + "." + ns + ".sandbox.local"}, {"port", 6443}};
    }
    SetClusterStatus(progress, NowRfc3339(), obj);
  });
  if (cp_ref)
    ReconcileControlPlane(cluster, progress.control_plane_initialized);
  if (spec.contains("infrastructureRef")) {
    ReconcileInfraCluster(cluster, progress.infra_ready);
  }
  if (progress.control_plane_initialized) EnsureKubeconfigSecret(cluster);
}

void CapiSimulator::ReconcileControlPlane(const json& cluster, bool ready) {
  const json& ref = cluster["spec"]["controlPlaneRef"];
  ObjectKey key{RefGroup(ref), RefResource(ref),
                cluster["metadata"].value("namespace", ""),
                ref.value("name", "")};
  if (!store_->Get(key)) return;
  Modify(store_, key, [&](json* cp) { SetControlPlaneStatus(ready, cp); });
}

void CapiSimulator::ReconcileInfraCluster(const json& cluster, bool ready) {
  const json& ref = cluster["spec"]["infrastructureRef"];
  ObjectKey key{RefGroup(ref), RefResource(ref),
                cluster["metadata"].value("namespace", ""),
                ref.value("name", "")};
  if (!store_->Get(key)) return;
  Modify(store_, key, [&](json* infra) {
    json& status = (*infra)["status"];
    status["ready"] = ready;
    status["initialization"]["provisioned"] = ready;
  });
}

void CapiSimulator::EnsureKubeconfigSecret(const json& cluster) {
  const json& meta = cluster["metadata"];
  std::string name = meta.value("name", "");
  std::string ns = meta.value("namespace", "");
  ObjectKey key{"", "secrets", ns, name + "-kubeconfig"};
  if (workloads_ == nullptr) {
    json secret = KubeconfigSecret(cluster);
    store_->Write(
        key,
        [&](const json* live) -> ApiOr<json> { return live ? *live : secret; },
        {false, true});
    return;
  }
  std::shared_ptr<WorkloadCluster> wl = workloads_->Ensure(ns, name);
  std::string server = server_url_ + kWorkloadPathPrefix + ns + "/" + name;
  // Rewritten when it no longer matches (a restarted sandbox has a new
  // port, CA and token), else left alone so it produces no events.
  store_->Write(
      key,
      [&](const json* live) -> ApiOr<json> {
        if (live) {
          std::optional<std::string> text = Base64Decode(
              live->value("data", json::object()).value("value", ""));
          if (text &&
              text->find("    server: " + server + "\n") != std::string::npos &&
              text->find("token: " + wl->token + "\n") != std::string::npos) {
            return *live;
          }
        }
        json secret = KubeconfigSecret(cluster, server, ca_pem_, wl->token);
        if (live) secret["metadata"] = (*live)["metadata"];
        return secret;
      },
      {false, true});
}

void CapiSimulator::ReconcileDeletingCluster(const json& cluster) {
  const json& meta = cluster["metadata"];
  std::string name = meta.value("name", "");
  std::string ns = meta.value("namespace", "");
  double age = Age(meta.value("uid", "") + "/deleting");
  Modify(store_, KeyOf(kCapiGroup, "clusters", cluster),
         [&](json* obj) { (*obj)["status"]["phase"] = "Deleting"; });
  std::vector<ObjectKey> owned;
  for (const char* resource : {"machinedeployments", "machinehealthchecks"}) {
    for (const json& obj : ListAll(store_, kCapiGroup, resource)) {
      if (obj["metadata"].value("namespace", "") == ns &&
          obj.value("spec", json::object()).value("clusterName", "") == name) {
        owned.push_back(KeyOf(kCapiGroup, resource, obj));
      }
    }
  }
  const json spec = cluster.value("spec", json::object());
  for (const char* ref_name : {"controlPlaneRef", "infrastructureRef"}) {
    if (!spec.contains(ref_name)) continue;
    const json& ref = spec[ref_name];
    owned.push_back(
        ObjectKey{RefGroup(ref), RefResource(ref), ns, ref.value("name", "")});
  }
  owned.push_back(ObjectKey{"", "secrets", ns, name + "-kubeconfig"});
  owned.push_back(ObjectKey{"addons.cluster.x-k8s.io",
                            "clusterresourcesetbindings", ns, name});
  bool remaining = false;
  for (const ObjectKey& key : owned) {
    if (!store_->Get(key)) continue;
    remaining = true;
    store_->Delete(key, DeleteOptions{});
  }
  if (remaining || age < step_seconds_) return;
  Modify(store_, KeyOf(kCapiGroup, "clusters", cluster), [&](json* obj) {
    json& finalizers = (*obj)["metadata"]["finalizers"];
    if (!finalizers.is_array()) return;
    finalizers.erase(std::remove(finalizers.begin(), finalizers.end(),
                                 json(kClusterFinalizer)),
                     finalizers.end());
  });
}

void CapiSimulator::ReconcileMachineDeployment(const json& md) {
  double age = Age(md["metadata"].value("uid", ""));
  bool ready = age >= 2 * step_seconds_;
  Modify(store_, KeyOf(kCapiGroup, "machinedeployments", md),
         [&](json* obj) { SetMachineDeploymentStatus(ready, obj); });
}

}  // namespace capigitops::sandbox
