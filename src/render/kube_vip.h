// kube-vip on a kubeadm control plane: the static pod that holds the API
// server's virtual IP where no cloud load balancer exists (vSphere).
#ifndef CAPIGITOPS_RENDER_KUBE_VIP_H_
#define CAPIGITOPS_RENDER_KUBE_VIP_H_

#include <nlohmann/json.hpp>
#include <string>

namespace capigitops::render {

// The kube-vip image, pinned as in CAPV's templates/cluster-template.yaml.
inline constexpr char kKubeVipImage[] = "ghcr.io/kube-vip/kube-vip:v0.6.4";

// Adds to a KubeadmControlPlane's kubeadmConfigSpec the kube-vip static pod
// for `address`:`port`, its hosts file, the Kubernetes >= 1.29 workaround
// script and the preKubeadmCommands that run it.
void AddKubeVip(const std::string& address, int port, nlohmann::json* config);

}  // namespace capigitops::render

#endif  // CAPIGITOPS_RENDER_KUBE_VIP_H_
