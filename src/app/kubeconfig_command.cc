// capi-gitops kubeconfig NAME [-n NS]: the workload cluster's kubeconfig, as
// CAPI publishes it in the Secret <name>-kubeconfig (key `value`), printed
// for `kubectl --kubeconfig`. Read through the management cluster, so it
// needs read access to that Secret (docs/cli.md says how others get it).
#include "app/cli.h"
#include "app/cluster_access.h"
#include "capigitops/loader.h"
#include "util/base64.h"
#include "util/file.h"

namespace capigitops {
namespace {

// -n, else capi-gitops.yaml's namespace when run in a cluster repository,
// else the namespace capi-gitops.yaml defaults to (capi-clusters).
std::string NamespaceFor(const Args& args) {
  std::string ns = args["namespace"].as<std::string>();
  if (!ns.empty()) return ns;
  RepoConfig config;
  StatusOr<std::string> text = ReadFile(config.file);
  if (text.ok()) {
    Diagnostics ignored;
    LoadRepoConfig(config.file, *text, &config, &ignored);
  }
  return config.namespace_name;
}

}  // namespace

void AddKubeconfigOptions(FlagSet* options) {
  AddClusterOptions(options);
  options->add_options()("name", "the cluster", flags::value<std::string>());
  options->parse_positional({"name"});
  options->positional_help("NAME");
  options->examples(
      "capi-gitops kubeconfig llm-train-us-central1 > llm.kubeconfig\n"
      "kubectl --kubeconfig llm.kubeconfig get nodes\n"
      "capi-gitops kubeconfig dev-sandbox -n capi-clusters --context mgmt");
}

int RunKubeconfig(const Args& args, const CommandIo& io) {
  const char* me = "capi-gitops kubeconfig: ";
  if (!args.count("name")) {
    *io.err << me << "usage: capi-gitops kubeconfig NAME [-n NAMESPACE]\n";
    return kExitUsage;
  }
  std::string name = args["name"].as<std::string>();
  std::string ns = NamespaceFor(args);
  int code = kExitOk;
  std::unique_ptr<KubeClient> client = ConnectFromArgs(args, io, &code);
  if (!client) return code;
  ResourceInfo secrets{"", "v1", "Secret", "secrets", true};
  std::string secret_name = name + "-kubeconfig";
  StatusOr<nlohmann::json> secret = client->Get(secrets, ns, secret_name);
  if (!secret.ok()) {
    if (secret.status().IsNotFound()) {
      *io.err << me << "no Secret " << ns << "/" << secret_name << ": cluster "
              << name << " is not provisioned yet? (capi-gitops get " << name
              << " shows its phase)\n";
      return kExitInvalid;
    }
    *io.err << me << "reading Secret " << ns << "/" << secret_name << ": "
            << secret.status().message() << "\n";
    return kExitApiError;
  }
  const nlohmann::json* data = nullptr;
  if (secret->contains("data") && (*secret)["data"].is_object() &&
      (*secret)["data"].contains("value")) {
    data = &(*secret)["data"]["value"];
  }
  std::optional<std::string> kubeconfig;
  if (data && data->is_string()) {
    kubeconfig = Base64Decode(data->get<std::string>());
  }
  if (!kubeconfig) {
    // Never print the Secret itself: it holds credentials.
    *io.err << me << "Secret " << ns << "/" << secret_name
            << " has no base64 kubeconfig under data.value\n";
    return kExitInvalid;
  }
  *io.out << *kubeconfig;
  if (!kubeconfig->empty() && kubeconfig->back() != '\n') *io.out << "\n";
  return kExitOk;
}

}  // namespace capigitops
