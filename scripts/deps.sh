#!/usr/bin/env bash
# Installs the Debian packages that building and testing capi-gitops need,
# only those that are missing. Safe to run again and again.
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build pkg-config git ca-certificates lld  # lld: faster links
  libgit2-dev libyaml-cpp-dev nlohmann-json3-dev libcurl4-openssl-dev
  libcxxopts-dev libgtest-dev libgmock-dev libssl-dev
  libcpp-httplib-dev zlib1g-dev  # HTTP servers (controller endpoints, capi-sandbox)
  libjemalloc-dev        # the executables' allocator (CMakeLists.txt)
  lighttpd openssh-server openssh-client  # Git smart-HTTP and ssh test servers
  curl openssl           # the demo signs and sends a webhook, scrapes /metrics
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
