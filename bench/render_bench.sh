#!/usr/bin/env bash
# Benchmark: capi-gitops validate and render of N generated ClusterRequests
# (gcp, aws, azure and docker in turn, as in apply_bench.sh), no cluster.
# Usage: bench/render_bench.sh [N ...]   (default: 1000 10000)
# BENCH_RUNS=3 (default) runs each command that often and keeps the fastest,
# since the wall time on a shared machine is noisy upwards only.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/build.sh >/dev/null
gitops=${BENCH_GITOPS:-$root/build/capi-gitops}
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000)
runs=${BENCH_RUNS:-3}

work=$(mktemp -d /tmp/capi-gitops-render-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

source bench/lib.sh  # make_repo

# Prints "<best wall ms> <peak RSS KiB of that run>" of `capi-gitops "$@"`.
measure() {
  local best_ms="" best_rss="" i t0 t1 rss
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    # validate exits 1 when a policy denies a cluster; the time counts all the same.
    rss=$(/usr/bin/time -f "%M" "$gitops" "$@" 2>&1 >/dev/null | tail -1) || true
    t1=$(date +%s%N)
    local ms=$(((t1 - t0) / 1000000))
    if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then
      best_ms=$ms
      best_rss=$rss
    fi
  done
  echo "$best_ms $best_rss"
}

printf '%-7s %-9s %8s %10s %12s %12s\n' N command objects "wall ms" "objects/s" "peak KiB"
for n in "${sizes[@]}"; do
  repo=$work/repo-$n
  make_repo "$repo" "$n" 1
  objects=$("$gitops" render "$repo" | grep -c '^kind:')
  for cmd in validate render; do
    read -r ms rss < <(measure "$cmd" "$repo")
    rate=$(awk -v o="$objects" -v ms="$ms" 'BEGIN{printf "%.0f", o*1000/(ms?ms:1)}')
    printf '%-7s %-9s %8s %10s %12s %12s\n' "$n" "$cmd" "$objects" "$ms" "$rate" "$rss"
  done
done
