#!/usr/bin/env bash
# The main job end to end on the embedded default: installs what is missing,
# builds, then runs capi-gitops on sample-repo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
bin=build/capi-gitops
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. validate sample-repo: specs, repo config, policies, cost"
$bin validate sample-repo

step "2. render: the CAPI objects the five specs expand to"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
$bin render sample-repo --out-dir "$out"
for f in "$out"/*.yaml; do
  printf '  %-32s %3d objects: %s\n' "$(basename "$f")" "$(grep -c '^kind:' "$f")" \
    "$(grep '^kind:' "$f" | awk '{print $2}' | sort | uniq -c | awk '{printf "%s%s×%s", sep, $1, $2; sep=", "}')"
done

step "3. a broken spec is rejected with file:line:column, and nothing else is affected"
broken=$(mktemp -d)
trap 'rm -rf "$out" "$broken"' EXIT
cp -r sample-repo/. "$broken"
sed -i 's/replicas: 2$/replicas: two/' "$broken/clusters/dev-sandbox.yaml"
set +e
$bin validate "$broken"
echo "(exit code $?)"
set -e
