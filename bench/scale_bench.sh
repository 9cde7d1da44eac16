#!/usr/bin/env bash
# Benchmark (issue #17): memory and time of a no-op `plan` and `reconcile`
# at scale. For each N: N generated ClusterRequests (bench/lib.sh) in a Git
# repository, a capi-sandbox on 127.0.0.1 (no simulated controllers), one
# `apply`, one `reconcile` (writes the first status commit), then the
# measured no-op `plan` and no-op `reconcile`: peak RSS, wall and CPU time
# (/usr/bin/time -v) and the requests each sent (the sandbox's request log).
# Usage: bench/scale_bench.sh [N ...]   (default: 1000 10000)
# BENCH_GITOPS=path measures another capi-gitops binary; BENCH_RUNS=K
# measures each no-op command K times (default 1; a 2-core machine varies
# from run to run, so the final figures take the median of 3 or more).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
[ -n "${BENCH_GITOPS:-}" ] || scripts/build.sh >/dev/null
gitops=${BENCH_GITOPS:-$root/build/capi-gitops}
sandbox_bin=$root/build/capi-sandbox
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000)

work=$(mktemp -d /tmp/capi-gitops-scale-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
source bench/lib.sh  # make_repo, push_repo, start_sandbox

# Runs a command under /usr/bin/time -v; prints "rss_kib wall_s user_s".
measure() {  # out-file cmd...
  local out=$1
  shift
  /usr/bin/time -v -o "$out" "$@" >/dev/null 2>&1 || true
  awk -F': ' '/Maximum resident/ {rss = $2}
    /User time/ {user = $2}
    /Elapsed \(wall/ {n = split($2, t, ":"); wall = t[n] + (n > 1 ? t[n-1] * 60 : 0)}
    END {printf "%s %.2f %.2f\n", rss, wall, user}' "$out"
}

printf '%-6s %-10s %10s %8s %8s %9s\n' N command "peak KiB" "wall s" "user s" requests
for n in "${sizes[@]}"; do
  d=$work/n$n
  mkdir -p "$d"
  make_repo "$d/repo" "$n"
  push_repo "$d/repo" "$d/remote.git"
  start_sandbox "$d" --no-simulate --log-requests "$d/requests.log"
  kube=(--kubeconfig "$d/kubeconfig")
  "$gitops" apply "$d/repo" "${kube[@]}" >/dev/null 2>&1
  rec=(reconcile --repo "$d/remote.git" "${kube[@]}" --cache-dir "$d/cache")
  "$gitops" "${rec[@]}" >/dev/null 2>&1 || true  # the first status commit
  for cmd in $(for _ in $(seq "${BENCH_RUNS:-1}"); do echo plan reconcile; done); do
    before=$(wc -l <"$d/requests.log")
    if [ "$cmd" = plan ]; then
      read -r rss wall user < <(measure "$d/time-$cmd" "$gitops" plan "$d/repo" "${kube[@]}")
    else
      read -r rss wall user < <(measure "$d/time-$cmd" "$gitops" "${rec[@]}")
    fi
    reqs=$(($(wc -l <"$d/requests.log") - before))
    printf '%-6s %-10s %10s %8s %8s %9s\n' "$n" "$cmd" "$rss" "$wall" "$user" "$reqs"
  done
  kill "${pids[-1]}"
done
