#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, runs the suite, then
# runs it again under AddressSanitizer and UBSan. The sanitizer build
# compiles (at low priority) while the plain suite runs: the suite spends
# most of its time waiting on subprocesses and timeouts, so the two overlap
# well even on two cores. CAPIGITOPS_TEST_SERIAL=1 runs them one after the
# other instead.
# Usage: scripts/test.sh [--no-sanitize] [gtest filter]
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=1
if [ "${1:-}" = "--no-sanitize" ]; then sanitize=0; shift; fi
filter="${1:-*}"

# The tests look for the upstream CRDs in $CAPIGITOPS_CRDS, then
# ../shared/capi-crds, then the cache fetch-crds.sh fills from the pinned
# scripts/crds.lock. Without network the fetch fails and the tests that need
# the CRDs skip, saying so; the rest still run.
if [ -z "${CAPIGITOPS_CRDS:-}" ] && [ ! -d ../shared/capi-crds ]; then
  echo "== fetching the pinned upstream CRDs (scripts/crds.lock)"
  scripts/fetch-crds.sh ||
    echo "== CRDs not fetched: the tests that need them will be skipped"
fi

scripts/build.sh

asan_pid=""
asan_log=build-asan/build.log
stop_asan_build() {
  # Its own session (setsid), so that the compilers go with it.
  if [ -n "$asan_pid" ]; then kill -- "-$asan_pid" 2>/dev/null || true; fi
}
trap stop_asan_build EXIT
if [ "$sanitize" = 1 ] && [ "${CAPIGITOPS_TEST_SERIAL:-0}" != 1 ]; then
  echo "== building build-asan/ in the background (log: $asan_log)"
  mkdir -p build-asan
  setsid nice -n 10 scripts/build.sh --sanitize >"$asan_log" 2>&1 &
  asan_pid=$!
fi

echo "== tests (build/)"
GTEST_FILTER="$filter" build/capigitops_test

if [ "$sanitize" = 1 ]; then
  if [ -n "$asan_pid" ]; then
    echo "== waiting for the build-asan/ build"
    status=0
    wait "$asan_pid" || status=$?
    asan_pid=""
    if [ "$status" != 0 ]; then
      tail -n 40 "$asan_log"
      echo "== build-asan/ failed (exit $status); full log: $asan_log"
      exit "$status"
    fi
  else
    scripts/build.sh --sanitize
  fi
  echo "== tests under AddressSanitizer + UBSan (build-asan/)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0" \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  GTEST_FILTER="$filter" build-asan/capigitops_test
fi
echo "== all tests passed"
