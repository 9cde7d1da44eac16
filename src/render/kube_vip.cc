// kube-vip as CAPV's templates/cluster-template.yaml deploys it (files and
// preKubeadmCommands of the KubeadmControlPlane), with the address and port
// filled in.
#include "render/kube_vip.h"

#include "render/provider.h"

namespace capigitops::render {
namespace {

constexpr char kManifestPath[] = "/etc/kubernetes/manifests/kube-vip.yaml";
constexpr char kHostsPath[] = "/etc/kube-vip.hosts";
constexpr char kScriptDir[] = "/etc/pre-kubeadm-commands";

// ARP mode with leader election over a Lease; "address" and "port" are set
// by Manifest(). vip_interface empty: kube-vip picks the default route's.
std::string Manifest(const std::string& address, int port) {
  return R"(apiVersion: v1
kind: Pod
metadata:
  name: kube-vip
  namespace: kube-system
spec:
  containers:
  - args:
    - manager
    env:
    - name: vip_arp
      value: "true"
    - name: port
      value: ")" +
         std::to_string(port) +
         R"("
    - name: vip_interface
      value: ""
    - name: vip_cidr
      value: "32"
    - name: cp_enable
      value: "true"
    - name: cp_namespace
      value: kube-system
    - name: vip_ddns
      value: "false"
    - name: svc_enable
      value: "true"
    - name: svc_leasename
      value: plndr-svcs-lock
    - name: svc_election
      value: "true"
    - name: vip_leaderelection
      value: "true"
    - name: vip_leasename
      value: plndr-cp-lock
    - name: vip_leaseduration
      value: "15"
    - name: vip_renewdeadline
      value: "10"
    - name: vip_retryperiod
      value: "2"
    - name: address
      value: ")" +
         address +
         R"("
    - name: prometheus_server
      value: :2112
    image: )" +
         kKubeVipImage +
         R"(
    imagePullPolicy: IfNotPresent
    name: kube-vip
    resources: {}
    securityContext:
      capabilities:
        add:
        - NET_ADMIN
        - NET_RAW
    volumeMounts:
    - mountPath: /etc/kubernetes/admin.conf
      name: kubeconfig
    - mountPath: /etc/hosts
      name: etchosts
  hostNetwork: true
  volumes:
  - hostPath:
      path: /etc/kubernetes/admin.conf
    name: kubeconfig
  - hostPath:
      path: /etc/kube-vip.hosts
      type: File
    name: etchosts
status: {}
)";
}

// kubeadm >= 1.29 gives admin.conf its RBAC only after the API server is up
// through the VIP, which kube-vip must hold first: during `kubeadm init`
// kube-vip uses super-admin.conf instead (kube-vip/kube-vip#684; CAPV's
// 50-kube-vip-prepare.sh).
constexpr char kPrepareScript[] = R"sh(#!/bin/bash
set -e

# Configure the workaround required for kubeadm init with kube-vip:
# xref: https://github.com/kube-vip/kube-vip/issues/684

# Nothing to do for kubernetes < v1.29
KUBEADM_MINOR="$(kubeadm version -o short | cut -d '.' -f 2)"
if [[ "$KUBEADM_MINOR" -lt "29" ]]; then
  exit 0
fi

IS_KUBEADM_INIT="false"

# cloud-init kubeadm init
if [[ -f /run/kubeadm/kubeadm.yaml ]]; then
  IS_KUBEADM_INIT="true"
fi

# ignition kubeadm init
if [[ -f /etc/kubeadm.sh ]] && grep -q -e "kubeadm init" /etc/kubeadm.sh; then
  IS_KUBEADM_INIT="true"
fi

if [[ "$IS_KUBEADM_INIT" == "true" ]]; then
  sed -i 's#path: /etc/kubernetes/admin.conf#path: /etc/kubernetes/super-admin.conf#' \
    /etc/kubernetes/manifests/kube-vip.yaml
fi
)sh";

nlohmann::json File(const std::string& path, const std::string& content,
                    const char* permissions) {
  return {{"path", path},
          {"owner", "root:root"},
          {"permissions", permissions},
          {"content", content}};
}

}  // namespace

void AddKubeVip(const std::string& address, int port, nlohmann::json* config) {
  AppendTo(config, "files",
           File(kManifestPath, Manifest(address, port), "0644"));
  // kube-vip resolves "kubernetes" (admin.conf's server) to itself.
  AppendTo(config, "files",
           File(kHostsPath, "127.0.0.1 localhost kubernetes", "0644"));
  AppendTo(config, "files",
           File(std::string(kScriptDir) + "/50-kube-vip-prepare.sh",
                kPrepareScript, "0700"));
  AppendTo(config, "preKubeadmCommands", std::string("mkdir -p ") + kScriptDir);
  AppendTo(config, "preKubeadmCommands",
           std::string("for script in $(find ") + kScriptDir +
               "/ -name '*.sh' -type f | sort); do echo \"Running script "
               "$script\"; \"$script\"; done");
}

}  // namespace capigitops::render
