#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, runs the suite, then
# builds and runs it again under AddressSanitizer and UBSan.
# Usage: scripts/test.sh [--no-sanitize] [gtest filter]
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=1
if [ "${1:-}" = "--no-sanitize" ]; then sanitize=0; shift; fi
filter="${1:-*}"

# Tests find the upstream CRDs here; they skip with a message when absent.
export CAPIGITOPS_CRDS="${CAPIGITOPS_CRDS:-$PWD/../shared/capi-crds}"

scripts/build.sh
echo "== tests (build/)"
GTEST_FILTER="$filter" build/capigitops_test

if [ "$sanitize" = 1 ]; then
  scripts/build.sh --sanitize
  echo "== tests under AddressSanitizer + UBSan (build-asan/)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  GTEST_FILTER="$filter" build-asan/capigitops_test
fi
echo "== all tests passed"
