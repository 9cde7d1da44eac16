// Lifecycle notifications: which are due for a cluster, and their bodies.
// Pure: the caller passes what the pass saw and what the live Cluster's
// kNotifiedAnnotation says was sent, and records what it delivered.
#include <algorithm>
#include <map>
#include <set>

#include "capigitops/duration.h"
#include "capigitops/writeback.h"

namespace capigitops {
namespace {

using nlohmann::json;

// "2h", "40m", "under 10m": how long until `at`, rounded down as the status
// clock rounds (FormatExpiresIn).
std::string LeftUntil(int64_t at, int64_t now) {
  TtlDecision d;
  d.has_expiry = true;
  d.expires_at = at;
  d.expired = now >= at;
  d.expires_in = d.expired ? 0 : at - now;
  return FormatExpiresIn(d);
}

std::string ReminderKey(const char* event, int64_t lead, int64_t at) {
  return std::string(event) + "-" + FormatDuration(lead) + "@" +
         FormatRfc3339(at);
}

// The webhook and the event key of a record "<webhook>/<key>".
std::pair<std::string, std::string> SplitRecord(const std::string& record) {
  size_t slash = record.find('/');
  if (slash == std::string::npos) return {"", record};
  return {record.substr(0, slash), record.substr(slash + 1)};
}

// Reminders before `at` (the expiry, the idle action): for each webhook,
// the nearest lead time reached that it has not had yet, unless it had a
// nearer one already. Grouped by key, so a delivery goes once per webhook.
void AddReminders(const NotifyInput& in, const char* event, int64_t at,
                  const Notification& base, const std::set<std::string>& sent,
                  std::vector<Notification>* due) {
  std::vector<int64_t> reached;  // longest first
  for (int64_t lead : in.lead_times) {
    if (at - in.now <= lead) reached.push_back(lead);
  }
  if (reached.empty()) return;
  std::sort(reached.begin(), reached.end(), std::greater<int64_t>());
  const int64_t nearest = reached.back();
  const std::string key = ReminderKey(event, nearest, at);
  std::vector<std::string> covers;
  for (int64_t lead : reached) {
    if (lead != nearest) covers.push_back(ReminderKey(event, lead, at));
  }
  Notification n = base;
  n.key = key;
  n.covers = covers;
  n.lead = nearest;
  n.at = at;
  for (const std::string& hook : in.webhooks) {
    if (!sent.count(hook + "/" + key)) n.webhooks.push_back(hook);
  }
  if (!n.webhooks.empty()) due->push_back(std::move(n));
}

std::string ExpiringReason(const NotifyInput& in) {
  return "its TTL ends at " + FormatRfc3339(in.ttl.expires_at) + " (in " +
         LeftUntil(in.ttl.expires_at, in.now) +
         "); the cluster is torn down then. To keep it longer: capi-gitops "
         "extend " +
         in.cluster + " <duration>, and merge the change";
}

std::string IdleReason(const NotifyInput& in) {
  const IdleDecision& d = *in.idle;
  std::string action = d.next == IdleStep::kHibernate
                           ? "hibernated (its GPU pools scale to zero)"
                           : "torn down";
  std::string since =
      d.idle_since
          ? "no GPU work since " + FormatRfc3339(*d.idle_since)
          : "hibernated since " + FormatRfc3339(d.hibernated_since.value_or(0));
  return since + ": it is " + action + " at " + FormatRfc3339(d.acts_at) +
         " (in " + LeftUntil(d.acts_at, in.now) + ") unless GPU work starts";
}

}  // namespace

const char* NotifyEventName(NotifyEvent e) {
  switch (e) {
    case NotifyEvent::kExpiring:
      return "expiring";
    case NotifyEvent::kIdle:
      return "idle";
    case NotifyEvent::kUsable:
      return "usable";
    case NotifyEvent::kFailed:
      return "failed";
  }
  return "unknown";
}

NotifyDecision DecideNotifications(const NotifyInput& in) {
  NotifyDecision out;
  const std::set<std::string> sent(in.sent.begin(), in.sent.end());
  const std::set<std::string> hooks(in.webhooks.begin(), in.webhooks.end());
  Notification base;
  base.cluster = in.cluster;
  base.ns = in.ns;
  base.owner = in.owner;
  base.time = in.now;

  // What the records may still be about.
  const bool ttl_pending = in.ttl.has_expiry && !in.ttl.expired && !in.ttl.kept;
  const std::string ttl_suffix =
      in.ttl.has_expiry ? "@" + FormatRfc3339(in.ttl.expires_at) : "";
  const bool idle_pending = in.idle != nullptr && in.idle->acts_at > in.now &&
                            !in.idle->kept &&
                            (in.idle->next == IdleStep::kTeardown ||
                             in.idle->next == IdleStep::kHibernate);
  const std::string idle_suffix =
      idle_pending ? "@" + FormatRfc3339(in.idle->acts_at) : "";
  for (const std::string& record : in.sent) {
    auto [hook, key] = SplitRecord(record);
    if (!hooks.count(hook)) continue;
    bool current = key == "usable" || (key == "failed" && in.failed) ||
                   (key.rfind("expiring-", 0) == 0 && !ttl_suffix.empty() &&
                    key.ends_with(ttl_suffix)) ||
                   (key.rfind("idle-", 0) == 0 && !idle_suffix.empty() &&
                    key.ends_with(idle_suffix));
    if (current) out.keep.push_back(record);
  }

  if (ttl_pending) {
    Notification n = base;
    n.event = NotifyEvent::kExpiring;
    n.reason = ExpiringReason(in);
    AddReminders(in, "expiring", in.ttl.expires_at, n, sent, &out.due);
  }
  if (idle_pending) {
    Notification n = base;
    n.event = NotifyEvent::kIdle;
    n.hibernate = in.idle->next == IdleStep::kHibernate;
    n.reason = IdleReason(in);
    AddReminders(in, "idle", in.idle->acts_at, n, sent, &out.due);
  }
  auto once = [&](NotifyEvent event, const char* key, std::string reason) {
    Notification n = base;
    n.event = event;
    n.key = key;
    n.reason = std::move(reason);
    if (in.ttl.has_expiry) n.at = in.ttl.expires_at;
    for (const std::string& hook : in.webhooks) {
      if (!sent.count(hook + "/" + key)) n.webhooks.push_back(hook);
    }
    if (!n.webhooks.empty()) out.due.push_back(std::move(n));
  };
  if (in.usable) {
    once(NotifyEvent::kUsable, "usable",
         "it is usable: nodes Ready and its add-ons delivered. Credentials: "
         "capi-gitops kubeconfig " +
             in.cluster + " -n " + in.ns);
  }
  if (in.failed) once(NotifyEvent::kFailed, "failed", in.failed_reason);
  return out;
}

std::vector<std::string> ParseNotified(const std::string& annotation) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= annotation.size()) {
    size_t comma = annotation.find(',', start);
    if (comma == std::string::npos) comma = annotation.size();
    std::string item = annotation.substr(start, comma - start);
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

std::string FormatNotified(std::vector<std::string> records) {
  std::sort(records.begin(), records.end());
  records.erase(std::unique(records.begin(), records.end()), records.end());
  std::string out;
  for (const std::string& r : records) out += (out.empty() ? "" : ",") + r;
  return out;
}

namespace {

// Slack's mrkdwn treats &, < and > as control characters.
std::string SlackEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Headline(const Notification& n) {
  switch (n.event) {
    case NotifyEvent::kExpiring:
      return "expires in " + FormatDuration(n.lead) + " or less";
    case NotifyEvent::kIdle:
      return std::string(n.hibernate ? "hibernates" : "is torn down") +
             " for idleness in " + FormatDuration(n.lead) + " or less";
    case NotifyEvent::kUsable:
      return "is ready to use";
    case NotifyEvent::kFailed:
      return "failed";
  }
  return "";
}

}  // namespace

std::string SlackPayload(const Notification& n) {
  std::string text =
      "capi-gitops: cluster *" + SlackEscape(n.cluster) + "*" +
      (n.owner.empty() ? "" : " (owner " + SlackEscape(n.owner) + ")") + " " +
      Headline(n) + ": " + SlackEscape(n.reason);
  return json{{"text", text}}.dump(-1, ' ', false,
                                   json::error_handler_t::replace);
}

std::string GenericPayload(const Notification& n) {
  json body = {
      {"event", NotifyEventName(n.event)},
      {"cluster", n.cluster},
      {"namespace", n.ns},
      {"owner", n.owner},
      {"reason", n.reason},
      {"expiresAt", n.at > 0 ? json(FormatRfc3339(n.at)) : json()},
      {"time", FormatRfc3339(n.time)},
      {"leadTime", n.lead > 0 ? json(FormatDuration(n.lead)) : json()}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace capigitops
