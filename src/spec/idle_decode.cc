#include "spec/idle_decode.h"

#include "capigitops/duration.h"
#include "util/k8s_names.h"

namespace capigitops {
namespace {

// A duration at `key` of at least `min` seconds; false when absent or bad.
bool ReadIdleDuration(FieldReader& r, const yaml::Node& node,
                      const std::string& key, int64_t min, bool required,
                      DecodeContext* ctx, int64_t* secs, std::string* text) {
  if (!r.String(key, text, required, "e.g. " + key + ": 30m")) return false;
  const yaml::Mark at = node.Find(key)->mark;
  std::optional<int64_t> parsed = ParseDuration(*text);
  if (!parsed) {
    ctx->Error(at, r.Field(key),
               "\"" + *text + "\" is not a duration: use e.g. 30m, 2h or 1d");
    return false;
  }
  if (*parsed < min) {
    ctx->Error(at, r.Field(key),
               *text + " is shorter than the minimum of " +
                   FormatDuration(min) +
                   ": pauses between the steps of one job would count as "
                   "idle");
    return false;
  }
  *secs = *parsed;
  return true;
}

}  // namespace

const char* IdleActionName(IdleAction a) {
  return a == IdleAction::kHibernate ? "hibernate" : "teardown";
}

bool DecodeIdleSpec(const yaml::Node& node, const std::string& path,
                    DecodeContext* ctx, IdleSpec* out,
                    std::vector<std::string>* ignore) {
  size_t before = ctx->diags->size();
  if (!node.IsMap()) {
    ctx->Error(node.mark, path,
               "expected {after: 30m, action: teardown|hibernate}, got " +
                   node.Describe());
    return false;
  }
  FieldReader r(&node, path, ctx);
  // The repo default may name only ignoreNamespaces (no default idle).
  ReadIdleDuration(r, node, "after", kMinIdleAfter, ignore == nullptr, ctx,
                   &out->after, &out->after_text);
  std::string action;
  if (r.String("action", &action)) {
    if (action == "teardown") {
      out->action = IdleAction::kTeardown;
    } else if (action == "hibernate") {
      out->action = IdleAction::kHibernate;
    } else {
      ctx->Error(
          node.Find("action")->mark, r.Field("action"),
          "unsupported value \"" + action + "\": use teardown or hibernate");
    }
  }
  if (ReadIdleDuration(r, node, "teardownAfter", kMinIdleAfter, false, ctx,
                       &out->teardown_after, &out->teardown_after_text) &&
      out->action != IdleAction::kHibernate) {
    ctx->Error(node.Find("teardownAfter")->mark, r.Field("teardownAfter"),
               "teardownAfter only goes with action: hibernate (a teardown "
               "has nothing to wait for)");
  }
  if (ignore != nullptr && r.StringList("ignoreNamespaces", ignore)) {
    const yaml::Node* list = node.Find("ignoreNamespaces");
    for (size_t i = 0; i < ignore->size() && i < list->seq.size(); ++i) {
      if (!IsDnsLabel((*ignore)[i], 63)) {
        ctx->Error(list->seq[i].mark,
                   r.Field("ignoreNamespaces") + "[" + std::to_string(i) + "]",
                   "\"" + (*ignore)[i] + "\" is not a valid namespace name");
      }
    }
  }
  r.Finish();
  return ctx->diags->size() == before;
}

}  // namespace capigitops
