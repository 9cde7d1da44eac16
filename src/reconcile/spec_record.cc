// The applied-spec record on the live Cluster and the spec-level diff.
#include <set>

#include "capigitops/plan_review.h"

namespace capigitops {
namespace {

using nlohmann::json;

constexpr char kNone[] = "(none)";

json StringMap(const std::map<std::string, std::string>& m) {
  json out = json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

std::map<std::string, std::string> ReadStringMap(const json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (const auto& [k, v] : j.items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

json PoolRecord(const NodePool& p) {
  json j = {{"name", p.name},
            {"machineType", p.machine_type},
            {"spot", p.spot},
            {"gpuTaint", p.gpu_taint}};
  if (p.replicas) j["replicas"] = *p.replicas;
  if (p.autoscaling)
    j["autoscaling"] = {{"min", p.autoscaling->min},
                        {"max", p.autoscaling->max}};
  if (p.disk_gib) j["diskGiB"] = *p.disk_gib;
  if (p.accelerator)
    j["accelerator"] = {{"type", p.accelerator->type},
                        {"count", p.accelerator->count}};
  if (!p.labels.empty()) j["labels"] = StringMap(p.labels);
  if (!p.taints.empty()) {
    json taints = json::array();
    for (const Taint& t : p.taints)
      taints.push_back(
          {{"key", t.key}, {"value", t.value}, {"effect", t.effect}});
    j["taints"] = taints;
  }
  return j;
}

NodePool PoolFromRecord(const json& j) {
  NodePool p;
  p.name = j.value("name", "");
  p.machine_type = j.value("machineType", "");
  p.spot = j.value("spot", false);
  p.gpu_taint = j.value("gpuTaint", true);
  if (j.contains("autoscaling")) {
    const json& a = j["autoscaling"];
    p.autoscaling = Autoscaling{a.value("min", 0), a.value("max", 0)};
  } else {
    p.replicas = j.value("replicas", 0);
  }
  if (j.contains("diskGiB")) p.disk_gib = j.value("diskGiB", 0);
  if (j.contains("accelerator")) {
    const json& a = j["accelerator"];
    p.accelerator = Accelerator{a.value("type", ""), a.value("count", 0)};
  }
  p.labels = ReadStringMap(j.value("labels", json::object()));
  for (const json& t : j.value("taints", json::array())) {
    if (t.is_object())
      p.taints.push_back(
          {t.value("key", ""), t.value("value", ""), t.value("effect", "")});
  }
  return p;
}

std::string ReplicasText(const NodePool& p) {
  if (p.autoscaling)
    return std::to_string(p.autoscaling->min) + "-" +
           std::to_string(p.autoscaling->max) + " (autoscaled)";
  return std::to_string(p.replicas.value_or(0));
}

std::string TtlText(const Ttl& ttl) {
  switch (ttl.kind) {
    case TtlKind::kNone:
      return kNone;
    case TtlKind::kNever:
      return "never";
    case TtlKind::kDuration:
      return ttl.text;
    case TtlKind::kExpiresAt:
      return "expiresAt " + ttl.text;
  }
  return kNone;
}

void PoolFields(const NodePool& p, std::map<std::string, std::string>* out) {
  const std::string k = p.name + ".";
  (*out)[k + "machineType"] = p.machine_type;
  (*out)[k + "replicas"] = ReplicasText(p);
  if (p.spot) (*out)[k + "spot"] = "true";
  if (p.disk_gib) (*out)[k + "diskGiB"] = std::to_string(*p.disk_gib);
  if (p.accelerator)
    (*out)[k + "gpus"] = std::to_string(p.accelerator->count) + " x " +
                         p.accelerator->type + " per node";
  if (!p.gpu_taint) (*out)[k + "gpuTaint"] = "false";
  for (const auto& [key, value] : p.labels) (*out)[k + "labels." + key] = value;
  std::string taints;
  for (const Taint& t : p.taints) {
    if (!taints.empty()) taints += ",";
    taints += t.key + (t.value.empty() ? "" : "=" + t.value) + ":" + t.effect;
  }
  if (!taints.empty()) (*out)[k + "taints"] = taints;
}

// "g5.2xlarge x 2, 1 x nvidia-a10g per node".
std::string PoolSummary(const NodePool& p) {
  std::string s = p.machine_type + " x " + ReplicasText(p);
  if (p.accelerator)
    s += ", " + std::to_string(p.accelerator->count) + " x " +
         p.accelerator->type + " per node";
  if (p.spot) s += ", spot";
  return s;
}

const NodePool* FindPool(const ClusterRequest& req, const std::string& name) {
  for (const NodePool& p : req.node_pools) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace

json SpecRecord(const ClusterRequest& req) {
  json pools = json::array();
  for (const NodePool& p : req.node_pools) pools.push_back(PoolRecord(p));
  json j = {{"owner", req.owner},
            {"provider", ProviderName(req.provider)},
            {"region", req.region},
            {"zone", req.zone},
            {"kubernetesVersion", req.kubernetes_version},
            {"controlPlane",
             {{"replicas", req.control_plane.replicas},
              {"machineType", req.control_plane.machine_type}}},
            {"nodePools", pools},
            {"ttl", req.ttl.text},
            {"deletionProtection", req.deletion_protection}};
  if (req.ttl.kind == TtlKind::kExpiresAt) j["expiresAt"] = req.ttl.expires_at;
  if (req.ttl.kind == TtlKind::kDuration) j["ttlSeconds"] = req.ttl.seconds;
  if (!req.labels.empty()) j["labels"] = StringMap(req.labels);
  // Only when set, so records of clusters that never hibernate stay as
  // they were.
  if (req.hibernate) j["hibernate"] = true;
  return j;
}

std::optional<ClusterRequest> RequestFromRecord(const json& record) {
  if (!record.is_object() || !record.contains("provider") ||
      !record.value("nodePools", json()).is_array()) {
    return std::nullopt;
  }
  // Types are checked by json's value(): a wrong type throws, and a record
  // that does not decode is reported as unknown rather than half-read.
  try {
    ClusterRequest req;
    std::optional<Provider> provider =
        ParseProvider(record.value("provider", ""));
    if (!provider) return std::nullopt;
    req.provider = *provider;
    req.owner = record.value("owner", "");
    req.region = record.value("region", "");
    req.zone = record.value("zone", "");
    req.kubernetes_version = record.value("kubernetesVersion", "");
    json cp = record.value("controlPlane", json::object());
    req.control_plane.replicas = cp.value("replicas", 1);
    req.control_plane.machine_type = cp.value("machineType", "");
    for (const json& p : record["nodePools"]) {
      if (p.is_object()) req.node_pools.push_back(PoolFromRecord(p));
    }
    req.ttl.text = record.value("ttl", "");
    if (record.contains("expiresAt")) {
      req.ttl.kind = TtlKind::kExpiresAt;
      req.ttl.expires_at = record.value("expiresAt", int64_t{0});
    } else if (record.contains("ttlSeconds")) {
      req.ttl.kind = TtlKind::kDuration;
      req.ttl.seconds = record.value("ttlSeconds", int64_t{0});
    } else if (req.ttl.text == "never") {
      req.ttl.kind = TtlKind::kNever;
    }
    req.deletion_protection = record.value("deletionProtection", false);
    req.hibernate = record.value("hibernate", false);
    req.labels = ReadStringMap(record.value("labels", json::object()));
    return req;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::string SpecChange::ToString() const {
  return field + " " + before + " → " + after;
}

std::map<std::string, std::string> SpecFields(const ClusterRequest& req) {
  std::map<std::string, std::string> f;
  f["provider"] = ProviderName(req.provider);
  f["region"] = req.region;
  if (!req.zone.empty()) f["zone"] = req.zone;
  f["owner"] = req.owner;
  f["kubernetesVersion"] = req.kubernetes_version;
  f["controlPlane.replicas"] = std::to_string(req.control_plane.replicas);
  f["controlPlane.machineType"] = req.control_plane.machine_type;
  f["ttl"] = TtlText(req.ttl);
  f["deletionProtection"] = req.deletion_protection ? "true" : "false";
  f["hibernate"] =
      req.hibernate ? "true (hibernated: GPU pools scaled to zero)" : "false";
  for (const auto& [k, v] : req.labels) f["labels." + k] = v;
  for (const NodePool& p : req.node_pools) PoolFields(p, &f);
  return f;
}

std::vector<SpecChange> DiffSpecs(const ClusterRequest& before,
                                  const ClusterRequest& after) {
  std::vector<SpecChange> out;
  // Pools on one side only: one line each, not one per field.
  std::set<std::string> only;
  for (const NodePool& p : before.node_pools) {
    if (FindPool(after, p.name) == nullptr) {
      only.insert(p.name);
      out.push_back({"pool " + p.name, PoolSummary(p), "removed"});
    }
  }
  for (const NodePool& p : after.node_pools) {
    if (FindPool(before, p.name) == nullptr) {
      only.insert(p.name);
      out.push_back({"pool " + p.name, kNone, "added: " + PoolSummary(p)});
    }
  }
  std::map<std::string, std::string> b = SpecFields(before);
  std::map<std::string, std::string> a = SpecFields(after);
  std::set<std::string> keys;
  for (const auto& [k, v] : b) keys.insert(k);
  for (const auto& [k, v] : a) keys.insert(k);
  for (const std::string& k : keys) {
    size_t dot = k.find('.');
    if (dot != std::string::npos && only.count(k.substr(0, dot))) continue;
    auto bi = b.find(k);
    auto ai = a.find(k);
    std::string bv = bi == b.end() ? kNone : bi->second;
    std::string av = ai == a.end() ? kNone : ai->second;
    if (bv != av) out.push_back({k, bv, av});
  }
  return out;
}

}  // namespace capigitops
