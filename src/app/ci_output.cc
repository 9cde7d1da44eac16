#include "app/ci_output.h"

#include <map>

#include "app/build_info.h"

namespace capigitops {
namespace {

// Workflow-command escaping: the message escapes %, CR and LF; property
// values also ':' and ','.
std::string EscapeData(const std::string& s, bool property) {
  std::string out;
  for (char c : s) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else if (property && c == ':') {
      out += "%3A";
    } else if (property && c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

std::string RuleDescription(const std::string& id) {
  if (id == "load") return "The file cannot be loaded (syntax, schema, values)";
  if (id == "render") return "The request cannot be expanded into CAPI objects";
  return "Policy rule " + id.substr(7);  // after "policy/"
}

}  // namespace

std::vector<Finding> CollectFindings(const Evaluation& ev) {
  std::vector<Finding> out;
  for (const Diagnostic& d : ev.repo.diags) {
    out.push_back({"load", d.severity == Severity::kError, d.file, d.line,
                   d.column,
                   d.field.empty() ? d.message : d.field + ": " + d.message});
  }
  for (const ClusterResult& c : ev.clusters) {
    for (const Verdict& v : c.verdicts) {
      std::string msg = (v.enforce ? "deny: " : "warn: ") +
                        std::string("policy ") + v.policy + " rule " + v.rule +
                        ": " + (v.field.empty() ? "" : v.field + ": ") +
                        v.message;
      out.push_back({"policy/" + v.policy + "/" + v.rule, v.enforce, v.file,
                     v.line, v.column, msg});
    }
    if (!c.render_error.empty()) {
      out.push_back({"render", true, c.request.file, 0, 0, c.render_error});
    }
  }
  return out;
}

void PrintGithubAnnotations(const std::vector<Finding>& findings,
                            const std::string& path_prefix, std::ostream& out) {
  for (const Finding& f : findings) {
    out << (f.error ? "::error" : "::warning");
    std::string props;
    if (!f.file.empty()) {
      props += "file=" + EscapeData(path_prefix + f.file, true);
      if (f.line > 0) props += ",line=" + std::to_string(f.line);
      if (f.column > 0) props += ",col=" + std::to_string(f.column);
    }
    props += std::string(props.empty() ? "" : ",") +
             "title=" + EscapeData("capi-gitops " + f.rule_id, true);
    out << " " << props << "::" << EscapeData(f.message, false) << "\n";
  }
}

nlohmann::json SarifLog(const std::vector<Finding>& findings,
                        const std::string& path_prefix) {
  std::map<std::string, int> rule_index;
  nlohmann::json rules = nlohmann::json::array();
  nlohmann::json results = nlohmann::json::array();
  for (const Finding& f : findings) {
    auto [it, added] = rule_index.emplace(f.rule_id, rules.size());
    if (added) {
      rules.push_back(
          {{"id", f.rule_id},
           {"shortDescription", {{"text", RuleDescription(f.rule_id)}}}});
    }
    nlohmann::json result = {{"ruleId", f.rule_id},
                             {"ruleIndex", it->second},
                             {"level", f.error ? "error" : "warning"},
                             {"message", {{"text", f.message}}}};
    if (!f.file.empty()) {
      nlohmann::json loc = {
          {"artifactLocation", {{"uri", path_prefix + f.file}}}};
      if (f.line > 0) {
        loc["region"] = {{"startLine", f.line}};
        if (f.column > 0) loc["region"]["startColumn"] = f.column;
      }
      result["locations"] = {{{"physicalLocation", loc}}};
    }
    results.push_back(std::move(result));
  }
  return {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       {{{"tool",
          {{"driver",
            {{"name", "capi-gitops"},
             {"version", GetBuildInfo().version},
             {"informationUri", "https://github.com/capigitops/capi-gitops"},
             {"rules", rules}}}}},
         {"results", results}}}}};
}

}  // namespace capigitops
