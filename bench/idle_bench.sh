#!/usr/bin/env bash
# Benchmark (issue #12): what reading every workload cluster for idleness
# costs a reconcile pass. N docker clusters with sample-repo's add-on
# catalog are created in capi-sandbox (each gets its own simulated workload
# API), then no-op `reconcile` passes are timed with `spec.idle` on every
# cluster and without it. Prints wall time, peak RSS and the requests each
# pass sent to the workload APIs (from the sandbox's request log).
# Usage: bench/idle_bench.sh [N ...]   (default: 100 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/build.sh >/dev/null
gitops=$root/build/capi-gitops
sandbox_bin=$root/build/capi-sandbox
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(100 1000)

work=$(mktemp -d /tmp/capi-gitops-idle-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
now_ms() { date +%s%3N; }
source bench/lib.sh  # push_repo, start_sandbox
# The upstream CRDs (CAAPH's HelmReleaseProxy among them), as the tests find them.
crds=()
for c in "${CAPIGITOPS_CRDS:-}" "$root/../shared/capi-crds" "$HOME/.cache/capi-gitops/crds"; do
  [ -n "$c" ] && [ -d "$c" ] && { crds=(--crds "$c"); break; }
done

make_idle_repo() {  # dir n idle(0|1)
  mkdir -p "$1/clusters"
  cp sample-repo/capi-gitops.yaml "$1/"
  cp -r sample-repo/addons "$1/"
  local i idle=""
  [ "$3" = 1 ] && idle="  idle: {after: 30m, action: teardown}"
  for ((i = 0; i < $2; i++)); do
    cat >"$1/clusters/idle-$i.yaml" <<YAML
apiVersion: capigitops.io/v1alpha1
kind: ClusterRequest
metadata: {name: idle-$i, labels: {team: bench}}
spec:
  owner: bench
  provider: docker
  controlPlane: {replicas: 1}
  nodePools:
  - {name: workers, replicas: 1}
  ttl: 4h
$idle
YAML
  done
}

pass() {  # dir now -> "ms rss_kib"
  local t0 t1 rss
  t0=$(now_ms)
  rss=$(/usr/bin/time -f "%M" "$gitops" reconcile --repo "$1/remote.git" \
    --kubeconfig "$1/kubeconfig" --cache-dir "$1/cache" --now "$2" 2>&1 >/dev/null | tail -1)
  t1=$(now_ms)
  echo "$((t1 - t0)) $rss"
}

printf '%-6s %-6s %10s %10s %14s %14s\n' N idle "pass ms" "peak KiB" "workload reqs" "all requests"
for n in "${sizes[@]}"; do
  for idle in 0 1; do
    d=$work/n$n-idle$idle
    mkdir -p "$d"
    make_idle_repo "$d/repo" "$n" "$idle"
    push_repo "$d/repo" "$d/remote.git"
    start_sandbox "$d" "${crds[@]}" --log-requests "$d/requests.log"
    KUBECONFIG=$d/kubeconfig kubectl create namespace capi-clusters >/dev/null
    # Create everything, then pass until every cluster is usable (CAPI and
    # the add-ons settle asynchronously in the sandbox too).
    # The clock stands still meanwhile: idle.after (30m) must not pass.
    for _ in $(seq 40); do
      pass "$d" "2026-11-27T08:00:00Z" >/dev/null
      usable=$({ git --git-dir "$d/remote.git" grep -l "usable: true" main -- status 2>/dev/null || true; } | wc -l)
      [ "$usable" -ge "$n" ] && break
      sleep 1
    done
    [ "$usable" -ge "$n" ] || echo "only $usable of $n clusters usable" >&2
    before=$(wc -l <"$d/requests.log")
    read -r ms rss < <(pass "$d" "2026-11-27T08:05:00Z")
    total=$(($(wc -l <"$d/requests.log") - before))
    workload=$(tail -n +"$((before + 1))" "$d/requests.log" | grep -c ' /workload/' || true)
    printf '%-6s %-6s %10s %10s %14s %14s\n' "$n" "$idle" "$ms" "$rss" "$workload" "$total"
    [ -n "${BENCH_SHOW_STATUS:-}" ] && git --git-dir "$d/remote.git" show main:status/idle-0.yaml
    kill "${pids[-1]}"
  done
done
