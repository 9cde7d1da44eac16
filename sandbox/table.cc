// Server-side printing (meta.k8s.io/v1 Table) for the kinds whose columns
// kubectl users read: Nodes, Pods and Jobs, as kube-apiserver's printers
// (pkg/printers/internalversion) lay them out. Other kinds answer plain
// JSON and kubectl prints NAME and AGE itself.
#include <chrono>

#include "handlers.h"
#include "util.h"
#include "workload_nodes.h"

namespace capigitops::sandbox {
namespace {

// kube's duration.HumanDuration, to whole units.
std::string HumanAge(const std::string& since) {
  std::optional<int64_t> t = ParseRfc3339(since);
  if (!t) return "<unknown>";
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  int64_t s = std::max<int64_t>(0, now - *t);
  if (s < 120) return std::to_string(s) + "s";
  int64_t m = s / 60;
  if (m < 10) return std::to_string(m) + "m" + std::to_string(s % 60) + "s";
  if (m < 180) return std::to_string(m) + "m";
  int64_t h = m / 60;
  if (h < 48) return std::to_string(h) + "h";
  return std::to_string(h / 24) + "d";
}

json Column(const std::string& name, const std::string& format = "") {
  return {{"name", name},
          {"type", "string"},
          {"format", format},
          {"description", ""},
          {"priority", 0}};
}

std::string ConditionStatus(const json& obj, const std::string& type) {
  for (const json& c :
       Field(obj, "status").value("conditions", json::array())) {
    if (c.value("type", "") == type) return c.value("status", "");
  }
  return "";
}

json NodeCells(const json& node) {
  std::string status =
      ConditionStatus(node, "Ready") == "True" ? "Ready" : "NotReady";
  if (Field(node, "spec").value("unschedulable", false)) {
    status += ",SchedulingDisabled";
  }
  std::string roles;
  const json labels = Field(node["metadata"], "labels");
  for (const auto& [k, v] : labels.items()) {
    const std::string prefix = "node-role.kubernetes.io/";
    if (k.rfind(prefix, 0) != 0) continue;
    roles += (roles.empty() ? "" : ",") + k.substr(prefix.size());
  }
  return {node["metadata"].value("name", ""), status,
          roles.empty() ? "<none>" : roles,
          HumanAge(node["metadata"].value("creationTimestamp", "")),
          Field(Field(node, "status"), "nodeInfo").value("kubeletVersion", "")};
}

json PodCells(const json& pod) {
  json status = Field(pod, "status");
  int ready = 0, total = 0;
  for (const json& c : Field(pod, "spec").value("containers", json::array())) {
    (void)c;
    ++total;
  }
  for (const json& cs : status.value("containerStatuses", json::array())) {
    if (cs.value("ready", false)) ++ready;
  }
  std::string phase = status.value("phase", "Pending");
  for (const json& cs : status.value("containerStatuses", json::array())) {
    json state = Field(cs, "state");
    if (state.contains("terminated")) {
      phase = state["terminated"].value("reason", phase);
    }
  }
  if (pod["metadata"].contains("deletionTimestamp")) phase = "Terminating";
  return {pod["metadata"].value("name", ""),
          std::to_string(ready) + "/" + std::to_string(total), phase, "0",
          HumanAge(pod["metadata"].value("creationTimestamp", ""))};
}

json JobCells(const json& job) {
  json status = Field(job, "status");
  std::string state = "Running";
  if (ConditionStatus(job, "Complete") == "True") state = "Complete";
  if (ConditionStatus(job, "Failed") == "True") state = "Failed";
  if (Field(job, "spec").value("suspend", false)) {
    state = "Suspended";
  }
  int64_t completions = Field(job, "spec").value("completions", int64_t{1});
  std::string duration;
  std::optional<int64_t> start = ParseRfc3339(status.value("startTime", ""));
  std::optional<int64_t> end = ParseRfc3339(status.value("completionTime", ""));
  if (start && end) duration = std::to_string(*end - *start) + "s";
  if (start && !end) duration = HumanAge(status.value("startTime", ""));
  return {job["metadata"].value("name", ""), state,
          std::to_string(status.value("succeeded", int64_t{0})) + "/" +
              std::to_string(completions),
          duration, HumanAge(job["metadata"].value("creationTimestamp", ""))};
}

json PartialMetadata(const json& obj) {
  return {{"kind", "PartialObjectMetadata"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", Field(obj, "metadata")}};
}

}  // namespace

void MaybeServeTable(const ResourceType& type, const ApiRequest& req,
                     Reply* reply) {
  if (reply->code != 200 || req.accept.find("as=Table") == std::string::npos) {
    return;
  }
  json columns;
  json (*cells)(const json&) = nullptr;
  if (type.group.empty() && type.kind == "Node") {
    columns = {Column("Name", "name"), Column("Status"), Column("Roles"),
               Column("Age"), Column("Version")};
    cells = NodeCells;
  } else if (type.group.empty() && type.kind == "Pod") {
    columns = {Column("Name", "name"), Column("Ready"), Column("Status"),
               Column("Restarts"), Column("Age")};
    cells = PodCells;
  } else if (type.group == "batch" && type.kind == "Job") {
    columns = {Column("Name", "name"), Column("Status"), Column("Completions"),
               Column("Duration"), Column("Age")};
    cells = JobCells;
  } else {
    return;
  }
  StatusOr<json> parsed = ReplyJson(*reply);
  if (!parsed.ok()) {
    *reply = ErrorReply(InternalError(parsed.status().message()));
    return;
  }
  const json body = std::move(*parsed);
  bool full = req.Param("includeObject") == "Object";
  json rows = json::array();
  json items = body.contains("items") ? body["items"] : json::array({body});
  for (const json& obj : items) {
    rows.push_back(
        {{"cells", cells(obj)}, {"object", full ? obj : PartialMetadata(obj)}});
  }
  json meta = json::object();
  if (body.contains("items")) meta = Field(body, "metadata");
  reply->body_text.clear();
  reply->body = {{"kind", "Table"},
                 {"apiVersion", "meta.k8s.io/v1"},
                 {"metadata", meta},
                 {"columnDefinitions", columns},
                 {"rows", rows}};
}

}  // namespace capigitops::sandbox
