// status/<name>.yaml: what the reconciler tells the repository about a
// cluster. Read from the live CAPI v1beta2 Cluster, the request and the TTL
// decision; written in a fixed key order and holding facts only (nothing
// that grows with the clock), so a pass in which nothing happened produces
// the same bytes and commits nothing.
#include <cmath>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "capigitops/duration.h"
#include "capigitops/writeback.h"
#include "capigitops/yaml.h"

namespace capigitops {
namespace {

using Json = nlohmann::json;
// Keys in the order they are written; yaml::Emit alone would sort them.
using Fields = std::vector<std::pair<std::string, Json>>;

constexpr char kHeader[] = "# Written by capi-gitops; do not edit.\n";

// The CAPI v1beta2 conditions worth showing, in the order a reader follows
// a cluster coming up. The rest (ScalingUp, RollingOut...) churn too much.
constexpr const char* kConditionTypes[] = {
    "InfrastructureReady", "ControlPlaneInitialized", "ControlPlaneAvailable",
    "WorkersAvailable", "Available"};

// obj[k1][k2]... or nullptr when any step is missing or not an object.
const Json* Find(const Json& obj, std::initializer_list<const char*> path) {
  const Json* cur = &obj;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string StringAt(const Json& obj, std::initializer_list<const char*> path) {
  const Json* v = Find(obj, path);
  return v && v->is_string() ? v->get<std::string>() : "";
}

// The v1beta2 status block: .status, or .status.v1beta2 when the object was
// read at v1beta1 (CAPI mirrors the new conditions and replicas there).
const Json* V1beta2Status(const Json& cluster) {
  const Json* status = Find(cluster, {"status"});
  if (!status) return nullptr;
  if (StringAt(cluster, {"apiVersion"}) == "cluster.x-k8s.io/v1beta1") {
    return Find(*status, {"v1beta2"});
  }
  return status;
}

const Json* FindCondition(const Json* status, const std::string& type) {
  const Json* conds = status ? Find(*status, {"conditions"}) : nullptr;
  if (!conds || !conds->is_array()) return nullptr;
  for (const Json& c : *conds) {
    if (c.is_object() && StringAt(c, {"type"}) == type) return &c;
  }
  return nullptr;
}

bool ConditionTrue(const Json* status, const std::string& type) {
  const Json* c = FindCondition(status, type);
  return c && StringAt(*c, {"status"}) == "True";
}

// capi.md e: Available=True and the controller has seen the latest spec.
bool IsReady(const Json& live) {
  if (!ConditionTrue(V1beta2Status(live), "Available")) return false;
  const Json* observed = Find(live, {"status", "observedGeneration"});
  if (!observed) return true;
  const Json* generation = Find(live, {"metadata", "generation"});
  return generation && *generation == *observed;
}

// Each condition without lastTransitionTime, which would change the file on
// every flap without saying anything new.
Json Conditions(const Json* status) {
  Json out = Json::array();
  for (const char* type : kConditionTypes) {
    const Json* c = FindCondition(status, type);
    if (!c) continue;
    Json item = {{"type", type}, {"status", StringAt(*c, {"status"})}};
    std::string reason = StringAt(*c, {"reason"});
    if (!reason.empty()) item["reason"] = reason;
    std::string message = StringAt(*c, {"message"});
    if (!message.empty()) item["message"] = message;
    out.push_back(std::move(item));
  }
  return out;
}

// {desired, ready} from .status.controlPlane or .status.workers.
std::optional<Json> Replicas(const Json* status, const char* key) {
  const Json* block = status ? Find(*status, {key}) : nullptr;
  if (!block || !block->is_object()) return std::nullopt;
  auto count = [&](const char* field) {
    const Json* v = Find(*block, {field});
    return v && v->is_number_integer() ? v->get<int64_t>() : 0;
  };
  return Json{{"desired", count("desiredReplicas")},
              {"ready", count("readyReplicas")}};
}

// CAPI writes <cluster>-kubeconfig once the control plane has an endpoint
// and certificates; before that the name would point at nothing.
bool HasKubeconfig(const Json& live) {
  if (StringAt(live, {"status", "phase"}) == "Provisioned") return true;
  const Json* init =
      Find(live, {"status", "initialization", "controlPlaneInitialized"});
  if (init && init->is_boolean() && init->get<bool>()) return true;
  return ConditionTrue(V1beta2Status(live), "ControlPlaneInitialized");
}

void AddLiveFields(const ClusterStatusInput& in, Fields* f) {
  if (!in.live_cluster) {
    f->emplace_back("ready", false);
    return;
  }
  const Json& live = *in.live_cluster;
  const Json* status = V1beta2Status(live);
  f->emplace_back("ready", IsReady(live));
  Json conditions = Conditions(status);
  if (!conditions.empty()) f->emplace_back("conditions", conditions);
  if (auto cp = Replicas(status, "controlPlane")) {
    f->emplace_back("controlPlane", *cp);
  }
  if (auto w = Replicas(status, "workers")) f->emplace_back("workers", *w);
  if (HasKubeconfig(live)) {
    std::string name = StringAt(live, {"metadata", "name"});
    f->emplace_back("kubeconfigSecret",
                    (name.empty() ? in.name : name) + "-kubeconfig");
  }
}

// What the workload cluster showed this pass, and the verdict. Counts are
// left out when the workload API could not be read: unknown, not zero.
void AddWorkloadFields(const WorkloadReading& w, Fields* f) {
  if (w.unreadable.empty()) {
    f->emplace_back("nodes", w.nodes);
    f->emplace_back("readyNodes", w.ready_nodes);
    f->emplace_back("gpusAllocatable", w.gpus_allocatable);
  }
  if (!w.addons.empty()) {
    Json addons = Json::object();
    for (const AddonState& a : w.addons) addons[a.name] = a.state;
    f->emplace_back("addons", addons);
  }
  Usability u = SummarizeUsability(w);
  f->emplace_back("usable", u.usable);
  if (!u.usable) f->emplace_back("usableReason", u.reason);
}

void AddTtlFields(const ClusterStatusInput& in, Fields* f,
                  std::string* kept_reason) {
  const ClusterRequest& req = *in.request;
  if (req.ttl.kind == TtlKind::kNever) {
    f->emplace_back("expiresAt", "never");
    return;
  }
  TtlDecision d = DecideTtl(req, in.created_at, in.now);
  if (!d.has_expiry) return;
  // A duration TTL of a cluster not created yet has no fixed expiry: writing
  // now+ttl would change the file on every pass.
  bool known = req.ttl.kind == TtlKind::kExpiresAt || in.created_at > 0;
  if (known) f->emplace_back("expiresAt", FormatRfc3339(d.expires_at));
  if (req.ttl.kind != TtlKind::kExpiresAt && !req.ttl.text.empty()) {
    f->emplace_back("ttl", req.ttl.text);
  }
  if (d.kept) *kept_reason = d.kept_reason;
}

std::string HourlyCost(const CostEstimate& cost) {
  std::string hourly = FormatMoney(cost.hourly_min);
  if (cost.hourly_max != cost.hourly_min) {
    hourly += "-" + FormatMoney(cost.hourly_max);
  }
  if (!cost.known) {
    std::string missing;
    for (const std::string& m : cost.missing) {
      missing += (missing.empty() ? "" : ", ") + m;
    }
    hourly += " (partial: no price for " + missing + ")";
  }
  return hourly;
}

Fields StatusFields(const ClusterStatusInput& in) {
  Fields f;
  f.emplace_back("phase", DerivePhase(in));
  AddLiveFields(in, &f);
  if (in.workload) AddWorkloadFields(*in.workload, &f);
  if (!in.ns.empty()) f.emplace_back("namespace", in.ns);
  if (!in.applied_revision.empty()) {
    f.emplace_back("appliedRevision", in.applied_revision);
  }
  if (in.created_at > 0) {
    f.emplace_back("createdAt", FormatRfc3339(in.created_at));
  }
  std::string kept_reason;
  if (in.request) {
    AddTtlFields(in, &f, &kept_reason);
    f.emplace_back("provider", ProviderName(in.request->provider));
    if (!in.request->owner.empty()) f.emplace_back("owner", in.request->owner);
  }
  if (!in.request && in.last_known.is_object()) {
    for (const char* key :
         {"expiresAt", "ttl", "provider", "owner", "estimatedCostPerHour"}) {
      auto v = in.last_known.find(key);
      if (v != in.last_known.end() && v->is_string()) f.emplace_back(key, *v);
    }
  }
  if (in.cost) f.emplace_back("estimatedCostPerHour", HourlyCost(*in.cost));
  if (in.idle.is_object() && !in.idle.empty()) f.emplace_back("idle", in.idle);
  std::string reason = in.reason.empty() ? kept_reason : in.reason;
  if (!reason.empty()) f.emplace_back("reason", reason);
  if (!in.held_at_revision.empty()) {
    f.emplace_back("heldAtRevision", in.held_at_revision);
  }
  if (!in.release.empty()) f.emplace_back("release", in.release);
  if (!in.last_error.empty()) f.emplace_back("lastError", in.last_error);
  return f;
}

// Appends `text` with every line indented by `indent` spaces. yaml::Emit
// never writes multi-line scalars, so indenting line by line is safe.
void AppendIndented(const std::string& text, int indent, std::string* out) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    out->append(indent, ' ');
    out->append(text, start, end - start);
    start = end;
  }
}

std::string EmitFields(const Fields& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    if (key == "conditions") {
      // List items in the order given, each starting with its type.
      out += "conditions:\n";
      for (const Json& c : value) {
        Fields item;
        for (const char* k : {"type", "status", "reason", "message"}) {
          if (c.contains(k)) item.emplace_back(k, c[k]);
        }
        std::string text;
        AppendIndented(EmitFields(item), 2, &text);
        text[0] = '-';
        out += text;
      }
      continue;
    }
    out += yaml::Emit(Json{{key, value}});
  }
  return out;
}

}  // namespace

bool ControlPlaneInitialized(const Json& live_cluster) {
  return HasKubeconfig(live_cluster);
}

std::string DerivePhase(const ClusterStatusInput& in) {
  if (!in.phase_override.empty()) return in.phase_override;
  if (!in.live_cluster) return "NotCreated";
  const Json& live = *in.live_cluster;
  if (Find(live, {"metadata", "deletionTimestamp"})) return "Deleting";
  std::string phase = StringAt(live, {"status", "phase"});
  if (phase == "Provisioned" && in.request && in.expiring_window > 0) {
    // A duration TTL counts from createdAt; before it is known there is no
    // fixed expiry to be near.
    bool known =
        in.request->ttl.kind == TtlKind::kExpiresAt || in.created_at > 0;
    TtlDecision d = DecideTtl(*in.request, in.created_at, in.now);
    if (known && ExpiresSoon(d, in.expiring_window)) return "ExpiringSoon";
  }
  return phase.empty() ? "Pending" : phase;
}

std::string FormatExpiresIn(const TtlDecision& d) {
  if (!d.has_expiry) return "";
  if (d.expired) return "expired";
  constexpr int64_t kHour = 3600, kTenMinutes = 600;
  if (d.expires_in >= kHour) {
    return FormatDuration(d.expires_in / kHour * kHour);
  }
  if (d.expires_in >= kTenMinutes) {
    return FormatDuration(d.expires_in / kTenMinutes * kTenMinutes);
  }
  return "under 10m";
}

std::string FormatCostBucket(double amount) {
  if (!(amount > 0)) return "$0";
  double step = amount < 100 ? 1 : 10;
  std::string money = FormatMoney(std::floor(amount / step) * step);
  return money.substr(0, money.size() - 3);  // drop ".00"
}

std::string CostSoFar(const CostEstimate& cost, int64_t created_at,
                      int64_t now) {
  if (created_at <= 0 || now <= created_at) return "";
  double hours = static_cast<double>(now - created_at) / 3600.0;
  std::string so_far = FormatCostBucket(hours * cost.hourly_min);
  // Autoscaled pools may have run above their minimum; unknown prices add
  // to it too. Then the figure is a floor, and says so.
  bool exact = cost.known && cost.hourly_max == cost.hourly_min;
  return exact ? so_far : "at least " + so_far;
}

namespace {

// The TTL decision for output: from the request, else (a broken spec) from
// the expiresAt last committed. *known: the expiry time is fixed.
TtlDecision ClockTtl(const ClusterStatusInput& in, bool* known) {
  *known = false;
  if (in.request) {
    if (in.request->ttl.kind == TtlKind::kNever) return {};
    *known = in.request->ttl.kind == TtlKind::kExpiresAt || in.created_at > 0;
    return DecideTtl(*in.request, in.created_at, in.now);
  }
  TtlDecision d;
  if (!in.last_known.is_object()) return d;
  std::optional<int64_t> at =
      ParseRfc3339(in.last_known.value("expiresAt", std::string()));
  if (!at) return d;
  *known = d.has_expiry = true;
  d.expires_at = *at;
  d.expired = in.now >= *at;
  d.expires_in = d.expired ? 0 : *at - in.now;
  return d;
}

}  // namespace

std::string StatusClock(const ClusterStatusInput& in) {
  std::string out;
  bool known = false;
  TtlDecision d = ClockTtl(in, &known);
  if (d.has_expiry) {
    out = d.expired ? "expired" : "expires in " + FormatExpiresIn(d);
    if (known) out += " (" + FormatRfc3339(d.expires_at) + ")";
  }
  if (in.cost) {
    std::string so_far = CostSoFar(*in.cost, in.created_at, in.now);
    if (!so_far.empty()) {
      out += (out.empty() ? "" : ", ") + so_far + " so far";
    }
  }
  return out;
}

std::string RenderStatusFile(const ClusterStatusInput& in) {
  Json head = {{"apiVersion", "capigitops.io/v1alpha1"},
               {"kind", "ClusterStatus"},
               {"metadata", {{"name", in.name}}}};
  std::string out = kHeader + yaml::Emit(head) + "status:\n";
  AppendIndented(EmitFields(StatusFields(in)), 2, &out);
  return out;
}

}  // namespace capigitops
