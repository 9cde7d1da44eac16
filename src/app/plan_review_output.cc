#include "app/plan_review_output.h"

#include <map>
#include <ostream>

#include "app/plan_output.h"
#include "capigitops/duration.h"

namespace capigitops {
namespace {

using nlohmann::json;

const ClusterReview kNoReview;

// "+$2.42", "-$0.50".
std::string SignedMoney(double d) {
  if (d > -0.005 && d < 0.005) return "±$0.00";
  return (d < 0 ? "-" : "+") + FormatMoney(d < 0 ? -d : d);
}

std::string HourlyText(const std::optional<HourlyCost>& c) {
  return c ? c->ToString() + "/hour" : "nothing";
}

constexpr char kBeforeUnknown[] =
    "before spec unknown: the live cluster has no applied-spec record "
    "(applied by an older capi-gitops); only the object diff is shown";

bool BeforeUnknownMatters(const ClusterReview& r) {
  return !r.before_known && (r.action == ClusterAction::kUpdate ||
                             r.action == ClusterAction::kDelete);
}

json HourlyJson(const std::optional<HourlyCost>& c) {
  if (!c) return nullptr;
  return {{"known", c->known}, {"min", c->min}, {"max", c->max}};
}

json TimeJson(const std::optional<int64_t>& t) {
  return t ? json(FormatRfc3339(*t)) : json(nullptr);
}

}  // namespace

const ClusterReview& ReviewOf(const PlanReview& review,
                              const std::string& name) {
  const ClusterReview* r = review.Find(name);
  return r != nullptr ? *r : kNoReview;
}

// "$4.84/hour → $9.68/hour", or "" when the cost does not change.
std::string CostLine(const ClusterReview& r) {
  if (!r.CostChanges()) return "";
  if (!r.before_known) return "unknown → " + HourlyText(r.hourly_after);
  return HourlyText(r.hourly_before) + " → " + HourlyText(r.hourly_after);
}

std::string ExpiryLine(const ClusterReview& r, const std::string& relative) {
  std::string suffix = relative.empty() ? "" : " (" + relative + ")";
  if (r.expiry_moves) {
    auto at = [](const std::optional<int64_t>& t) {
      return t ? FormatExpiry(*t) : std::string("never");
    };
    return "expiry moves from " + at(r.expires_before) + " to " +
           at(r.expires_after) + suffix;
  }
  if (r.expires_after)
    return "expires " + FormatExpiry(*r.expires_after) + suffix;
  return "";
}

// The review lines of one cluster, for text (prefix "    ") and markdown
// (prefix "- ").
std::vector<std::string> ReviewLines(const ClusterReview& r,
                                     const std::string& relative) {
  std::vector<std::string> lines;
  if (BeforeUnknownMatters(r)) lines.push_back(kBeforeUnknown);
  for (const SpecChange& c : r.spec_changes)
    lines.push_back("change: " + c.ToString());
  for (const Replacement& rep : r.replacements)
    lines.push_back("REPLACES: " + rep.ToString());
  if (std::string c = CostLine(r); !c.empty()) lines.push_back("cost: " + c);
  if (std::string e = ExpiryLine(r, relative); !e.empty()) lines.push_back(e);
  return lines;
}

// "+$2.42/hour", "+$0.58 to +$82.58/hour", with a note when incomplete.
std::string CostChangeSummary(const PlanReview& review) {
  std::string s = SignedMoney(review.hourly_change_min);
  if (review.hourly_change_max != review.hourly_change_min)
    s += " to " + SignedMoney(review.hourly_change_max);
  s += "/hour";
  if (!review.complete)
    s += " (incomplete: some clusters' cost or before spec is unknown)";
  return s;
}

void AddReviewJson(const ClusterReview& r, json* entry) {
  json changes = json::array();
  for (const SpecChange& c : r.spec_changes)
    changes.push_back(
        {{"field", c.field}, {"before", c.before}, {"after", c.after}});
  json reps = json::array();
  for (const Replacement& rep : r.replacements) {
    reps.push_back(
        {{"kind", rep.kind == Replacement::kRolling ? "rolling" : "removed"},
         {"scope", rep.scope},
         {"object", rep.object},
         {"machines", rep.machines ? json(*rep.machines) : json(nullptr)},
         {"cause", rep.cause},
         {"text", rep.ToString()}});
  }
  (*entry)["beforeSpecKnown"] = r.before_known;
  (*entry)["specChanges"] = changes;
  (*entry)["replacements"] = reps;
  (*entry)["hourlyBefore"] = HourlyJson(r.hourly_before);
  (*entry)["hourlyAfter"] = HourlyJson(r.hourly_after);
  (*entry)["expiresAtBefore"] = TimeJson(r.expires_before);
  (*entry)["expiresAt"] = TimeJson(r.expires_after);
  (*entry)["expiryMoves"] = r.expiry_moves;
}

// The machines this change replaces, above the table: the costliest
// surprise of a review.
void ReplacementCallout(const Plan& plan, const PlanReview& review,
                        std::ostream& out) {
  std::vector<std::string> lines;
  for (const ClusterPlan& cp : plan.clusters) {
    for (const Replacement& rep : ReviewOf(review, cp.name).replacements)
      lines.push_back("`" + cp.name + "`: " + rep.ToString());
  }
  if (lines.empty()) return;
  out << "> [!WARNING]\n> **Machines will be replaced:**\n";
  for (const std::string& l : lines) out << "> - " << l << "\n";
  out << "\n";
}

PlanReview ReviewFor(const Plan& plan, const Evaluation& ev,
                     const LiveState& live) {
  std::map<std::string, ReviewInput> inputs;
  for (const ClusterResult& c : ev.clusters)
    inputs[c.request.name] = ReviewInput{&c.request, &c.cost};
  return ReviewPlan(plan, inputs, ev.prices, live.objects);
}

}  // namespace capigitops
