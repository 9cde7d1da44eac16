#include "app/plan_output.h"

#include <map>
#include <sstream>

#include "app/plan_review_output.h"
#include "app/report.h"
#include "capigitops/json.h"
#include "capigitops/writeback.h"

namespace capigitops {
namespace {

using nlohmann::json;

const ClusterResult* Find(const Evaluation& ev, const std::string& name) {
  for (const ClusterResult& c : ev.clusters) {
    if (c.request.name == name) return &c;
  }
  return nullptr;
}

std::string Short(const json& v) {
  std::string s = v.is_null() ? "(none)" : yaml::DumpJson(v);
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

// ---- Held deletions: shown as held, never as "will be DELETED".

// A deletion that will not happen: deletionProtection, the deletion budget,
// or errors in capi-gitops.yaml or a policy file.
bool Held(const Plan& plan, const ClusterPlan& cp) {
  return cp.action == ClusterAction::kDelete &&
         (cp.deletion_held || plan.budget_exceeded || !plan.prune_allowed);
}

// Why a held deletion is held, and how to release it.
std::string HeldReason(const Plan& plan, const ClusterPlan& cp) {
  if (cp.deletion_held || !plan.budget_exceeded) return cp.reason;
  return plan.budget_message;
}

std::string HeldRelease(const Plan& plan, const ClusterPlan& cp) {
  if (!plan.prune_allowed) return "fix the errors above; nothing is deleted";
  if (cp.deletion_held) {
    return "set deletionProtection: false in its spec, let it sync, then "
           "remove the spec again";
  }
  return "approve the deletion in approvals.yaml for the revision the "
         "status file names (heldAtRevision; docs/approvals.md)";
}

void HeldText(const Plan& plan, const ClusterPlan& cp, std::ostream& out) {
  out << "    deletion held: " << HeldReason(plan, cp) << "\n"
      << "    to release: " << HeldRelease(plan, cp) << "\n";
}

void HeldMarkdown(const Plan& plan, std::ostream& out) {
  std::string names;
  for (const ClusterPlan& cp : plan.clusters) {
    if (Held(plan, cp)) names += " `" + cp.name + "`";
  }
  if (names.empty()) return;
  out << "> [!IMPORTANT]\n> **Deletion held** (nothing is deleted):" << names
      << "\n";
  for (const ClusterPlan& cp : plan.clusters) {
    if (!Held(plan, cp)) continue;
    out << "> - `" << cp.name << "`: " << HeldReason(plan, cp)
        << ". To release: " << HeldRelease(plan, cp) << "\n";
  }
  out << "\n";
}

void HeldJson(const Plan& plan, const ClusterPlan& cp, json* entry) {
  bool held = Held(plan, cp);
  (*entry)["deletionHeld"] = held;
  if (!held) return;
  (*entry)["heldReason"] = HeldReason(plan, cp);
  (*entry)["release"] = HeldRelease(plan, cp);
}

// The add-ons the Cluster of `cp` will be labelled with, by name.
std::vector<std::string> AddonsOf(const ClusterPlan& cp) {
  std::vector<std::string> out;
  const std::string prefix = kAddonLabelPrefix;
  for (const ObjectChange& oc : cp.objects) {
    if (oc.ref.kind != "Cluster" || !oc.desired.is_object()) continue;
    json labels = oc.desired.value("metadata", json::object())
                      .value("labels", json::object());
    for (const auto& [key, value] : labels.items()) {
      if (key.rfind(prefix, 0) == 0) out.push_back(key.substr(prefix.size()));
    }
  }
  return out;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string s;
  for (const std::string& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

constexpr char kAddonHoldRelease[] =
    "removing the label uninstalls it from the running cluster (its nodes "
    "lose networking or cloud initialization); the live label is kept. To "
    "remove it anyway, run once with --allow-addon-removal";

// Add-on lines of one cluster's block: what it gets, what it loses, what is
// held, and for the catalog which live clusters the change reaches.
void AddonText(const ClusterPlan& cp, std::ostream& out) {
  if (std::vector<std::string> a = AddonsOf(cp); !a.empty())
    out << "    add-ons: " << Joined(a) << "\n";
  if (!cp.addon_removals.empty())
    out << "    add-ons REMOVED (uninstalled): " << Joined(cp.addon_removals)
        << "\n";
  if (!cp.addon_removals_held.empty())
    out << "    add-on removal HELD: " << Joined(cp.addon_removals_held) << ": "
        << kAddonHoldRelease << "\n";
  if (IsCatalogInventory(cp.name)) {
    out << "    reaches " << cp.touched_clusters.size() << " live cluster"
        << (cp.touched_clusters.size() == 1 ? "" : "s")
        << (cp.touched_clusters.empty() ? "" : ": ")
        << Joined(cp.touched_clusters) << "\n";
  }
}

struct Counts {
  int create = 0, update = 0, remove = 0, blocked = 0, unchanged = 0;
  int held = 0;  // deletions that will not happen
};

// The add-on catalog is no cluster: its changes are shown, not counted.
Counts CountClusters(const Plan& plan) {
  Counts c;
  for (const ClusterPlan& cp : plan.clusters) {
    if (IsCatalogInventory(cp.name)) continue;
    switch (cp.action) {
      case ClusterAction::kCreate:
        ++c.create;
        break;
      case ClusterAction::kUpdate:
        ++c.update;
        break;
      case ClusterAction::kDelete:
        ++(Held(plan, cp) ? c.held : c.remove);
        break;
      case ClusterAction::kBlocked:
        ++c.blocked;
        break;
      case ClusterAction::kUnchanged:
        ++c.unchanged;
        break;
    }
  }
  return c;
}

std::string SummaryLine(const Plan& plan) {
  Counts c = CountClusters(plan);
  std::ostringstream s;
  s << c.create << " to create, " << c.update << " to update, " << c.remove
    << " to DELETE, ";
  if (c.held > 0)
    s << c.held << " deletion" << (c.held > 1 ? "s" : "") << " held, ";
  s << c.blocked << " blocked, " << c.unchanged << " unchanged";
  return s.str();
}

const char* Sign(ObjectAction a) {
  switch (a) {
    case ObjectAction::kCreate:
      return "+";
    case ObjectAction::kUpdate:
      return "~";
    case ObjectAction::kDelete:
      return "-";
    default:
      return " ";
  }
}

const std::string kRecordPath =
    std::string("metadata.annotations.") + kAppliedSpecAnnotation;

// The object lines of one cluster, in diff style.
void ObjectLines(const ClusterPlan& cp, std::ostream& out,
                 const std::string& indent) {
  for (const ObjectChange& oc : cp.objects) {
    if (oc.action == ObjectAction::kUnchanged) continue;
    out << indent << Sign(oc.action) << " " << oc.ref.ToString();
    if (cp.action == ClusterAction::kDelete && oc.ref.kind == "Cluster") {
      out << "  (deleted first; the rest once CAPI has removed it)";
    }
    if (oc.action == ObjectAction::kKeep) out << "  (kept: " << oc.note << ")";
    out << "\n";
    for (const FieldChange& fc : oc.changes) {
      // The applied-spec record is a JSON blob: its content is shown as the
      // spec-level "change:" lines instead.
      if (fc.path == kRecordPath) {
        out << indent << "    " << fc.path
            << (fc.before.is_null() ? ": recorded (first time)\n"
                                    : ": updated (see the change lines)\n");
        continue;
      }
      out << indent << "    " << fc.path << ": " << Short(fc.before) << " -> "
          << Short(fc.after) << "\n";
    }
  }
}

std::string Gpus(const ClusterResult* r) {
  if (r == nullptr) return "-";
  int lo = r->request.TotalAccelerators(false),
      hi = r->request.TotalAccelerators(true);
  if (hi == 0) return "0";
  return lo == hi ? std::to_string(hi)
                  : std::to_string(lo) + "-" + std::to_string(hi);
}

std::string Hourly(const ClusterResult* r) {
  if (r == nullptr) return "-";
  if (!r->cost.known) return "unknown";
  std::string s = FormatMoney(r->cost.hourly_min);
  if (r->cost.hourly_max != r->cost.hourly_min)
    s += "-" + FormatMoney(r->cost.hourly_max);
  return s;
}

std::string OverTtl(const ClusterResult* r) {
  if (r == nullptr || !r->cost.known || !r->cost.total_max) return "-";
  return "up to " + FormatMoney(*r->cost.total_max);
}

// "expires in 3h", "EXPIRES in 40m" (within the hour), "expired", or "".
std::string Expiry(const Plan& plan, const ClusterPlan& cp,
                   const ClusterResult* r) {
  if (r == nullptr) return "";
  int64_t created = cp.inventory ? cp.inventory->created_at : 0;
  TtlDecision d = DecideTtl(r->request, created, plan.now);
  if (!d.has_expiry) return "";
  if (d.expired)
    return d.kept ? "expired (kept: deletionProtection)"
                  : "expired: the next pass tears it down";
  std::string in = FormatExpiresIn(d);
  return (ExpiresSoon(d, 3600) ? "EXPIRES SOON: in " : "expires in ") + in;
}

// "in 3h" of a plain "expires in 3h", for the absolute expiry's line; ""
// for warnings (EXPIRES SOON, expired), which keep a line of their own.
std::string PlainRelative(const std::string& expiry) {
  const std::string plain = "expires in ";
  return expiry.rfind(plain, 0) == 0 ? expiry.substr(plain.size() - 3) : "";
}

std::string VerdictSummary(const ClusterResult* r) {
  if (r == nullptr) return "-";
  int deny = 0, warn = 0;
  for (const Verdict& v : r->verdicts) (v.enforce ? deny : warn)++;
  if (deny + warn == 0) return "pass";
  std::string s;
  if (deny) s += "❌ " + std::to_string(deny) + " denied";
  if (warn)
    s += std::string(deny ? ", " : "") + "⚠️ " + std::to_string(warn) +
         " warning" + (warn > 1 ? "s" : "");
  return s;
}

// Unchanged clusters, collapsed into one line; those whose TTL ends soon or
// has ended are named with it.
std::string UnchangedLine(const Plan& plan, const Evaluation& ev,
                          const std::string& quote) {
  std::vector<std::string> names;
  for (const ClusterPlan& cp : plan.clusters) {
    if (cp.action != ClusterAction::kUnchanged || IsCatalogInventory(cp.name))
      continue;
    std::string n = quote + cp.name + quote;
    const ClusterResult* r = Find(ev, cp.name);
    int64_t created = cp.inventory ? cp.inventory->created_at : 0;
    if (r != nullptr) {
      TtlDecision d = DecideTtl(r->request, created, plan.now);
      if (d.has_expiry && (d.expired || ExpiresSoon(d, 3600)))
        n += " (" + Expiry(plan, cp, r) + ")";
    }
    names.push_back(n);
  }
  if (names.empty()) return "";
  std::string s = std::to_string(names.size()) + " unchanged: ";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i == 12) {
      s += ", and " + std::to_string(names.size() - i) + " more";
      break;
    }
    s += (i ? ", " : "") + names[i];
  }
  return s;
}

}  // namespace

std::string PlanText(const Plan& plan, const Evaluation& ev,
                     const PlanReview& review, bool color) {
  auto paint = [&](const char* code, const std::string& s) {
    return color ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
  };
  std::ostringstream out;
  out << "Plan for namespace " << plan.ns << "\n\n";
  for (const ClusterPlan& cp : plan.clusters) {
    if (cp.action == ClusterAction::kUnchanged) continue;
    const ClusterResult* r = Find(ev, cp.name);
    std::string head;
    switch (cp.action) {
      case ClusterAction::kCreate:
        head = paint("32", "+ create");
        break;
      case ClusterAction::kUpdate:
        head = paint("33", "~ update");
        break;
      case ClusterAction::kDelete:
        head = Held(plan, cp) ? paint("1;33", "= deletion HELD")
                              : paint("1;31", "- DELETE");
        break;
      case ClusterAction::kBlocked:
        head = paint("35", "! blocked");
        break;
      case ClusterAction::kUnchanged:
        break;
    }
    out << head << "  " << cp.name;
    if (r != nullptr) {
      out << "  (" << ProviderName(r->request.provider) << ", GPUs " << Gpus(r)
          << ", " << FormatCostSummary(r->cost) << ")";
    }
    out << "\n";
    const ClusterReview& rv = ReviewOf(review, cp.name);
    std::string rel = Expiry(plan, cp, r);
    for (const std::string& line : ReviewLines(rv, PlainRelative(rel))) {
      bool risk = line.rfind("REPLACES", 0) == 0;
      out << "    " << (risk ? paint("1;33", line) : line) << "\n";
    }
    if (!rel.empty() && (PlainRelative(rel).empty() || ExpiryLine(rv).empty()))
      out << "    " << rel << "\n";
    if (Held(plan, cp)) {
      HeldText(plan, cp, out);
    } else if (!cp.reason.empty()) {
      out << "    " << cp.reason << "\n";
    }
    if (!cp.error.empty())
      out << "    " << paint("31", "error: " + cp.error) << "\n";
    if (r != nullptr) {
      for (const Verdict& v : r->verdicts)
        out << "    " << v.ToString() << "\n";
    }
    AddonText(cp, out);
    ObjectLines(cp, out, "    ");
  }
  if (std::string u = UnchangedLine(plan, ev, ""); !u.empty())
    out << "= " << u << "\n";
  // A held add-on removal leaves the cluster unchanged: say so anyway.
  for (const ClusterPlan& cp : plan.clusters) {
    if (cp.action != ClusterAction::kUnchanged ||
        cp.addon_removals_held.empty())
      continue;
    out << paint("1;33", "= add-on removal HELD") << "  " << cp.name << ": "
        << Joined(cp.addon_removals_held) << ": " << kAddonHoldRelease << "\n";
  }
  // Every verdict is still reported, unchanged cluster or not.
  for (const ClusterPlan& cp : plan.clusters) {
    const ClusterResult* r = Find(ev, cp.name);
    if (cp.action != ClusterAction::kUnchanged || r == nullptr) continue;
    for (const Verdict& v : r->verdicts)
      out << "    " << cp.name << ": " << v.ToString() << "\n";
  }
  for (const std::string& o : plan.orphans) {
    out << "? not in any inventory (left alone): " << o << "\n";
  }
  if (plan.budget_exceeded)
    out << "\n" << paint("1;31", plan.budget_message) << "\n";
  out << "\n" << SummaryLine(plan) << "\n";
  if (review.any_cost_change)
    out << "cost change of this plan: " << CostChangeSummary(review) << "\n";
  return out.str();
}

namespace {

std::string ActionCell(ClusterAction a) {
  switch (a) {
    case ClusterAction::kDelete:
      return "🗑️ **DELETE**";
    case ClusterAction::kCreate:
      return "🆕 create";
    case ClusterAction::kUpdate:
      return "✏️ update";
    case ClusterAction::kBlocked:
      return "⛔ blocked";
    default:
      return ClusterActionName(a);
  }
}

// "$1.00 → $2.00", or the current cost when it does not change.
std::string HourlyCell(const ClusterReview& rv, const ClusterResult* r) {
  if (std::string c = CostLine(rv); !c.empty()) return c;
  return Hourly(r);
}

}  // namespace

std::string PlanMarkdown(const Plan& plan, const Evaluation& ev,
                         const PlanReview& review) {
  std::ostringstream out;
  out << "<!-- capi-gitops-plan -->\n### capi-gitops plan\n\n";
  Counts c = CountClusters(plan);
  if (c.remove > 0) {
    out << "> [!CAUTION]\n> **" << c.remove << " cluster"
        << (c.remove > 1 ? "s" : "") << " will be DELETED** by this change:";
    for (const ClusterPlan& cp : plan.clusters) {
      if (cp.action == ClusterAction::kDelete && !Held(plan, cp))
        out << " `" << cp.name << "`";
    }
    out << "\n\n";
  }
  HeldMarkdown(plan, out);
  for (const ClusterPlan& cp : plan.clusters) {
    if (!cp.addon_removals_held.empty()) {
      out << "> [!IMPORTANT]\n> **Add-on removal held** on `" << cp.name
          << "`: " << Joined(cp.addon_removals_held) << ". "
          << kAddonHoldRelease << "\n\n";
    }
    if (!cp.addon_removals.empty()) {
      out << "> [!CAUTION]\n> **Add-ons uninstalled** from `" << cp.name
          << "`: " << Joined(cp.addon_removals) << "\n\n";
    }
    if (IsCatalogInventory(cp.name) && cp.action != ClusterAction::kUnchanged) {
      out << "> [!NOTE]\n> The add-on catalog change reaches "
          << cp.touched_clusters.size() << " live cluster(s)";
      for (const std::string& c : cp.touched_clusters) out << " `" << c << "`";
      out << "\n\n";
    }
  }
  if (plan.budget_exceeded)
    out << "> [!WARNING]\n> " << plan.budget_message << "\n\n";
  ReplacementCallout(plan, review, out);
  if (c.create + c.update + c.remove + c.held + c.blocked > 0) {
    out << "| Cluster | Action | Provider | GPUs | $/hour | $ over TTL | "
           "Expiry | Policy |\n"
           "|---|---|---|---|---|---|---|---|\n";
  }
  for (const ClusterPlan& cp : plan.clusters) {
    if (cp.action == ClusterAction::kUnchanged) continue;
    const ClusterResult* r = Find(ev, cp.name);
    const ClusterReview& rv = ReviewOf(review, cp.name);
    std::string rel = Expiry(plan, cp, r);
    std::string expiry = ExpiryLine(rv, PlainRelative(rel));
    if (!rel.empty() && (PlainRelative(rel).empty() || expiry.empty()))
      expiry += (expiry.empty() ? "" : "; ") + rel;
    std::string action =
        Held(plan, cp) ? "✋ deletion held" : ActionCell(cp.action);
    out << "| `" << cp.name << "` | " << action << " | "
        << (r ? ProviderName(r->request.provider) : "-") << " | " << Gpus(r)
        << " | " << HourlyCell(rv, r) << " | " << OverTtl(r) << " | "
        << (expiry.empty() ? "-" : expiry) << " | " << VerdictSummary(r)
        << " |\n";
  }
  out << "\n**" << SummaryLine(plan) << "**\n";
  if (review.any_cost_change)
    out << "\n**Cost change of this plan:** " << CostChangeSummary(review)
        << "\n";
  if (std::string u = UnchangedLine(plan, ev, "`"); !u.empty())
    out << "\n" << u << "\n";
  for (const ClusterPlan& cp : plan.clusters) {
    const ClusterResult* r = Find(ev, cp.name);
    bool has_verdicts = r != nullptr && !r->verdicts.empty();
    if (cp.action == ClusterAction::kUnchanged && !has_verdicts) continue;
    out << "\n<details><summary><code>" << cp.name
        << "</code>: " << ClusterActionName(cp.action);
    if (cp.action != ClusterAction::kBlocked) {
      out << " (" << cp.Count(ObjectAction::kCreate) << " to create, "
          << cp.Count(ObjectAction::kUpdate) << " to update, "
          << cp.Count(ObjectAction::kDelete) << " to delete)";
    }
    out << "</summary>\n\n";
    std::vector<std::string> review_lines = ReviewLines(
        ReviewOf(review, cp.name), PlainRelative(Expiry(plan, cp, r)));
    for (const std::string& l : review_lines) out << "- " << l << "\n";
    if (!review_lines.empty()) out << "\n";
    if (!cp.reason.empty()) out << cp.reason << "\n\n";
    if (!cp.error.empty()) out << "**Error:** " << cp.error << "\n\n";
    if (has_verdicts) {
      for (const Verdict& v : r->verdicts) out << "- " << v.ToString() << "\n";
      out << "\n";
    }
    std::ostringstream lines;
    ObjectLines(cp, lines, "");
    if (!lines.str().empty()) out << "```diff\n" << lines.str() << "```\n";
    out << "</details>\n";
  }
  return out.str();
}

json PlanJson(const Plan& plan, const Evaluation& ev,
              const PlanReview& review) {
  json clusters = json::array();
  json unchanged = json::array();
  for (const ClusterPlan& cp : plan.clusters) {
    const ClusterResult* r = Find(ev, cp.name);
    if (cp.action == ClusterAction::kUnchanged && !IsCatalogInventory(cp.name))
      unchanged.push_back(cp.name);
    json objects = json::array();
    for (const ObjectChange& oc : cp.objects) {
      json changes = json::array();
      for (const FieldChange& fc : oc.changes) {
        changes.push_back(
            {{"path", fc.path}, {"before", fc.before}, {"after", fc.after}});
      }
      objects.push_back({{"apiVersion", oc.ref.api_version},
                         {"kind", oc.ref.kind},
                         {"name", oc.ref.name},
                         {"action", ObjectActionName(oc.action)},
                         {"changes", changes}});
    }
    json entry = {{"name", cp.name},
                  {"action", ClusterActionName(cp.action)},
                  {"reason", cp.reason},
                  {"error", cp.error},
                  {"objects", objects}};
    HeldJson(plan, cp, &entry);
    entry["addons"] = AddonsOf(cp);
    entry["addonRemovals"] = cp.addon_removals;
    entry["addonRemovalsHeld"] = cp.addon_removals_held;
    if (IsCatalogInventory(cp.name))
      entry["touchedClusters"] = cp.touched_clusters;
    AddReviewJson(ReviewOf(review, cp.name), &entry);
    if (r != nullptr) {
      entry["provider"] = ProviderName(r->request.provider);
      entry["owner"] = r->request.owner;
      entry["gpusMin"] = r->request.TotalAccelerators(false);
      entry["gpusMax"] = r->request.TotalAccelerators(true);
      entry["cost"] = CostToJson(r->cost);
      json verdicts = json::array();
      for (const Verdict& v : r->verdicts) verdicts.push_back(VerdictToJson(v));
      entry["verdicts"] = verdicts;
      int64_t created = cp.inventory ? cp.inventory->created_at : 0;
      TtlDecision d = DecideTtl(r->request, created, plan.now);
      if (d.has_expiry) {
        entry["expiresIn"] = FormatExpiresIn(d);
        entry["expired"] = d.expired;
        entry["expiresSoon"] = ExpiresSoon(d, 3600);
      }
    }
    clusters.push_back(entry);
  }
  Counts c = CountClusters(plan);
  return {{"namespace", plan.ns},
          {"clusters", clusters},
          {"unchanged", unchanged},
          {"orphans", plan.orphans},
          {"budgetExceeded", plan.budget_exceeded},
          {"budgetMessage", plan.budget_message},
          {"summary",
           {{"create", c.create},
            {"update", c.update},
            {"delete", c.remove},
            {"deletionHeld", c.held},
            {"blocked", c.blocked},
            {"unchanged", c.unchanged}}},
          {"costChange",
           {{"hourlyMin", review.hourly_change_min},
            {"hourlyMax", review.hourly_change_max},
            {"complete", review.complete},
            {"text", review.any_cost_change ? CostChangeSummary(review)
                                            : std::string()}}},
          {"changes", plan.HasChanges()}};
}

}  // namespace capigitops
