#!/usr/bin/env bash
# Soak (issue #17): `capi-gitops run` against capi-sandbox with injected
# faults for a long time, sampling the controller's memory and open file
# descriptors, to show that neither grows.
# Usage: bench/soak.sh [N] [SECONDS]   (default: 1000 clusters, 1800 s)
# SOAK_INTERVAL (default 10s) is run's --interval; SOAK_FAULT_RATE (0.05)
# the sandbox's --fault-rate; SOAK_SAMPLE (30) seconds between samples.
# BENCH_GITOPS=path runs another capi-gitops binary. Prints one line per
# sample (seconds, VmRSS and VmHWM in KiB, open fds, passes started so far,
# passes finished) and a summary; SOAK_KEEP=dir keeps the work directory.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
[ -n "${BENCH_GITOPS:-}" ] || scripts/build.sh >/dev/null
gitops=${BENCH_GITOPS:-$root/build/capi-gitops}
sandbox_bin=$root/build/capi-sandbox
n=${1:-1000}
duration=${2:-1800}
interval=${SOAK_INTERVAL:-10s}
every=${SOAK_SAMPLE:-30}

work=${SOAK_KEEP:-$(mktemp -d /tmp/capi-gitops-soak.XXXXXX)}
mkdir -p "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${SOAK_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
source bench/lib.sh  # make_repo, push_repo, start_sandbox

make_repo "$work/repo" "$n"
push_repo "$work/repo" "$work/remote.git"
start_sandbox "$work" --no-simulate --fault-rate "${SOAK_FAULT_RATE:-0.05}"

nice -n 10 "$gitops" run --repo "$work/remote.git" --kubeconfig "$work/kubeconfig" \
  --cache-dir "$work/cache" --interval "$interval" --metrics-addr 127.0.0.1:0 \
  >"$work/run.log" 2>&1 &
gitops_pid=$!
pids+=("$gitops_pid")

field() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$gitops_pid/status"; }
printf '%8s %10s %10s %6s %8s %9s\n' seconds "RSS KiB" "HWM KiB" fds started finished
start=$(date +%s)
rss_first="" fds_first="" rss_max=0 fds_max=0
while :; do
  t=$(($(date +%s) - start))
  kill -0 "$gitops_pid" 2>/dev/null || { echo "capi-gitops run exited" >&2; tail -5 "$work/run.log" >&2; exit 1; }
  rss=$(field VmRSS) hwm=$(field VmHWM)
  fds=$(ls "/proc/$gitops_pid/fd" | wc -l)
  started=$(grep -c "pass started" "$work/run.log" || true)
  finished=$(grep -c "pass finished" "$work/run.log" || true)
  printf '%8s %10s %10s %6s %8s %9s\n' "$t" "$rss" "$hwm" "$fds" "$started" "$finished"
  # "first": the first sample after the second pass (the first creates
  # everything), so that the summary compares steady states.
  [ -n "$rss_first" ] || ((finished < 2)) || { rss_first=$rss; fds_first=$fds; }
  ((rss > rss_max)) && rss_max=$rss
  ((fds > fds_max)) && fds_max=$fds
  ((t >= duration)) && break
  sleep "$every"
done
echo "summary: RSS first $rss_first KiB, last $rss KiB, max $rss_max KiB (peak $hwm KiB);" \
  "fds first $fds_first, last $fds, max $fds_max; passes $finished;" \
  "results: $(grep -o 'result=[a-z_]*' "$work/run.log" | sort | uniq -c | tr '\n' ' ')"
