#!/usr/bin/env bash
# Benchmark: capi-gitops apply and no-op plan against capi-sandbox, compared
# with `kubectl apply --server-side` of the same rendered objects against a
# fresh sandbox, without and with 10 ms of API latency.
# Usage: bench/apply_bench.sh [N ...]   (default: 100 1000)
# BENCH_CONCURRENCY="16 32" (default) runs capi-gitops at each --concurrency;
# kubectl sends one request at a time, so it runs once per N and latency.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/build.sh >/dev/null
gitops=$root/build/capi-gitops
sandbox_bin=$root/build/capi-sandbox
kubectl=/usr/lib/google-cloud-sdk/bin/kubectl.1.32
[ -x "$kubectl" ] || kubectl=$(command -v kubectl)
sizes=("$@")
read -r -a concurrencies <<<"${BENCH_CONCURRENCY:-16 32}"
[ ${#sizes[@]} -eq 0 ] && sizes=(100 1000)

work=$(mktemp -d /tmp/capi-gitops-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

source bench/lib.sh  # make_repo, start_sandbox

peak_rss_kb() {
  if [ -x /usr/bin/time ]; then /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; else "$@" >/dev/null 2>&1; echo n/a; fi
}
now_ms() { date +%s%3N; }

printf '%-6s %-8s %-5s %-9s %12s %12s %8s %10s %10s %10s\n' N latency conc \
  objects "ours obj/s" "kubectl o/s" ratio "noop reqs" "noop ms" "peak KiB"
for n in "${sizes[@]}"; do
  repo=$work/repo-$n
  make_repo "$repo" "$n"
  "$gitops" render "$repo" >"$work/rendered-$n.yaml"
  objects=$(grep -c '^kind:' "$work/rendered-$n.yaml")
  for latency in 0 10; do
    theirs=$work/kubectl-$n-$latency
    start_sandbox "$theirs" --no-simulate --latency-ms "$latency" --log-requests "$theirs/requests.log"
    "$kubectl" --kubeconfig "$theirs/kubeconfig" --cache-dir "$theirs/cache" \
      create namespace capi-clusters >/dev/null
    k0=$(now_ms)
    "$kubectl" --kubeconfig "$theirs/kubeconfig" --cache-dir "$theirs/cache" \
      apply --server-side -f "$work/rendered-$n.yaml" >/dev/null
    k1=$(now_ms)
    kill "${pids[-1]}"
    kube_rate=$(awk -v o="$objects" -v ms=$((k1 - k0)) 'BEGIN{printf "%.0f", o*1000/(ms?ms:1)}')
    for conc in "${concurrencies[@]}"; do
      ours=$work/ours-$n-$latency-$conc
      flags=(--kubeconfig "$ours/kubeconfig" --concurrency "$conc")
      start_sandbox "$ours" --no-simulate --latency-ms "$latency" --log-requests "$ours/requests.log"
      t0=$(now_ms)
      "$gitops" apply "$repo" "${flags[@]}" >/dev/null 2>&1
      t1=$(now_ms)
      before=$(wc -l <"$ours/requests.log")
      p0=$(now_ms)
      rss=$(peak_rss_kb "$gitops" plan "$repo" "${flags[@]}")
      p1=$(now_ms)
      noop=$(( $(wc -l <"$ours/requests.log") - before ))
      kill "${pids[-1]}"
      ours_rate=$(awk -v o="$objects" -v ms=$((t1 - t0)) 'BEGIN{printf "%.0f", o*1000/(ms?ms:1)}')
      ratio=$(awk -v a="$ours_rate" -v b="$kube_rate" 'BEGIN{printf "%.1fx", a/(b?b:1)}')
      printf '%-6s %-8s %-5s %-9s %12s %12s %8s %10s %10s %10s\n' "$n" "${latency}ms" \
        "$conc" "$objects" "$ours_rate" "$kube_rate" "$ratio" "$noop" "$((p1 - p0))" "$rss"
    done
  done
done
