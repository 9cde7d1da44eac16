#include "app/cluster_access.h"

#include "capigitops/duration.h"
#include "capigitops/kubeconfig.h"

namespace capigitops {

void AddClusterOptions(FlagSet* options) {
  options->add_options("cluster")(
      "kubeconfig",
      "kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)",
      flags::value<std::string>()->default_value(""))(
      "context", "kubeconfig context",
      flags::value<std::string>()->default_value(""))(
      "n,namespace",
      "namespace of the CAPI objects (default: capi-gitops.yaml's)",
      flags::value<std::string>()->default_value(""))(
      "concurrency", "API requests in flight at once",
      // 32 keeps a server that answers in ~10 ms busy enough for a large
      // first apply (bench/README.md), far below kube-apiserver's 200
      // mutating requests in flight.
      flags::value<int>()->default_value("32"))(
      "request-timeout",
      "give up on one API request after this long (a timed-out request is "
      "retried once)",
      flags::value<std::string>()->default_value("30s"))(
      "pass-timeout",
      "end a pass that talks to the API for longer than this with exit code "
      "4 (\"0\" for no limit; run: each pass)",
      flags::value<std::string>()->default_value("15m"));
}

namespace {

// A duration flag in milliseconds; "0" is 0 when zero_ok.
bool DurationFlagMs(const Args& args, const char* flag, bool zero_ok,
                    const CommandIo& io, long* ms) {
  std::string text = args[flag].as<std::string>();
  if (zero_ok && text == "0") {
    *ms = 0;
    return true;
  }
  std::optional<int64_t> s = ParseDuration(text);
  if (!s) {
    *io.err << "capi-gitops: --" << flag << " \"" << text
            << "\" is not a duration like 30s, 1m or 2h\n";
    return false;
  }
  *ms = static_cast<long>(*s * 1000);
  return true;
}

}  // namespace

std::unique_ptr<KubeClient> ConnectFromArgs(const Args& args,
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
  if (!DurationFlagMs(args, "request-timeout", false, io,
                      &options.timeout_ms) ||
      !DurationFlagMs(args, "pass-timeout", true, io,
                      &options.pass_timeout_ms)) {
    *exit_code = kExitUsage;
    return nullptr;
  }
  if (!tuning.pass_deadline) options.pass_timeout_ms = 0;
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

std::string UncheckedNote(const DryRunKubeApi& dry_run) {
  DryRunKubeApi::UncheckedWrites u = dry_run.Unchecked();
  if (u.namespaces.empty()) return "";
  std::string names;
  for (const std::string& ns : u.namespaces) {
    names += (names.empty() ? "" : ", ") + ns;
  }
  return "note: namespace " + names +
         " does not exist yet; a real run creates it first. The " +
         std::to_string(u.writes) +
         " writes into it were not sent: the server cannot dry-run them "
         "before it exists (they would be created).\n";
}

}  // namespace capigitops
