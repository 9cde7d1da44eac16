// The notification phase of a pass, after status: decide per cluster which
// lifecycle notifications are due (writeback's DecideNotifications), deliver
// them to capi-gitops.yaml's webhooks, and record each delivery on the live
// Cluster (kNotifiedAnnotation, its own field manager) so that neither the
// next pass nor a restarted or new leader sends it again. A failed delivery
// is not recorded: the next pass tries again. The webhook URLs come from
// Secrets and appear in no note, log line or file.
#include <set>

#include "capigitops/duration.h"
#include "capigitops/labels.h"
#include "reconcile/reconciler.h"
#include "util/base64.h"

namespace capigitops {
namespace {

using nlohmann::json;

constexpr char kNotifyClusterApiVersion[] = "cluster.x-k8s.io/v1beta2";

std::string NotifiedAnnotation(const json& cluster) {
  const json ann = cluster.value("metadata", json::object())
                       .value("annotations", json::object());
  if (!ann.is_object()) return "";
  auto it = ann.find(kNotifiedAnnotation);
  return it != ann.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

// Webhook name -> URL, for the webhooks whose Secret could be read. One
// note per unreadable Secret, naming the Secret and key, never a value.
std::map<std::string, std::string> Reconciler::WebhookUrls() {
  std::map<std::string, std::string> urls;
  const std::string& ns = options_.notify_namespace;
  StatusOr<ResourceInfo> secrets = deps_.kube->Resolve("v1", "Secret");
  if (!secrets.ok()) {
    Note("error: notifications: " + secrets.status().message(), true);
    return urls;
  }
  std::map<std::string, StatusOr<json>> read;  // each Secret once
  for (const NotificationWebhook& hook :
       ev_.repo.config.notifications.webhooks) {
    auto it = read.find(hook.secret_name);
    if (it == read.end()) {
      it = read.emplace(hook.secret_name,
                        deps_.kube->Get(*secrets, ns, hook.secret_name))
               .first;
    }
    std::string what = "Secret " + ns + "/" + hook.secret_name;
    std::string problem;
    if (!it->second.ok()) {
      problem = it->second.status().IsNotFound()
                    ? what + " not found"
                    : "reading " + what + ": " + it->second.status().message();
    } else {
      const json data = it->second->value("data", json::object());
      auto v = data.is_object() ? data.find(hook.secret_key) : data.end();
      std::optional<std::string> url;
      if (v != data.end() && v->is_string()) {
        url = Base64Decode(v->get<std::string>());
      }
      while (
          url && !url->empty() &&
          (url->back() == '\n' || url->back() == '\r' || url->back() == ' ')) {
        url->pop_back();  // `kubectl create secret --from-file` keeps them
      }
      if (!url || url->empty()) {
        problem = what + " has no key " + hook.secret_key;
      } else {
        urls[hook.name] = *url;
      }
    }
    if (!problem.empty()) {
      Note("error: notifications: webhook " + hook.name + ": " + problem +
               "; its notifications wait",
           true);
    }
  }
  return urls;
}

NotifyInput Reconciler::NotifyInputFor(const ClusterResult& c,
                                       const json& live) {
  const ClusterRequest& req = c.request;
  NotifyInput in;
  in.cluster = req.name;
  in.ns = desired_.ns;
  in.owner = req.owner;
  in.now = options_.now;
  in.lead_times = ev_.repo.config.notifications.lead_times;
  for (const NotificationWebhook& hook :
       ev_.repo.config.notifications.webhooks) {
    in.webhooks.push_back(hook.name);
  }
  in.sent = ParseNotified(NotifiedAnnotation(live));
  auto inv = live_.inventories.find(req.name);
  int64_t created = inv == live_.inventories.end() ? 0 : inv->second.created_at;
  // A duration TTL counts from createdAt: without it there is no expiry
  // to remind of yet.
  if (created > 0 || req.ttl.kind == TtlKind::kExpiresAt) {
    in.ttl = DecideTtl(req, created, options_.now);
  }
  auto idle = idle_.find(req.name);
  if (idle != idle_.end()) in.idle = &idle->second;
  auto w = workload_.find(req.name);
  in.usable = w != workload_.end() && SummarizeUsability(w->second).usable;
  auto phase = result_.phases.find(req.name);
  if (phase != result_.phases.end() && phase->second == "Failed") {
    in.failed = true;
    in.failed_reason = "CAPI reports the cluster Failed";
  }
  for (const ClusterPassResult& r : result_.clusters) {
    if (r.name != req.name || r.outcome != ClusterOutcome::kFailed) continue;
    // An API that did not answer is retried by the next pass: not a failure
    // worth waking someone for.
    if (r.status.transient()) continue;
    in.failed = true;
    in.failed_reason = "applying it failed: " + r.status.message();
  }
  return in;
}

// The record is applied by its own field manager, as the idle clock is:
// the Cluster's apply neither removes nor fights it, and an empty record
// removes the annotation (this manager owned it).
void Reconciler::RecordNotified(const std::string& name, const json& live,
                                const std::vector<std::string>& records) {
  std::string value = FormatNotified(records);
  if (value == NotifiedAnnotation(live)) return;
  json ann = json::object();
  if (!value.empty()) ann[kNotifiedAnnotation] = value;
  json patch = {
      {"apiVersion", kNotifyClusterApiVersion},
      {"kind", "Cluster"},
      {"metadata",
       {{"name", name}, {"namespace", desired_.ns}, {"annotations", ann}}}};
  ApplyOptions options;
  options.field_manager = kNotifyFieldManager;
  StatusOr<json> applied = deps_.kube->Apply(patch, options);
  if (!applied.ok()) {
    // The next pass sends these once more: better twice than never.
    Note("error: " + name +
             ": recording notifications sent: " + applied.status().message(),
         true);
  }
}

void Reconciler::SendNotifications() {
  const NotificationSettings& settings = ev_.repo.config.notifications;
  if (deps_.notifier == nullptr || settings.webhooks.empty()) return;
  std::map<std::string, std::string> urls;
  bool urls_read = false;
  std::set<std::string> down;  // failed this pass: not tried again in it
  for (const ClusterResult& c : ev_.clusters) {
    const std::string& name = c.request.name;
    if (desired_.blocked.count(name) || expired_.count(name)) continue;
    const std::optional<json> l =
        live_.Find(ObjRef{kNotifyClusterApiVersion, "Cluster", name});
    if (!l ||
        l->value("metadata", json::object()).contains("deletionTimestamp")) {
      continue;
    }
    NotifyDecision d = DecideNotifications(NotifyInputFor(c, *l));
    std::vector<std::string> records = d.keep;
    if (!d.due.empty() && !urls_read) {
      urls = WebhookUrls();  // only in a pass that has something to send
      urls_read = true;
    }
    for (const Notification& n : d.due) {
      for (const std::string& hook_name : n.webhooks) {
        auto url = urls.find(hook_name);
        if (url == urls.end() || down.count(hook_name)) continue;
        const NotificationWebhook* hook = nullptr;
        for (const NotificationWebhook& h : settings.webhooks) {
          if (h.name == hook_name) hook = &h;
        }
        std::string body = hook->format == WebhookFormat::kSlack
                               ? SlackPayload(n)
                               : GenericPayload(n);
        Status sent = deps_.notifier->Post(url->second, body);
        std::string what =
            name + ": notification " + NotifyEventName(n.event) +
            (n.lead > 0 ? " (" + FormatDuration(n.lead) + ")" : "") +
            " to webhook " + hook_name;
        if (!sent.ok()) {
          down.insert(hook_name);
          result_.notifications["failed"]++;
          Note("error: " + what + ": " + sent.message() +
                   "; the next pass tries again",
               true);
          continue;
        }
        result_.notifications["sent"]++;
        Note(what + " sent");
        records.push_back(hook_name + "/" + n.key);
        for (const std::string& k : n.covers) {
          records.push_back(hook_name + "/" + k);
        }
      }
    }
    RecordNotified(name, *l, records);
  }
}

}  // namespace capigitops
