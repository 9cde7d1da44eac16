// The real WorkloadConnector: a workload cluster's API from CAPI's
// `<cluster>-kubeconfig` Secret, read through the management client and
// parsed in memory (nothing is written to disk).
//
// The kubeconfig comes from the cluster, not from the operator, so it is
// trusted less than capi-gitops's own: everything it needs must be inline.
// A path (certificate, key or token file) or an exec plugin would let anyone
// who can write a Secret in the target namespace make capi-gitops read its
// own files (its service account token) and send them to a server of their
// choosing, or run a command; CAPI's kubeconfigs never use them.
#include "capigitops/workload.h"

#include <string>

#include "capigitops/kube_client.h"
#include "capigitops/kubeconfig.h"
#include "util/base64.h"

namespace capigitops {
namespace {

using nlohmann::json;

// The part of the message that names the Secret; never its content.
std::string SecretName(const std::string& ns, const std::string& cluster) {
  return "Secret " + ns + "/" + cluster + "-kubeconfig";
}

Status RejectNonInline(const RestConfig& rc, const std::string& what) {
  const char* field = nullptr;
  if (!rc.ca_file.empty()) field = "certificate-authority";
  if (!rc.client_cert_file.empty()) field = "client-certificate";
  if (!rc.client_key_file.empty()) field = "client-key";
  if (!rc.token_file.empty()) field = "tokenFile";
  if (rc.exec) field = "exec";
  if (field == nullptr) return Status::Ok();
  return Status::InvalidArgument(
      what + ": its kubeconfig uses " + field +
      ", which a workload kubeconfig may not (only inline data, as CAPI "
      "writes it)");
}

class SecretWorkloadConnector : public WorkloadConnector {
 public:
  SecretWorkloadConnector(KubeApi* management, WorkloadConnectOptions options)
      : management_(management), options_(options) {}

  StatusOr<std::unique_ptr<KubeApi>> Connect(
      const std::string& ns, const std::string& cluster) override {
    const std::string what = SecretName(ns, cluster);
    ASSIGN_OR_RETURN(std::string kubeconfig, ReadKubeconfig(ns, cluster));
    // The path is only a name for messages: ResolveKubeconfig reads nothing.
    StatusOr<RestConfig> rc =
        ResolveKubeconfig({{what + " key value", std::move(kubeconfig)}}, {});
    if (!rc.ok()) return rc.status().WithContext("workload cluster " + cluster);
    RETURN_IF_ERROR(RejectNonInline(*rc, what));
    ClientOptions co;
    co.concurrency = 2;
    co.timeout_ms = options_.request_timeout_ms;
    co.max_retries = options_.max_retries;
    co.max_timeout_retries = 0;
    co.user_agent = "capi-gitops (workload)";
    StatusOr<std::unique_ptr<KubeClient>> client = KubeClient::Create(*rc, co);
    if (!client.ok()) {
      return client.status().WithContext("workload cluster " + cluster);
    }
    return std::unique_ptr<KubeApi>(std::move(client).value());
  }

 private:
  // The decoded `value` of the Secret: NotFound when the Secret is not
  // there yet, InvalidArgument when it has no usable `value`.
  StatusOr<std::string> ReadKubeconfig(const std::string& ns,
                                       const std::string& cluster) {
    const std::string what = SecretName(ns, cluster);
    ASSIGN_OR_RETURN(ResourceInfo secrets,
                     management_->Resolve("v1", "Secret"));
    StatusOr<json> secret =
        management_->Get(secrets, ns, cluster + "-kubeconfig");
    if (secret.status().IsNotFound()) {
      return Status::NotFound(what +
                              " not found (the control plane has no "
                              "kubeconfig yet)");
    }
    if (!secret.ok()) return secret.status().WithContext("reading " + what);
    const json* value = nullptr;
    auto data = secret->find("data");
    if (data != secret->end() && data->is_object()) {
      auto v = data->find("value");
      if (v != data->end() && v->is_string()) value = &*v;
    }
    if (value == nullptr) {
      return Status::InvalidArgument(what + " has no data.value");
    }
    std::optional<std::string> decoded =
        Base64Decode(value->get_ref<const std::string&>());
    if (!decoded || decoded->empty()) {
      return Status::InvalidArgument(what + ": data.value is not base64");
    }
    return *decoded;
  }

  KubeApi* management_;
  WorkloadConnectOptions options_;
};

}  // namespace

std::unique_ptr<WorkloadConnector> NewSecretWorkloadConnector(
    KubeApi* management, const WorkloadConnectOptions& options) {
  return std::make_unique<SecretWorkloadConnector>(management, options);
}

}  // namespace capigitops
