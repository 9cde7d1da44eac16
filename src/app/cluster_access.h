// Shared by the commands that talk to the management cluster: the common
// connection flags and connecting with them.
#ifndef CAPIGITOPS_APP_CLUSTER_ACCESS_H_
#define CAPIGITOPS_APP_CLUSTER_ACCESS_H_

#include <functional>
#include <memory>
#include <string>

#include "app/cli.h"
#include "capigitops/kube_api.h"
#include "capigitops/kube_client.h"

namespace capigitops {

// --kubeconfig, --context, -n/--namespace, --concurrency,
// --request-timeout, --pass-timeout.
void AddClusterOptions(FlagSet* options);

// Connects as kubectl would. On failure prints why and sets *exit_code.
// Adjustments of the client for one use.
struct ClientTuning {
  // Sees every HTTP exchange, for metrics.
  std::function<void(const std::string&, long)> on_response;
  int max_retries = -1;  // -1: the client's default
  long timeout_ms = 0;   // 0: --request-timeout
  // Whether --pass-timeout applies (not to the Lease client, which lives
  // across passes and bounds each round itself).
  bool pass_deadline = true;
};

std::unique_ptr<KubeClient> ConnectFromArgs(const Args& args,
                                            const CommandIo& io, int* exit_code,
                                            ClientTuning tuning = {});

// What a dry run could not have the server check (writes into a namespace
// that does not exist yet, DryRunKubeApi::Unchecked) as a note to print, or
// "" when it checked everything.
std::string UncheckedNote(const DryRunKubeApi& dry_run);

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_CLUSTER_ACCESS_H_
