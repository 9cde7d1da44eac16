#include "capi_status.h"

#include <algorithm>

#include "util.h"

namespace capigitops::sandbox {
namespace {

constexpr char kMinSizeAnnotation[] =
    "cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size";

void SetCondition(json* conditions, const std::string& type, bool ok,
                  const std::string& reason, const std::string& message,
                  const std::string& now, int64_t generation) {
  if (!conditions->is_array()) *conditions = json::array();
  std::string status = ok ? "True" : "False";
  json cond = {{"type", type},
               {"status", status},
               {"reason", reason},
               {"message", message},
               {"lastTransitionTime", now},
               {"observedGeneration", generation}};
  for (json& c : *conditions) {
    if (c.value("type", "") != type) continue;
    if (c.value("status", "") == status) {
      cond["lastTransitionTime"] = c.value("lastTransitionTime", now);
    }
    c = cond;
    return;
  }
  conditions->push_back(cond);
}

json Replicas(int64_t desired, bool ready) {
  int64_t n = ready ? desired : 0;
  return {{"desiredReplicas", desired},
          {"replicas", desired},
          {"readyReplicas", n},
          {"availableReplicas", n},
          {"upToDateReplicas", n}};
}

}  // namespace

std::string RefGroup(const json& ref) {
  std::string group = ref.value("apiGroup", "");
  if (group.empty()) {
    std::string api_version = ref.value("apiVersion", "");
    size_t slash = api_version.find('/');
    if (slash != std::string::npos) group = api_version.substr(0, slash);
  }
  return group;
}

std::string RefResource(const json& ref) {
  std::string kind = ref.value("kind", "");
  std::transform(kind.begin(), kind.end(), kind.begin(), ::tolower);
  return kind.empty() ? "" : kind + "s";
}

int64_t DesiredReplicas(const json& obj) {
  const json spec = obj.value("spec", json::object());
  if (spec.contains("replicas") && spec["replicas"].is_number_integer()) {
    return spec["replicas"].get<int64_t>();
  }
  const json annotations = obj["metadata"].value("annotations", json::object());
  if (annotations.contains(kMinSizeAnnotation) &&
      annotations[kMinSizeAnnotation].is_string()) {
    try {
      return std::stoll(annotations[kMinSizeAnnotation].get<std::string>());
    } catch (const std::exception&) {
    }
  }
  return 1;
}

void SetClusterStatus(const ClusterProgress& p, const std::string& now,
                      json* cluster) {
  int64_t gen = (*cluster)["metadata"].value("generation", int64_t{1});
  json& status = (*cluster)["status"];
  if (!status.is_object()) status = json::object();
  status["phase"] = p.control_plane_initialized ? "Provisioned"
                    : p.infra_ready             ? "Provisioning"
                                                : "Pending";
  status["initialization"] = {
      {"infrastructureProvisioned", p.infra_ready},
      {"controlPlaneInitialized", p.control_plane_initialized}};
  status["controlPlane"] =
      Replicas(p.control_plane_desired, p.control_plane_initialized);
  status["workers"] = Replicas(p.workers_desired, p.workers_ready);
  status["observedGeneration"] = gen;
  json& c = status["conditions"];
  SetCondition(&c, "InfrastructureReady", p.infra_ready,
               p.infra_ready ? "Ready" : "NotReady",
               p.infra_ready ? "" : "Waiting for the infrastructure", now, gen);
  SetCondition(
      &c, "ControlPlaneInitialized", p.control_plane_initialized,
      p.control_plane_initialized ? "Initialized" : "NotInitialized",
      p.control_plane_initialized ? "" : "Control plane not yet initialized",
      now, gen);
  SetCondition(&c, "ControlPlaneAvailable", p.control_plane_initialized,
               p.control_plane_initialized ? "Available" : "NotAvailable", "",
               now, gen);
  SetCondition(&c, "WorkersAvailable", p.workers_ready,
               p.workers_ready ? "Available" : "NotAvailable", "", now, gen);
  bool available =
      p.infra_ready && p.control_plane_initialized && p.workers_ready;
  SetCondition(&c, "Available", available,
               available ? "Available" : "NotAvailable", "", now, gen);
}

void SetControlPlaneStatus(bool ready, json* cp) {
  int64_t desired = DesiredReplicas(*cp);
  int64_t n = ready ? desired : 0;
  json& status = (*cp)["status"];
  status["replicas"] = desired;
  status["readyReplicas"] = n;
  status["availableReplicas"] = n;
  status["upToDateReplicas"] = n;
  status["initialization"]["controlPlaneInitialized"] = ready;
  status["observedGeneration"] =
      (*cp)["metadata"].value("generation", int64_t{1});
  if (cp->contains("spec") && (*cp)["spec"].contains("version")) {
    status["version"] = (*cp)["spec"]["version"];
  }
}

void SetMachineDeploymentStatus(bool ready, json* md) {
  int64_t desired = DesiredReplicas(*md);
  int64_t n = ready ? desired : 0;
  json& status = (*md)["status"];
  status["replicas"] = desired;
  status["readyReplicas"] = n;
  status["availableReplicas"] = n;
  status["upToDateReplicas"] = n;
  status["phase"] = ready ? "Running" : "ScalingUp";
  status["observedGeneration"] =
      (*md)["metadata"].value("generation", int64_t{1});
}

json KubeconfigSecret(const json& cluster, const std::string& server,
                      const std::string& ca_pem, const std::string& token) {
  const json& meta = cluster["metadata"];
  std::string name = meta.value("name", "");
  std::string ns = meta.value("namespace", "");
  std::string url = server.empty()
                        ? "https://" + name + "." + ns + ".sandbox.local:6443"
                        : server;
  std::string ca_line =
      ca_pem.empty()
          ? ""
          : "    certificate-authority-data: " + Base64Encode(ca_pem) + "\n";
  std::string kubeconfig =
      "apiVersion: v1\nkind: Config\nclusters:\n- name: " + name +
      "\n  cluster:\n" + ca_line + "    server: " + url +
      "\nusers:\n- name: " + name +
      "-admin\n  user:\n    token: " + (token.empty() ? RandomHex(16) : token) +
      "\ncontexts:\n- name: " + name +
      "\n  context:\n"
      "    cluster: " +
      name + "\n    user: " + name + "-admin\ncurrent-context: " + name + "\n";
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"type", "cluster.x-k8s.io/secret"},
          {"metadata",
           {{"name", name + "-kubeconfig"},
            {"namespace", ns},
            {"labels", {{"cluster.x-k8s.io/cluster-name", name}}},
            {"ownerReferences",
             json::array(
                 {{{"apiVersion",
                    cluster.value("apiVersion", "cluster.x-k8s.io/v1beta2")},
                   {"kind", "Cluster"},
                   {"name", name},
                   {"uid", meta.value("uid", "")},
                   {"controller", true}}})}}},
          {"data", {{"value", Base64Encode(kubeconfig)}}}};
}

}  // namespace capigitops::sandbox
