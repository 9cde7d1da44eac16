#include "spec/notifications_decode.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "capigitops/duration.h"
#include "util/k8s_names.h"

namespace capigitops {
namespace {

// A reminder closer than this to the teardown is too late to act on; one
// further away than this is forgotten by then.
constexpr int64_t kMinLeadTime = 5 * 60;
constexpr int64_t kMaxLeadTime = 30 * 24 * 3600;

// Secret data keys: alphanumerics, '-', '_' and '.'.
bool IsSecretKey(const std::string& key) {
  if (key.empty() || key.size() > 253) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
           c == '_' || c == '.';
  });
}

void DecodeWebhook(const yaml::Node& node, const std::string& path,
                   DecodeContext* ctx, NotificationWebhook* out) {
  if (!node.IsMap()) {
    ctx->Error(node.mark, path,
               "expected {name, type: slack|generic, secretRef: {name, "
               "key}}, got " +
                   node.Describe());
    return;
  }
  FieldReader r(&node, path, ctx);
  if (node.Find("url") != nullptr) {
    // Never echo it: the URL is the credential.
    r.Known("url");
    ctx->Error(node.Find("url")->mark, r.Field("url"),
               "a webhook URL is a secret: put it in a Secret in the "
               "controller's namespace and name it in secretRef: {name, key}");
  }
  if (r.String("name", &out->name, true, "e.g. name: ml-slack") &&
      !IsDns1123Label(out->name)) {
    ctx->Error(node.Find("name")->mark, r.Field("name"),
               "\"" + out->name +
                   "\" is not a valid name: lower-case letters, digits and "
                   "'-', e.g. ml-slack");
  }
  std::string type;
  if (r.String("type", &type, true, "slack or generic")) {
    if (type == "slack") {
      out->format = WebhookFormat::kSlack;
    } else if (type == "generic") {
      out->format = WebhookFormat::kGeneric;
    } else {
      ctx->Error(node.Find("type")->mark, r.Field("type"),
                 "unsupported value \"" + type + "\": use slack or generic");
    }
  }
  const yaml::Node* ref = r.Child("secretRef");
  if (ref == nullptr) {
    const yaml::Node* at = node.Find("secretRef");
    ctx->Error(at ? at->mark : node.mark, r.Field("secretRef"),
               "required field is missing: e.g. secretRef: {name: "
               "capi-gitops-notifications, key: slack-url}");
  }
  FieldReader sr(ref, r.Field("secretRef"), ctx);
  if (sr.String("name", &out->secret_name, ref != nullptr) &&
      !IsDns1123Subdomain(out->secret_name)) {
    ctx->Error(ref->Find("name")->mark, sr.Field("name"),
               "\"" + out->secret_name + "\" is not a Secret name");
  }
  if (sr.String("key", &out->secret_key, ref != nullptr) &&
      !IsSecretKey(out->secret_key)) {
    ctx->Error(ref->Find("key")->mark, sr.Field("key"),
               "\"" + out->secret_key +
                   "\" is not a Secret data key (letters, digits, '-', '_', "
                   "'.')");
  }
  sr.Finish();
  r.Finish();
}

void DecodeLeadTimes(const yaml::Node& list, const std::string& path,
                     DecodeContext* ctx, std::vector<int64_t>* out) {
  out->clear();
  if (!list.IsSeq()) {
    ctx->Error(
        list.mark, path,
        "expected a list of durations, e.g. [2h, 30m], got " + list.Describe());
    return;
  }
  std::set<int64_t> seen;
  for (size_t i = 0; i < list.seq.size(); ++i) {
    const yaml::Node& item = list.seq[i];
    std::string at = path + "[" + std::to_string(i) + "]";
    std::optional<std::string> text = FieldReader::ScalarString(item);
    std::optional<int64_t> secs = text ? ParseDuration(*text) : std::nullopt;
    if (!secs) {
      ctx->Error(item.mark, at,
                 "expected a duration such as 2h or 30m, got " +
                     (text ? "\"" + *text + "\"" : item.Describe()));
      continue;
    }
    if (*secs < kMinLeadTime || *secs > kMaxLeadTime) {
      ctx->Error(item.mark, at,
                 *text + " is outside " + FormatDuration(kMinLeadTime) +
                     " to " + FormatDuration(kMaxLeadTime));
      continue;
    }
    if (!seen.insert(*secs).second) {
      ctx->Error(item.mark, at, *text + " is listed twice");
      continue;
    }
    out->push_back(*secs);
  }
  std::sort(out->begin(), out->end(), std::greater<int64_t>());
}

}  // namespace

const char* WebhookFormatName(WebhookFormat f) {
  return f == WebhookFormat::kSlack ? "slack" : "generic";
}

void DecodeNotifications(const yaml::Node& node, DecodeContext* ctx,
                         NotificationSettings* out) {
  FieldReader r(&node, "notifications", ctx);
  if (!r.ok()) return;
  if (const yaml::Node* lead = r.Child("leadTimes")) {
    DecodeLeadTimes(*lead, r.Field("leadTimes"), ctx, &out->lead_times);
  }
  if (const yaml::Node* hooks = r.Child("webhooks")) {
    if (!hooks->IsSeq()) {
      ctx->Error(hooks->mark, r.Field("webhooks"),
                 "expected a list of webhooks, got " + hooks->Describe());
    } else {
      std::set<std::string> names;
      for (size_t i = 0; i < hooks->seq.size(); ++i) {
        std::string at = r.Field("webhooks") + "[" + std::to_string(i) + "]";
        NotificationWebhook hook;
        DecodeWebhook(hooks->seq[i], at, ctx, &hook);
        if (!hook.name.empty() && !names.insert(hook.name).second) {
          ctx->Error(hooks->seq[i].mark, at + ".name",
                     "\"" + hook.name + "\" is the name of another webhook");
        }
        out->webhooks.push_back(std::move(hook));
      }
    }
  }
  r.Finish();
}

}  // namespace capigitops
