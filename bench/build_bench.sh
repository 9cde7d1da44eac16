#!/usr/bin/env bash
# Times a from-scratch build of every target: configures a fresh build
# directory (RelWithDebInfo, Ninja) with ccache disabled, builds with
# BUILD_JOBS jobs (default 2) and prints wall, user and system time.
# Usage: bench/build_bench.sh [source dir (default: this checkout)] [extra cmake args...]
# Example, the tree before the build work: git worktree add /tmp/before 3839a24
#   && bench/build_bench.sh /tmp/before
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
src="$(cd "${1:-$here}" && pwd)"
shift || true
jobs="${BUILD_JOBS:-2}"
dir="$(mktemp -d "${TMPDIR:-/tmp}/build-bench.XXXXXX")"
trap 'rm -rf "$dir"' EXIT

export CCACHE_DISABLE=1
cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" \
  >"$dir/configure.log"
TIMEFORMAT='%R %U %S'
# `time` of a group reports the children too: the compilers and linkers.
times="$( { time cmake --build "$dir" -j "$jobs" >"$dir/build.log" 2>&1; } 2>&1 )" || {
  tail -20 "$dir/build.log" >&2
  echo "build failed" >&2
  exit 1
}
read -r wall user sys <<<"$times"
steps="$(grep -c '^\[' "$dir/build.log" || true)"
load="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "source:   $src ($(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "jobs:     $jobs   build steps: $steps   load average after: $load"
printf 'wall:     %.0f s\nuser:     %.0f s\nsystem:   %.0f s\ncpu:      %.0f s (user + system)\n' \
  "$wall" "$user" "$sys" "$(echo "$user + $sys" | bc)"
