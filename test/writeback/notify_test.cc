// The decision table of lifecycle notifications (DecideNotifications) and
// their bodies.
#include <gtest/gtest.h>

#include "capigitops/duration.h"
#include "capigitops/json.h"
#include "capigitops/writeback.h"

namespace capigitops {
namespace {

constexpr int64_t kH = 3600;
const int64_t kExpiry = *ParseRfc3339("2026-12-03T18:00:00Z");

NotifyInput Input(int64_t left, std::vector<std::string> sent = {}) {
  NotifyInput in;
  in.cluster = "llm-train";
  in.ns = "capi-clusters";
  in.owner = "ml-research";
  in.now = kExpiry - left;
  in.ttl.has_expiry = true;
  in.ttl.expires_at = kExpiry;
  in.ttl.expired = left <= 0;
  in.ttl.expires_in = left > 0 ? left : 0;
  in.lead_times = {2 * kH, 30 * 60};
  in.webhooks = {"slack"};
  in.sent = std::move(sent);
  return in;
}

// "event key -> webhooks" of what is due.
std::vector<std::string> Due(const NotifyDecision& d) {
  std::vector<std::string> out;
  for (const Notification& n : d.due) {
    std::string hooks;
    for (const std::string& h : n.webhooks)
      hooks += (hooks.empty() ? "" : ",") + h;
    out.push_back(n.key + " -> " + hooks);
  }
  return out;
}

using V = std::vector<std::string>;

TEST(NotifyTest, ExpiryRemindersOncePerLeadTime) {
  const std::string k2h = "expiring-2h@2026-12-03T18:00:00Z";
  const std::string k30 = "expiring-30m@2026-12-03T18:00:00Z";
  struct Row {
    int64_t left;
    V sent;
    V due;
  };
  const Row table[] = {
      {3 * kH, {}, {}},                                  // not yet
      {2 * kH, {}, {k2h + " -> slack"}},                 // at the lead time
      {90 * 60, {"slack/" + k2h}, {}},                   // sent already
      {30 * 60, {"slack/" + k2h}, {k30 + " -> slack"}},  // the next one
      {10 * 60, {"slack/" + k2h, "slack/" + k30}, {}},   // both sent
      {20 * 60, {}, {k30 + " -> slack"}},                // only the nearest
      {0, {}, {}},                                       // expired: teardown
  };
  for (const Row& row : table) {
    NotifyDecision d = DecideNotifications(Input(row.left, row.sent));
    EXPECT_EQ(Due(d), row.due) << "left " << row.left;
    EXPECT_EQ(d.keep, row.left > 0 ? row.sent : V{}) << "left " << row.left;
  }
  // The nearest reminder stands for the ones it skipped.
  NotifyDecision d = DecideNotifications(Input(20 * 60));
  ASSERT_EQ(d.due.size(), 1u);
  EXPECT_EQ(d.due[0].covers, V{k2h});
  EXPECT_EQ(d.due[0].lead, 30 * 60);
  EXPECT_EQ(d.due[0].at, kExpiry);
  EXPECT_EQ(d.due[0].event, NotifyEvent::kExpiring);
}

TEST(NotifyTest, AMovedExpiryStartsRemindersAnew) {
  // Extended by 6h after the 2h reminder: the old record goes, and the new
  // expiry gets its own reminders when they are due.
  NotifyInput in = Input(7 * kH, {"slack/expiring-2h@2026-12-03T12:00:00Z"});
  NotifyDecision d = DecideNotifications(in);
  EXPECT_TRUE(d.due.empty());
  EXPECT_TRUE(d.keep.empty());
}

TEST(NotifyTest, EachWebhookGetsWhatItHasNotHad) {
  NotifyInput in = Input(
      kH, {"slack/expiring-2h@2026-12-03T18:00:00Z", "gone/usable", "junk"});
  in.webhooks = {"slack", "ops"};
  NotifyDecision d = DecideNotifications(in);
  EXPECT_EQ(Due(d), V{"expiring-2h@2026-12-03T18:00:00Z -> ops"});
  // A webhook no longer configured and unknown records are dropped.
  EXPECT_EQ(d.keep, V{"slack/expiring-2h@2026-12-03T18:00:00Z"});
}

TEST(NotifyTest, KeptOrNoExpiryHasNoReminders) {
  NotifyInput in = Input(kH);
  in.ttl.kept = true;
  EXPECT_TRUE(DecideNotifications(in).due.empty());
  in = Input(kH);
  in.ttl = TtlDecision{};
  EXPECT_TRUE(DecideNotifications(in).due.empty());
}

TEST(NotifyTest, IdleTeardownWithinALeadTime) {
  NotifyInput in = Input(100 * kH);  // the TTL is far away
  IdleDecision idle;
  idle.state = "idle";
  idle.idle_since = in.now - 10 * 60;
  idle.next = IdleStep::kTeardown;
  idle.acts_at = in.now + 20 * 60;
  in.idle = &idle;
  NotifyDecision d = DecideNotifications(in);
  ASSERT_EQ(d.due.size(), 1u);
  EXPECT_EQ(d.due[0].event, NotifyEvent::kIdle);
  EXPECT_EQ(d.due[0].key, "idle-30m@" + FormatRfc3339(idle.acts_at));
  EXPECT_NE(d.due[0].reason.find("torn down at"), std::string::npos)
      << d.due[0].reason;
  // Sent: nothing more; the record stays while this idle period lasts.
  in.sent = {"slack/" + d.due[0].key};
  d = DecideNotifications(in);
  EXPECT_TRUE(d.due.empty());
  EXPECT_EQ(d.keep, in.sent);
  // Busy again: the clock stops and the record goes.
  idle.next = IdleStep::kNone;
  idle.acts_at = 0;
  d = DecideNotifications(in);
  EXPECT_TRUE(d.due.empty());
  EXPECT_TRUE(d.keep.empty());
  // Hibernation is announced the same way.
  idle.next = IdleStep::kHibernate;
  idle.acts_at = in.now + kH;
  d = DecideNotifications(in);
  ASSERT_EQ(d.due.size(), 1u);
  EXPECT_TRUE(d.due[0].hibernate);
  EXPECT_NE(d.due[0].reason.find("hibernated"), std::string::npos);
}

TEST(NotifyTest, UsableOnceAndFailedAgainAfterRecovery) {
  NotifyInput in = Input(100 * kH);
  in.usable = true;
  EXPECT_EQ(Due(DecideNotifications(in)), V{"usable -> slack"});
  in.sent = {"slack/usable"};
  EXPECT_TRUE(DecideNotifications(in).due.empty());
  in.usable = false;  // a flap does not announce it again
  EXPECT_EQ(DecideNotifications(in).keep, V{"slack/usable"});

  in.failed = true;
  in.failed_reason = "CAPI reports the cluster Failed";
  NotifyDecision d = DecideNotifications(in);
  EXPECT_EQ(Due(d), V{"failed -> slack"});
  EXPECT_EQ(d.due[0].reason, "CAPI reports the cluster Failed");
  in.sent = {"slack/usable", "slack/failed"};
  EXPECT_TRUE(DecideNotifications(in).due.empty());
  in.failed = false;  // recovered: the record goes, a new failure is news
  EXPECT_EQ(DecideNotifications(in).keep, V{"slack/usable"});
}

TEST(NotifyTest, AnnotationRoundTrip) {
  EXPECT_EQ(ParseNotified(""), V{});
  EXPECT_EQ(ParseNotified("b/x,,a/y"), (V{"b/x", "a/y"}));
  EXPECT_EQ(FormatNotified({"b/x", "a/y", "b/x"}), "a/y,b/x");
}

TEST(NotifyTest, SlackAndGenericBodies) {
  NotifyDecision d = DecideNotifications(Input(2 * kH));
  ASSERT_EQ(d.due.size(), 1u);
  Notification n = d.due[0];
  n.reason += " <&>";
  StatusOr<nlohmann::json> slack = yaml::ParseJson(SlackPayload(n), "body");
  ASSERT_TRUE(slack.ok());
  ASSERT_EQ(slack->size(), 1u);
  std::string text = (*slack)["text"];
  EXPECT_NE(text.find("*llm-train* (owner ml-research) expires in 2h"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("&lt;&amp;&gt;"), std::string::npos) << text;

  StatusOr<nlohmann::json> generic = yaml::ParseJson(GenericPayload(n), "body");
  ASSERT_TRUE(generic.ok());
  EXPECT_EQ((*generic)["event"], "expiring");
  EXPECT_EQ((*generic)["cluster"], "llm-train");
  EXPECT_EQ((*generic)["namespace"], "capi-clusters");
  EXPECT_EQ((*generic)["owner"], "ml-research");
  EXPECT_EQ((*generic)["expiresAt"], "2026-12-03T18:00:00Z");
  EXPECT_EQ((*generic)["time"], "2026-12-03T16:00:00Z");
  EXPECT_EQ((*generic)["leadTime"], "2h");
  EXPECT_NE((*generic)["reason"].get<std::string>().find("<&>"),
            std::string::npos);

  n.event = NotifyEvent::kUsable;
  n.lead = 0;
  n.at = 0;
  generic = yaml::ParseJson(GenericPayload(n), "body");
  ASSERT_TRUE(generic.ok());
  EXPECT_TRUE((*generic)["expiresAt"].is_null());
  EXPECT_TRUE((*generic)["leadTime"].is_null());
}

}  // namespace
}  // namespace capigitops
