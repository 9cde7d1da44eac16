// Kubernetes Events (core/v1) on the live Clusters for what a pass did:
// Applied, DeletionHeld and TornDown (TTL or idle), so that `kubectl
// describe cluster` and `kubectl get events` show them beside CAPI's own.
//
// Recorded at the end of the pass from its PassResult, after status: a
// failed event write cannot change what the pass did (it adds a warning
// note). Only changes make events: a pass that applied, held or tore down
// nothing sends no request here.
// Each event's name is a digest of the Cluster's uid, the reason and the
// message, so the same occurrence seen again (a deletion held pass after
// pass, a drift corrected twice at one revision) is the same event: the
// create answers AlreadyExists and only its lastTimestamp is patched, as
// client-go's recorder aggregates. That survives restarts and a new leader,
// since nothing is remembered in memory. RBAC: create and patch on events.
#include <mutex>

#include "capigitops/duration.h"
#include "capigitops/labels.h"
#include "reconcile/reconciler.h"
#include "util/digest.h"

namespace capigitops {
namespace {

using nlohmann::json;

constexpr char kEventFieldManager[] = "capi-gitops-events";
constexpr size_t kMaxMessage = 1024;  // events.k8s.io's limit on a note

struct ClusterEvent {
  std::string cluster;
  std::string type;  // Normal, Warning
  std::string reason;
  std::string message;
};

std::string AppliedMessage(const PassResult& r, const ClusterPassResult& c) {
  std::string msg =
      c.outcome == ClusterOutcome::kCreated ? "created" : "updated";
  if (!r.revision.empty()) msg += " at revision " + r.revision.substr(0, 12);
  msg += ": " + std::to_string(c.counts.created) + " object(s) created, " +
         std::to_string(c.counts.configured) + " configured";
  if (c.counts.deleted > 0) {
    msg += ", " + std::to_string(c.counts.deleted) + " pruned";
  }
  return msg;
}

// What is worth an event: a change, never a cluster left as it was.
// `torn_down`: clusters whose TTL or idle teardown this pass committed.
std::vector<ClusterEvent> EventsOf(
    const PassResult& r, const std::map<std::string, std::string>& torn_down) {
  std::vector<ClusterEvent> out;
  for (const ClusterPassResult& c : r.clusters) {
    switch (c.outcome) {
      case ClusterOutcome::kCreated:
      case ClusterOutcome::kUpdated:
        // An update the server found to be a no-op changed nothing.
        if (c.executed && c.error_count == 0 &&
            c.counts.created + c.counts.configured + c.counts.deleted > 0) {
          out.push_back({c.name, "Normal", "Applied", AppliedMessage(r, c)});
        }
        break;
      case ClusterOutcome::kHeld:
        out.push_back(
            {c.name, "Warning", "DeletionHeld", "deletion held: " + c.reason});
        break;
      case ClusterOutcome::kExpired:
      case ClusterOutcome::kDeleted:
      case ClusterOutcome::kDeleting: {
        // The teardown commit's subject: "ttl: tear down x: expired ..." or
        // "idle: tear down x: ...". A spec removed by hand is no teardown.
        auto t = torn_down.find(c.name);
        if (t != torn_down.end()) {
          out.push_back({c.name, "Normal", "TornDown", t->second});
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}

json EventObject(const ClusterEvent& e, const json& cluster, int64_t now) {
  const json& meta = cluster["metadata"];
  std::string ns = meta.value("namespace", "");
  std::string uid = meta.value("uid", "");
  std::string message = e.message.substr(0, kMaxMessage);
  std::string digest =
      Sha256Hex(uid + "\n" + e.reason + "\n" + message).substr(0, 16);
  std::string stamp = FormatRfc3339(now);
  json involved = {{"apiVersion", cluster.value("apiVersion", "")},
                   {"kind", "Cluster"},
                   {"name", e.cluster},
                   {"namespace", ns}};
  if (!uid.empty()) involved["uid"] = uid;
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", e.cluster + "." + digest}, {"namespace", ns}}},
          {"involvedObject", involved},
          {"type", e.type},
          {"reason", e.reason},
          {"message", message},
          {"source", {{"component", "capi-gitops"}}},
          {"firstTimestamp", stamp},
          {"lastTimestamp", stamp},
          {"count", 1}};
}

// Creates the event; the same occurrence again only moves its
// lastTimestamp.
Status Record(KubeApi& kube, const ResourceInfo& events, const json& event,
              int64_t now) {
  StatusOr<json> created = kube.Create(events, event, {});
  if (created.ok()) return Status::Ok();
  if (created.status().code() != StatusCode::kAlreadyExists) {
    return created.status();
  }
  json patch = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"metadata",
                 {{"name", event["metadata"]["name"]},
                  {"namespace", event["metadata"]["namespace"]}}},
                {"lastTimestamp", FormatRfc3339(now)}};
  ApplyOptions options;
  options.field_manager = kEventFieldManager;
  return kube.Apply(patch, options).status();
}

}  // namespace

// The Clusters of the pass's live state carry the namespace and uid an
// event points at (kubectl describe selects events by uid); a Cluster
// created in this pass is not among them, and only then are the Clusters
// listed again.
void Reconciler::RecordEvents() {
  std::vector<ClusterEvent> pending = EventsOf(result_, expired_);
  if (pending.empty()) return;
  KubeApi& kube = *deps_.kube;
  StatusOr<ResourceInfo> events = kube.Resolve("v1", "Event");
  if (!events.ok()) {
    Note("warning: no events recorded: " + events.status().message());
    return;
  }
  const std::string api_version = "cluster.x-k8s.io/v1beta2";
  std::map<std::string, json> clusters;
  for (const ClusterEvent& e : pending) {
    std::optional<json> l =
        live_.Find(ObjRef{api_version, "Cluster", e.cluster});
    if (l) clusters[e.cluster] = std::move(*l);
  }
  if (clusters.size() < pending.size()) {
    StatusOr<ResourceInfo> r = kube.Resolve(api_version, "Cluster");
    StatusOr<std::vector<json>> listed =
        r.ok() ? kube.List(*r, desired_.ns, kManagedBySelector) : r.status();
    if (listed.ok()) {
      for (json& c : *listed) {
        clusters.emplace(c["metadata"].value("name", ""), std::move(c));
      }
    }
  }
  std::erase_if(pending, [&](const ClusterEvent& e) {
    return !clusters.count(e.cluster);  // never created: nothing to point at
  });
  std::mutex mu;
  std::vector<Status> failed;
  kube.ParallelFor(pending.size(), [&](size_t i) {
    const ClusterEvent& e = pending[i];
    Status s = Record(kube, *events,
                      EventObject(e, clusters.at(e.cluster), options_.now),
                      options_.now);
    std::lock_guard<std::mutex> lock(mu);
    if (!s.ok()) failed.push_back(s);
  });
  if (!failed.empty()) {
    Note("warning: " + std::to_string(failed.size()) + " of " +
         std::to_string(pending.size()) +
         " event(s) not recorded: " + failed.front().message());
  }
}

}  // namespace capigitops
