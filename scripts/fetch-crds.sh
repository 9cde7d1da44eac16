#!/usr/bin/env bash
# Downloads the upstream CRDs pinned in scripts/crds.lock into a cache and
# checks each file's SHA-256; the tests use the cache when neither
# $CAPIGITOPS_CRDS nor ../shared/capi-crds exists.
# Usage: scripts/fetch-crds.sh [cache dir]
#   cache dir: default $CAPIGITOPS_CRD_CACHE, else
#              ${XDG_CACHE_HOME:-$HOME/.cache}/capi-gitops/crds
#   CAPIGITOPS_CRDS_LOCK: another lock file (tests use file:// URLs)
# Exits 0 when every file is in the cache and verified, 1 otherwise, listing
# each file that could not be fetched or did not match its checksum. Only a
# complete, verified cache gets the ".complete" stamp the tests look for.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lock="${CAPIGITOPS_CRDS_LOCK:-$here/crds.lock}"
cache="${1:-${CAPIGITOPS_CRD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/capi-gitops/crds}}"

sha256() { sha256sum "$1" | cut -d' ' -f1; }

if [ ! -r "$lock" ]; then
  echo "fetch-crds: cannot read lock file $lock" >&2
  exit 1
fi
if ! command -v curl >/dev/null; then
  echo "fetch-crds: curl is not installed; install it or set CAPIGITOPS_CRDS" >&2
  exit 1
fi
mkdir -p "$cache" || exit 1
rm -f "$cache/.complete"

total=0 failed=0 fetched=0
while read -r want path url; do
  case "$want" in ''|'#'*) continue ;; esac
  total=$((total + 1))
  case "$path" in /*|*..*)
    echo "fetch-crds: $path: path must stay inside the cache" >&2
    failed=$((failed + 1)); continue ;;
  esac
  dest="$cache/$path"
  if [ -f "$dest" ] && [ "$(sha256 "$dest")" = "$want" ]; then continue; fi
  mkdir -p "$(dirname "$dest")"
  tmp="$dest.part"
  if ! err="$(curl -fsSL --retry 2 --connect-timeout 15 --max-time 120 \
                   -o "$tmp" "$url" 2>&1)"; then
    echo "fetch-crds: $path: download failed from $url: $err" >&2
    rm -f "$tmp"; failed=$((failed + 1)); continue
  fi
  got="$(sha256 "$tmp")"
  if [ "$got" != "$want" ]; then
    echo "fetch-crds: $path: SHA-256 mismatch for $url: got $got, want $want" >&2
    rm -f "$tmp"; failed=$((failed + 1)); continue
  fi
  mv -f "$tmp" "$dest"
  fetched=$((fetched + 1))
done <"$lock"

if [ "$failed" -ne 0 ]; then
  echo "fetch-crds: $failed of $total CRD files missing from $cache" >&2
  exit 1
fi
sha256 "$lock" >"$cache/.complete"
echo "fetch-crds: $total CRD files verified in $cache ($fetched downloaded)"
