// capi-gitops get [NAME] [REPO_DIR] [-o wide|json|yaml]: one line per
// cluster, as `flux get` and `kubectl get`: from the status files the
// reconciler commits (docs/status-files.md) and the specs, and from the live
// Clusters when a management cluster is named (--kubeconfig, --context or
// $KUBECONFIG). Every row says which source its phase came from.
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <set>

#include "app/builtin_policies.h"
#include "app/cli.h"
#include "app/cluster_access.h"
#include "app/status_read.h"
#include "capigitops/duration.h"
#include "capigitops/json.h"
#include "capigitops/labels.h"
#include "capigitops/loader.h"
#include "capigitops/reconcile.h"
#include "capigitops/writeback.h"
#include "capigitops/yaml.h"

namespace capigitops {
namespace {

struct Row {
  std::string name, owner, provider,
      phase = "Unknown", ready = "-", usable = "-", usable_reason, nodes = "-",
      gpus = "-", hourly = "-", so_far = "-", expires_at = "-",
      expires_in = "-", idle_for = "-", last_error, source = "spec";
  // Now / max, for -o json; -1: unknown.
  int nodes_now = -1, nodes_max = -1, gpus_now = -1, gpus_max = -1;
};

int IntOr(const nlohmann::json& obj, const char* key, int fallback) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<int>() : fallback;
}

// "4/28": now of max; "-" when neither is known.
std::string NowOfMax(int now, int max) {
  if (now < 0 && max < 0) return "-";
  return (now < 0 ? "-" : std::to_string(now)) + "/" +
         (max < 0 ? "-" : std::to_string(max));
}

// The nodes and GPUs a cluster has (the workload cluster's Ready nodes and
// allocatable GPUs, else CAPI's ready machines) and may grow to (its spec at
// the autoscalers' maximum, else CAPI's desired count).
void FillCapacity(const nlohmann::json* status, const ClusterResult* spec,
                  Row* r) {
  int capi_ready = -1, capi_desired = -1;
  if (status) {
    for (const char* part : {"controlPlane", "workers"}) {
      auto p = status->find(part);
      if (p == status->end() || !p->is_object()) continue;
      capi_ready = std::max(capi_ready, 0) + IntOr(*p, "ready", 0);
      capi_desired = std::max(capi_desired, 0) + IntOr(*p, "desired", 0);
    }
    r->nodes_now = IntOr(*status, "readyNodes", capi_ready);
    r->gpus_now = IntOr(*status, "gpusAllocatable", -1);
  }
  r->nodes_max = capi_desired;
  if (spec) {
    const ClusterRequest& req = spec->request;
    r->nodes_max = req.control_plane.replicas;
    for (const NodePool& pool : req.node_pools) {
      r->nodes_max += pool.MaxReplicas();
    }
    r->gpus_max = req.TotalAccelerators(true);
  }
  r->nodes = NowOfMax(r->nodes_now, r->nodes_max);
  r->gpus = r->gpus_max == 0 && r->gpus_now <= 0
                ? "-"
                : NowOfMax(r->gpus_now, r->gpus_max);
}

// How long an idle cluster has been without GPU work (its status file's
// idle block), "hibernated" for a hibernated one, else "-".
std::string IdleFor(const nlohmann::json& status, int64_t now) {
  const nlohmann::json& idle = status.value("idle", nlohmann::json::object());
  if (!idle.is_object()) return "-";
  std::string state = idle.value("state", "");
  if (state == "hibernated") return "hibernated";
  if (state != "idle") return "-";
  std::optional<int64_t> since = ParseRfc3339(idle.value("idleSince", ""));
  if (!since) return "idle";
  return FormatDuration(std::max<int64_t>(0, now - *since) / 60 * 60);
}

std::string Str(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

Row FromStatusAndSpec(const std::string& name, const nlohmann::json* status,
                      const ClusterResult* spec, int64_t now) {
  Row r;
  r.name = name;
  int64_t created_at = 0;
  if (status) {
    r.source = "status file";
    r.owner = Str(*status, "owner");
    r.provider = Str(*status, "provider");
    r.phase = Str(*status, "phase");
    if (status->contains("ready")) r.ready = Str(*status, "ready");
    if (status->contains("usable")) r.usable = Str(*status, "usable");
    r.usable_reason = Str(*status, "usableReason");
    r.idle_for = IdleFor(*status, now);
    r.hourly = Str(*status, "estimatedCostPerHour");
    r.last_error = Str(*status, "lastError");
    created_at = StatusCreatedAt(*status);
    if (std::string at = Str(*status, "expiresAt"); !at.empty()) {
      r.expires_at = at;
      if (std::optional<int64_t> t = ParseRfc3339(at)) {
        TtlDecision d;
        d.has_expiry = true;
        d.expires_at = *t;
        d.expired = now >= *t;
        d.expires_in = std::max<int64_t>(0, *t - now);
        r.expires_in = FormatExpiresIn(d);
      }
    }
  } else {
    r.phase = "NotCreated";
  }
  if (spec) {
    const ClusterRequest& req = spec->request;
    if (r.owner.empty()) r.owner = req.owner;
    if (r.provider.empty()) r.provider = ProviderName(req.provider);
    TtlDecision d = DecideTtl(req, created_at, now);
    if (d.has_expiry &&
        (created_at != 0 || req.ttl.kind == TtlKind::kExpiresAt)) {
      r.expires_at = FormatRfc3339(d.expires_at);
      r.expires_in = FormatExpiresIn(d);
    } else if (req.ttl.kind == TtlKind::kDuration) {
      r.expires_in = req.ttl.text + " after creation";
    } else if (req.ttl.kind == TtlKind::kNever) {
      r.expires_at = "never";
      r.expires_in = "never";
    }
    if (r.hourly.empty() || r.hourly == "-") {
      r.hourly = spec->cost.known ? FormatMoney(spec->cost.hourly_min) : "-";
    }
    if (created_at != 0) {
      std::string so_far = CostSoFar(spec->cost, created_at, now);
      if (!so_far.empty()) r.so_far = so_far;
    }
  }
  if (r.hourly.empty()) r.hourly = "-";
  FillCapacity(status, spec, &r);
  return r;
}

// Overlays the live Clusters' phase and readiness (usability, nodes and GPUs
// stay the status file's: reading every workload cluster is the
// reconciler's job). False (rows untouched)
// when the management cluster cannot be read; the caller says so.
bool OverlayLive(const Args& args, const CommandIo& io, const std::string& ns,
                 std::vector<Row>* rows) {
  int code = 0;
  ClientTuning tuning;
  tuning.max_retries = 0;
  tuning.timeout_ms = 5000;
  std::unique_ptr<KubeClient> client = ConnectFromArgs(args, io, &code, tuning);
  if (!client) return false;
  StatusOr<ResourceInfo> info =
      client->Resolve("cluster.x-k8s.io/v1beta2", "Cluster");
  if (!info.ok()) {
    *io.err << "capi-gitops get: " << info.status().message() << "\n";
    return false;
  }
  StatusOr<std::vector<nlohmann::json>> live =
      client->List(*info, ns, kManagedBySelector);
  if (!live.ok()) {
    *io.err << "capi-gitops get: " << live.status().message() << "\n";
    return false;
  }
  std::map<std::string, const nlohmann::json*> by_name;
  for (const nlohmann::json& c : *live) {
    by_name[c["metadata"].value("name", "")] = &c;
  }
  for (Row& r : *rows) {
    auto it = by_name.find(r.name);
    r.source = "live";
    if (it == by_name.end()) {
      r.phase = "NotCreated";
      r.ready = "-";
      continue;
    }
    const nlohmann::json& st =
        it->second->value("status", nlohmann::json::object());
    if (st.contains("phase")) r.phase = Str(st, "phase");
    r.ready = "false";
    for (const nlohmann::json& c :
         st.value("conditions", nlohmann::json::array())) {
      if (c.value("type", "") == "Available") {
        r.ready = c.value("status", "") == "True" ? "true" : "false";
      }
    }
  }
  return true;
}

// A count as JSON: null when unknown.
nlohmann::json Count(int n) {
  return n < 0 ? nlohmann::json() : nlohmann::json(n);
}

nlohmann::json RowJson(const Row& r) {
  return {{"name", r.name},
          {"owner", r.owner},
          {"provider", r.provider},
          {"phase", r.phase},
          {"ready", r.ready},
          {"usable", r.usable},
          {"usableReason", r.usable_reason},
          {"nodes", r.nodes},
          {"nodesReady", Count(r.nodes_now)},
          {"nodesMax", Count(r.nodes_max)},
          {"gpus", r.gpus},
          {"gpusAllocatable", Count(r.gpus_now)},
          {"gpusMax", Count(r.gpus_max)},
          {"costPerHour", r.hourly},
          {"costSoFar", r.so_far},
          {"expiresAt", r.expires_at},
          {"expiresIn", r.expires_in},
          {"idleFor", r.idle_for},
          {"lastError", r.last_error},
          {"source", r.source}};
}

void PrintTable(const std::vector<Row>& rows, bool wide, std::ostream& out) {
  std::vector<std::vector<std::string>> cells = {
      {"NAME", "OWNER", "PROVIDER", "PHASE", "READY", "USABLE", "NODES", "GPUS",
       "$/HOUR", "SO FAR", "EXPIRES IN", "IDLE FOR"}};
  if (wide) {
    for (const char* h : {"EXPIRES AT", "SOURCE", "LAST ERROR"}) {
      cells[0].push_back(h);
    }
  }
  for (const Row& r : rows) {
    cells.push_back({r.name, r.owner, r.provider, r.phase, r.ready, r.usable,
                     r.nodes, r.gpus, r.hourly, r.so_far, r.expires_in,
                     r.idle_for});
    if (wide) {
      // Why a cluster is not usable is its most useful error.
      std::string error = r.last_error.empty() && r.usable == "false"
                              ? r.usable_reason
                              : r.last_error;
      cells.back().insert(cells.back().end(), {r.expires_at, r.source, error});
    }
  }
  std::vector<size_t> width(cells[0].size(), 0);
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) {
      width[i] = std::max(width[i], line[i].size());
    }
  }
  for (const auto& line : cells) {
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < line.size())
        text += std::string(width[i] - line[i].size() + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  }
}

}  // namespace

void AddGetOptions(FlagSet* options) {
  options->add_options()("o,output", "text, wide, json or yaml",
                         flags::value<std::string>()->default_value("text"))(
      "now", "the time to count from (RFC 3339; default: the clock)",
      flags::value<std::string>())("name", "one cluster",
                                   flags::value<std::string>())(
      "repo-dir", "repository directory (default: .)",
      flags::value<std::string>());
  AddClusterOptions(options);
  options->parse_positional({"name", "repo-dir"});
  options->positional_help("[NAME] [REPO_DIR]");
  options->examples(
      "capi-gitops get\n"
      "capi-gitops get llm-train-us-central1 ./cluster-repo -o wide\n"
      "capi-gitops get -o json --context mgmt");
}

int RunGet(const Args& args, const CommandIo& io) {
  const char* me = "capi-gitops get: ";
  std::string format = args["output"].as<std::string>();
  if (format != "text" && format != "wide" && format != "json" &&
      format != "yaml") {
    *io.err << me << "-o must be text, wide, json or yaml\n";
    return kExitUsage;
  }
  std::string name = args.count("name") ? args["name"].as<std::string>() : "";
  std::string dir =
      args.count("repo-dir") ? args["repo-dir"].as<std::string>() : ".";
  // One argument that is a directory is the repository, not a name.
  std::error_code ec;
  if (!args.count("repo-dir") && !name.empty() &&
      std::filesystem::is_directory(name, ec)) {
    dir = name;
    name.clear();
  }
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  if (args.count("now")) {
    std::string t = args["now"].as<std::string>();
    std::optional<int64_t> parsed = ParseRfc3339(t);
    if (!parsed) {
      *io.err << me << "--now \"" << t << "\" is not an RFC 3339 time\n";
      return kExitUsage;
    }
    now = *parsed;
  }
  StatusOr<FileSet> files = ReadRepoDirectory(dir);
  if (!files.ok()) {
    *io.err << me << files.status().message() << "\n";
    return kExitSourceError;
  }
  EvaluateOptions eo;
  eo.now = now;
  Evaluation ev = Evaluate(*files, BuiltinPolicyFiles(), eo);
  std::map<std::string, nlohmann::json> statuses =
      ReadStatusFiles(dir, ev.repo.config);
  std::map<std::string, const ClusterResult*> specs;
  for (const ClusterResult& c : ev.clusters) specs[c.request.name] = &c;
  std::set<std::string> names;
  for (const auto& [n, s] : statuses) names.insert(n);
  for (const auto& [n, c] : specs) names.insert(n);
  if (!name.empty()) {
    if (!names.count(name)) {
      *io.err << me << "no cluster \"" << name << "\" in " << dir
              << " (no spec in " << ev.repo.config.clusters_path
              << "/, no status file in " << ev.repo.config.status_path
              << "/)\n";
      return kExitInvalid;
    }
    names = {name};
  }
  std::vector<Row> rows;
  for (const std::string& n : names) {
    auto st = statuses.find(n);
    auto sp = specs.find(n);
    rows.push_back(
        FromStatusAndSpec(n, st == statuses.end() ? nullptr : &st->second,
                          sp == specs.end() ? nullptr : sp->second, now));
  }
  std::string source = "from status files";
  bool want_live = !args["kubeconfig"].as<std::string>().empty() ||
                   !args["context"].as<std::string>().empty() ||
                   std::getenv("KUBECONFIG") != nullptr;
  if (want_live) {
    std::string ns = args["namespace"].as<std::string>();
    if (ns.empty()) ns = ev.repo.config.namespace_name;
    source = OverlayLive(args, io, ns, &rows)
                 ? "live from the management cluster"
                 : "from status files (the management cluster could not be "
                   "read)";
  }
  if (format == "json" || format == "yaml") {
    nlohmann::json out = {{"source", source},
                          {"clusters", nlohmann::json::array()}};
    for (const Row& r : rows) out["clusters"].push_back(RowJson(r));
    *io.out << (format == "json" ? yaml::DumpJson(out, 2) + "\n"
                                 : yaml::Emit(out));
    return kExitOk;
  }
  PrintTable(rows, format == "wide", *io.out);
  *io.out << "\n" << rows.size() << " cluster(s), phases " << source << "\n";
  return kExitOk;
}

}  // namespace capigitops
