#!/usr/bin/env bash
# Builds capi-gitops (and capi-sandbox) into build/ after installing what is
# missing. Usage: scripts/build.sh [--sanitize]  (ASan+UBSan into build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

dir=build
flags=()
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  flags=(-DCAPIGITOPS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
fi
# ccache, when installed, makes rebuilds of unchanged units nearly free.
if command -v ccache >/dev/null; then
  flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
fi
cmake --build "$dir" -j "$(nproc)"
