// Cost and verdicts as text and JSON, for plans, validate and status files.
#include <cmath>

#include "capigitops/duration.h"
#include "capigitops/policy.h"

namespace capigitops {
namespace {

// Rounded so that JSON shows 82.58, not 82.58000000000001.
double Round4(double v) { return std::round(v * 10000) / 10000; }

std::string Range(double min, double max) {
  if (FormatMoney(min) == FormatMoney(max)) return FormatMoney(max);
  return FormatMoney(min) + " to " + FormatMoney(max);
}

}  // namespace

std::string FormatCostSummary(const CostEstimate& cost) {
  if (!cost.known) {
    std::string missing;
    for (const std::string& m : cost.missing) {
      missing += (missing.empty() ? "" : ", ") + m;
    }
    std::string out = "unknown (no price for " + missing + ")";
    if (cost.hourly_max > 0) {
      out += "; at least " + Range(cost.hourly_min, cost.hourly_max) + "/hour";
    }
    return out;
  }
  std::string out = Range(cost.hourly_min, cost.hourly_max) + "/hour";
  if (cost.ttl_hours && cost.total_min && cost.total_max) {
    int64_t seconds = std::llround(*cost.ttl_hours * 3600);
    out += ", " + Range(*cost.total_min, *cost.total_max) + " over " +
           FormatDuration(seconds);
  }
  return out;
}

nlohmann::json CostToJson(const CostEstimate& cost) {
  nlohmann::json j = {
      {"known", cost.known},
      {"currency", cost.currency},
      {"hourlyMin", Round4(cost.hourly_min)},
      {"hourlyMax", Round4(cost.hourly_max)},
      {"missing", cost.missing},
  };
  if (cost.ttl_hours) j["ttlHours"] = Round4(*cost.ttl_hours);
  if (cost.total_min) j["totalMin"] = Round4(*cost.total_min);
  if (cost.total_max) j["totalMax"] = Round4(*cost.total_max);
  nlohmann::json lines = nlohmann::json::array();
  for (const CostLine& line : cost.lines) {
    lines.push_back({
        {"part", line.part},
        {"field", line.field},
        {"machineType", line.machine_type},
        {"spot", line.spot},
        {"minReplicas", line.min_replicas},
        {"maxReplicas", line.max_replicas},
        {"nodeHourly", Round4(line.node_hourly)},
        {"known", line.known},
    });
    if (line.hibernated) lines.back()["hibernated"] = true;
  }
  j["lines"] = std::move(lines);
  return j;
}

nlohmann::json VerdictToJson(const Verdict& v) {
  return {
      {"policy", v.policy},
      {"rule", v.rule},
      {"action", v.enforce ? "deny" : "warn"},
      {"field", v.field},
      {"value", v.value},
      {"message", v.message},
      {"file", v.file},
      {"line", v.line},
      {"column", v.column},
      {"policyFile", v.policy_file},
      {"policyLine", v.policy_line},
  };
}

}  // namespace capigitops
