#include "app/cluster_access.h"

#include "capigitops/kubeconfig.h"

namespace capigitops {

void AddClusterOptions(cxxopts::Options* options) {
  options->add_options("cluster")(
      "kubeconfig",
      "kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)",
      cxxopts::value<std::string>()->default_value(""))(
      "context", "kubeconfig context",
      cxxopts::value<std::string>()->default_value(""))(
      "n,namespace",
      "namespace of the CAPI objects (default: capi-gitops.yaml's)",
      cxxopts::value<std::string>()->default_value(""))(
      "concurrency", "API requests in flight at once",
      // 32 keeps a server that answers in ~10 ms busy enough for a large
      // first apply (bench/README.md), far below kube-apiserver's 200
      // mutating requests in flight.
      cxxopts::value<int>()->default_value("32"));
}

std::unique_ptr<KubeClient> ConnectFromArgs(const cxxopts::ParseResult& args,
                                            const CommandIo& io, int* exit_code,
                                            ClientTuning tuning) {
  KubeconfigOverrides overrides;
  overrides.context = args["context"].as<std::string>();
  StatusOr<RestConfig> rc =
      LoadRestConfig(args["kubeconfig"].as<std::string>(), overrides,
                     KubeconfigEnvironment::FromProcess());
  if (!rc.ok()) {
    *io.err << "capi-gitops: " << rc.status().message() << "\n";
    *exit_code = kExitApiError;
    return nullptr;
  }
  ClientOptions options;
  options.concurrency = std::max(1, args["concurrency"].as<int>());
  // The rate limit is a safety net for very fast servers; concurrency is the
  // real bound. At 50 requests/s per slot it throttled a server answering in
  // 10 ms (a real API server's latency) to 800 requests/s once the burst was
  // spent, so a 1000-cluster apply ran at about half its concurrency.
  options.qps = 100.0 * options.concurrency;
  options.burst = 4 * static_cast<int>(options.qps);
  options.on_response = std::move(tuning.on_response);
  if (tuning.max_retries >= 0) options.max_retries = tuning.max_retries;
  if (tuning.timeout_ms > 0) options.timeout_ms = tuning.timeout_ms;
  StatusOr<std::unique_ptr<KubeClient>> client =
      KubeClient::Create(*rc, options);
  if (!client.ok()) {
    *io.err << "capi-gitops: " << client.status().message() << "\n";
    *exit_code = kExitApiError;
    return nullptr;
  }
  return std::move(client).value();
}

std::string TargetNamespace(const cxxopts::ParseResult& args,
                            const Evaluation& ev) {
  std::string ns = args["namespace"].as<std::string>();
  return ns.empty() ? ev.repo.config.namespace_name : ns;
}

DesiredState ToDesiredState(const Evaluation& ev, const std::string& ns) {
  DesiredState d;
  d.ns = ns;
  d.budget_max_clusters = ev.repo.config.deletion_budget.max_clusters;
  d.budget_max_percent = ev.repo.config.deletion_budget.max_percent;
  for (const ClusterResult& c : ev.clusters) {
    if (c.denied) {
      d.blocked[c.request.name] = "denied by policy";
      continue;
    }
    if (!c.render_error.empty()) {
      d.blocked[c.request.name] = "cannot be expanded: " + c.render_error;
      continue;
    }
    DesiredCluster dc;
    dc.name = c.request.name;
    dc.owner = c.request.owner;
    dc.objects = c.objects;
    for (nlohmann::json& obj : dc.objects) {
      if (obj["metadata"].contains("namespace"))
        obj["metadata"]["namespace"] = ns;
    }
    d.clusters.push_back(std::move(dc));
  }
  for (const std::string& name : ev.repo.broken) {
    d.blocked[name] = "its spec has errors";
  }
  // Errors outside cluster files (capi-gitops.yaml, policies) put the whole
  // source in doubt: nothing is deleted until they are fixed.
  for (const Diagnostic& diag : ev.repo.diags) {
    if (diag.severity != Severity::kError) continue;
    if (diag.file.rfind(ev.repo.config.clusters_path + "/", 0) == 0) continue;
    d.prune_allowed = false;
    d.prune_blocked_reason = diag.file +
                             " has errors: nothing is changed or deleted until "
                             "it is fixed";
    // A broken config or policy file may change what every cluster should
    // look like or be allowed to be: touch nothing.
    for (const DesiredCluster& c : d.clusters)
      d.blocked[c.name] = d.prune_blocked_reason;
    d.clusters.clear();
    break;
  }
  return d;
}

std::set<std::pair<std::string, std::string>> DesiredKinds(
    const DesiredState& d) {
  std::set<std::pair<std::string, std::string>> kinds;
  for (const DesiredCluster& c : d.clusters) {
    for (const nlohmann::json& obj : c.objects) {
      kinds.emplace(obj.value("apiVersion", ""), obj.value("kind", ""));
    }
  }
  return kinds;
}

}  // namespace capigitops
