// capi-gitops.yaml's notifications block: webhooks with their Secret, lead
// times, and the file:line errors of what is wrong with them.
#include <gtest/gtest.h>

#include "capigitops/config.h"
#include "capigitops/loader.h"

namespace capigitops {
namespace {

constexpr char kHead[] =
    "apiVersion: capigitops.io/v1alpha1\n"
    "kind: RepoConfig\n";

bool Load(const std::string& body, RepoConfig* config, Diagnostics* diags) {
  return LoadRepoConfig("capi-gitops.yaml", kHead + body, config, diags);
}

std::string Errors(const Diagnostics& diags) {
  std::string out;
  for (const Diagnostic& d : diags) out += d.ToString() + "\n";
  return out;
}

TEST(NotificationsSpecTest, DefaultsWithoutTheBlock) {
  RepoConfig config;
  Diagnostics diags;
  ASSERT_TRUE(Load("", &config, &diags)) << Errors(diags);
  EXPECT_TRUE(config.notifications.webhooks.empty());
  EXPECT_EQ(config.notifications.lead_times,
            (std::vector<int64_t>{7200, 1800}));
}

TEST(NotificationsSpecTest, WebhooksAndLeadTimesLongestFirst) {
  RepoConfig config;
  Diagnostics diags;
  ASSERT_TRUE(
      Load("notifications:\n"
           "  leadTimes: [30m, 1d, 2h]\n"
           "  webhooks:\n"
           "  - name: ml-slack\n"
           "    type: slack\n"
           "    secretRef: {name: capi-gitops-notifications, key: "
           "slack-url}\n"
           "  - name: ops\n"
           "    type: generic\n"
           "    secretRef: {name: ops-hook, key: url}\n",
           &config, &diags))
      << Errors(diags);
  const NotificationSettings& n = config.notifications;
  EXPECT_EQ(n.lead_times, (std::vector<int64_t>{86400, 7200, 1800}));
  ASSERT_EQ(n.webhooks.size(), 2u);
  EXPECT_EQ(n.webhooks[0].name, "ml-slack");
  EXPECT_EQ(n.webhooks[0].format, WebhookFormat::kSlack);
  EXPECT_EQ(n.webhooks[0].secret_name, "capi-gitops-notifications");
  EXPECT_EQ(n.webhooks[0].secret_key, "slack-url");
  EXPECT_EQ(n.webhooks[1].format, WebhookFormat::kGeneric);
  EXPECT_STREQ(WebhookFormatName(n.webhooks[1].format), "generic");
}

TEST(NotificationsSpecTest, AnEmptyLeadTimeListSendsNoReminders) {
  RepoConfig config;
  Diagnostics diags;
  ASSERT_TRUE(Load("notifications: {leadTimes: []}\n", &config, &diags));
  EXPECT_TRUE(config.notifications.lead_times.empty());
}

TEST(NotificationsSpecTest, ErrorsNameFileLineAndField) {
  struct Case {
    std::string body;
    std::string want;  // in the error text
  };
  const Case cases[] = {
      {"notifications:\n  webhooks:\n  - name: a\n    type: teams\n"
       "    secretRef: {name: s, key: k}\n",
       "capi-gitops.yaml:6:11: notifications.webhooks[0].type: unsupported "
       "value \"teams\""},
      {"notifications:\n  webhooks:\n  - name: a\n    type: slack\n",
       "notifications.webhooks[0].secretRef: required field is missing"},
      {"notifications:\n  webhooks:\n  - {name: a, type: slack, secretRef: "
       "{name: s}}\n",
       "notifications.webhooks[0].secretRef.key: required field is missing"},
      {"notifications:\n  webhooks:\n  - {name: Bad_Name, type: slack, "
       "secretRef: {name: s, key: k}}\n",
       "is not a valid name"},
      {"notifications:\n  webhooks:\n"
       "  - {name: a, type: slack, secretRef: {name: s, key: k}}\n"
       "  - {name: a, type: generic, secretRef: {name: s, key: k2}}\n",
       "capi-gitops.yaml:6:5: notifications.webhooks[1].name: \"a\" is the "
       "name of another webhook"},
      {"notifications: {leadTimes: [2h, soon]}\n",
       "capi-gitops.yaml:3:33: notifications.leadTimes[1]: expected a "
       "duration"},
      {"notifications: {leadTimes: [1m]}\n", "is outside 5m to 30d"},
      {"notifications: {leadTimes: [2h, 120m]}\n", "is listed twice"},
      {"notifications: {leadTimez: [2h]}\n",
       "unknown field \"leadTimez\"; did you mean \"leadTimes\"?"},
      {"notifications:\n  webhooks: {name: a}\n", "expected a list"},
  };
  for (const Case& c : cases) {
    RepoConfig config;
    Diagnostics diags;
    EXPECT_FALSE(Load(c.body, &config, &diags)) << c.body;
    EXPECT_NE(Errors(diags).find(c.want), std::string::npos) << c.body << "\n"
                                                             << Errors(diags);
  }
}

TEST(NotificationsSpecTest, AUrlInTheFileIsRefusedWithoutEchoingIt) {
  RepoConfig config;
  Diagnostics diags;
  EXPECT_FALSE(
      Load("notifications:\n  webhooks:\n"
           "  - name: a\n    type: slack\n"
           "    url: https://hooks.slack.com/services/T0/B0/SECRET\n"
           "    secretRef: {name: s, key: k}\n",
           &config, &diags));
  std::string errors = Errors(diags);
  EXPECT_NE(errors.find("capi-gitops.yaml:7:10: notifications.webhooks[0].url:"
                        " a webhook URL is a secret"),
            std::string::npos)
      << errors;
  EXPECT_EQ(errors.find("SECRET"), std::string::npos) << errors;
  EXPECT_EQ(errors.find("hooks.slack.com"), std::string::npos) << errors;
}

}  // namespace
}  // namespace capigitops
