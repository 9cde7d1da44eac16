#include "app/plan_output.h"

#include <map>
#include <sstream>

#include "app/report.h"
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
  std::string s = v.is_null() ? "(none)" : v.dump();
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

struct Counts {
  int create = 0, update = 0, remove = 0, blocked = 0, unchanged = 0;
};

Counts CountClusters(const Plan& plan) {
  Counts c;
  for (const ClusterPlan& cp : plan.clusters) {
    switch (cp.action) {
      case ClusterAction::kCreate:
        ++c.create;
        break;
      case ClusterAction::kUpdate:
        ++c.update;
        break;
      case ClusterAction::kDelete:
        ++c.remove;
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
    << " to DELETE, " << c.blocked << " blocked, " << c.unchanged
    << " unchanged";
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

}  // namespace

std::string PlanText(const Plan& plan, const Evaluation& ev, bool color) {
  auto paint = [&](const char* code, const std::string& s) {
    return color ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
  };
  std::ostringstream out;
  out << "Plan for namespace " << plan.ns << "\n\n";
  for (const ClusterPlan& cp : plan.clusters) {
    const ClusterResult* r = Find(ev, cp.name);
    std::string head = std::string(ClusterActionName(cp.action));
    switch (cp.action) {
      case ClusterAction::kCreate:
        head = paint("32", "+ create");
        break;
      case ClusterAction::kUpdate:
        head = paint("33", "~ update");
        break;
      case ClusterAction::kDelete:
        head = paint("1;31", "- DELETE");
        break;
      case ClusterAction::kBlocked:
        head = paint("35", "! blocked");
        break;
      case ClusterAction::kUnchanged:
        head = "= unchanged";
        break;
    }
    out << head << "  " << cp.name;
    if (r != nullptr) {
      out << "  (" << ProviderName(r->request.provider) << ", GPUs " << Gpus(r)
          << ", " << FormatCostSummary(r->cost) << ")";
    }
    out << "\n";
    if (std::string e = Expiry(plan, cp, r); !e.empty())
      out << "    " << e << "\n";
    if (!cp.reason.empty()) out << "    " << cp.reason << "\n";
    if (!cp.error.empty())
      out << "    " << paint("31", "error: " + cp.error) << "\n";
    if (r != nullptr) {
      for (const Verdict& v : r->verdicts)
        out << "    " << v.ToString() << "\n";
    }
    ObjectLines(cp, out, "    ");
  }
  for (const std::string& o : plan.orphans) {
    out << "? not in any inventory (left alone): " << o << "\n";
  }
  if (plan.budget_exceeded)
    out << "\n" << paint("1;31", plan.budget_message) << "\n";
  out << "\n" << SummaryLine(plan) << "\n";
  return out.str();
}

std::string PlanMarkdown(const Plan& plan, const Evaluation& ev) {
  std::ostringstream out;
  out << "<!-- capi-gitops-plan -->\n### capi-gitops plan\n\n";
  Counts c = CountClusters(plan);
  if (c.remove > 0) {
    out << "> [!CAUTION]\n> **" << c.remove << " cluster"
        << (c.remove > 1 ? "s" : "") << " will be DELETED** by this change:";
    for (const ClusterPlan& cp : plan.clusters) {
      if (cp.action == ClusterAction::kDelete) out << " `" << cp.name << "`";
    }
    out << "\n\n";
  }
  if (plan.budget_exceeded)
    out << "> [!WARNING]\n> " << plan.budget_message << "\n\n";
  out << "| Cluster | Action | Provider | GPUs | $/hour | $ over TTL | Expiry "
         "| "
         "Policy |\n"
         "|---|---|---|---|---|---|---|---|\n";
  for (const ClusterPlan& cp : plan.clusters) {
    const ClusterResult* r = Find(ev, cp.name);
    std::string action = ClusterActionName(cp.action);
    if (cp.action == ClusterAction::kDelete) action = "🗑️ **DELETE**";
    if (cp.action == ClusterAction::kCreate) action = "🆕 create";
    if (cp.action == ClusterAction::kUpdate) action = "✏️ update";
    if (cp.action == ClusterAction::kBlocked) action = "⛔ blocked";
    out << "| `" << cp.name << "` | " << action << " | "
        << (r ? ProviderName(r->request.provider) : "-") << " | " << Gpus(r)
        << " | " << Hourly(r) << " | " << OverTtl(r) << " | "
        << (Expiry(plan, cp, r).empty() ? "-" : Expiry(plan, cp, r)) << " | "
        << VerdictSummary(r) << " |\n";
  }
  out << "\n**" << SummaryLine(plan) << "**\n";
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

json PlanJson(const Plan& plan, const Evaluation& ev) {
  json clusters = json::array();
  for (const ClusterPlan& cp : plan.clusters) {
    const ClusterResult* r = Find(ev, cp.name);
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
    json entry = {
        {"name", cp.name},     {"action", ClusterActionName(cp.action)},
        {"reason", cp.reason}, {"deletionHeld", cp.deletion_held},
        {"error", cp.error},   {"objects", objects}};
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
          {"orphans", plan.orphans},
          {"budgetExceeded", plan.budget_exceeded},
          {"budgetMessage", plan.budget_message},
          {"summary",
           {{"create", c.create},
            {"update", c.update},
            {"delete", c.remove},
            {"blocked", c.blocked},
            {"unchanged", c.unchanged}}},
          {"changes", plan.HasChanges()}};
}

}  // namespace capigitops
