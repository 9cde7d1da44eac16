#!/usr/bin/env bash
# CI's bounded fuzzing run: builds every libFuzzer target (build.sh), then
# runs each for SECONDS (default 30; six targets, so about 3 minutes plus
# the build) on its seed corpus, test/fuzz/corpus/<target>/. Exits non-zero
# on the first crash, leak, timeout or sanitizer report, leaving the input
# in build-fuzz/crashes/<target>/. New interesting inputs are kept in
# build-fuzz/corpus/<target>/ (not in the repository).
# Usage: test/fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
  targets=(yaml kubeconfig webhook sandbox status live_list)
fi
out=build-fuzz
if [ "${CAPIGITOPS_FUZZ_NO_BUILD:-0}" != 1 ]; then
  test/fuzz/build.sh "$out"
fi
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t" "$out/crashes/$t"
  echo "== fuzzing $t for ${seconds}s"
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: a memory bomb
  # is a finding too. The seed corpus is read, never written.
  if ! "$out/${t}_fuzz" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 \
      -artifact_prefix="$out/crashes/$t/" \
      "$out/corpus/$t" "test/fuzz/corpus/$t" 2>"$out/$t.log"; then
    tail -n 60 "$out/$t.log"
    echo "== $t: crash; input in $out/crashes/$t/ (log: $out/$t.log)"
    exit 1
  fi
  grep -E "stat::number_of_executed_runs|cov:" "$out/$t.log" | tail -n 2 || true
done
echo "== fuzzing passed: ${targets[*]}"
