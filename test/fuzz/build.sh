#!/usr/bin/env bash
# Builds the libFuzzer targets of test/fuzz with clang, ASan and UBSan, apart
# from the CMake build (which uses g++ and compiles the targets into the unit
# tests without the libFuzzer entry point). Usage:
#   test/fuzz/build.sh [OUT_DIR]            # default build-fuzz/
# Targets (one executable each, corpus in test/fuzz/corpus/<name>/):
#   yaml_fuzz        the YAML layer and the repository decoders
#   kubeconfig_fuzz  the kubeconfig loader
#   webhook_fuzz     webhook signature and payload handling
#   sandbox_fuzz     capi-sandbox's JSON patch, merge patch and SSA code
#   status_fuzz      live Cluster -> status file -> read back
#   live_list_fuzz   a LIST body: the live read's encoder against the tree path
# test/fuzz/run.sh builds them and runs each for a bounded time (CI).
# Crashes are written as crash-<sha1>; fix the bug, then copy the input into
# test/fuzz/corpus/<name>/ so corpus_test.cc keeps it fixed.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build-fuzz}
mkdir -p "$out/obj"
cxx=${CXX_FUZZ:-clang++}
launcher=()
if command -v ccache >/dev/null; then launcher=(ccache); fi
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer
       -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
       -DCAPIGITOPS_LIBFUZZER -DCAPIGITOPS_VERSION=\"fuzz\"
       -DCAPIGITOPS_SOURCE_DIR=\"$PWD\" -Iinclude -Isrc -Isandbox -Itest)
# What the targets use; the rest of src/ (git, reconcile, app, the rest of
# daemon) is not linked in. capi-sandbox's HTTP server and watches are left
# out: the fuzzer calls its request handler directly.
sources=(src/yaml/*.cc src/spec/*.cc src/policy/*.cc src/util/*.cc
         src/schema/*.cc src/kube/*.cc src/writeback/*.cc src/sync/*.cc
         src/daemon/webhook.cc)
for f in sandbox/*.cc; do
  case "$f" in sandbox/main.cc|sandbox/server.cc|sandbox/watch.cc) ;;
    *) sources+=("$f") ;;
  esac
done
targets=(yaml kubeconfig webhook sandbox status live_list)
for t in "${targets[@]}"; do sources+=("test/fuzz/${t}_fuzz.cc"); done
jobs_max=$(nproc)
for src in "${sources[@]}"; do
  obj="$out/obj/$(echo "$src" | tr / _).o"
  "${launcher[@]}" "$cxx" "${flags[@]}" -c "$src" -o "$obj" &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || exit 1; done
rm -f "$out/libfuzzcore.a"
ar rcs "$out/libfuzzcore.a" $(ls "$out"/obj/*.o | grep -v '_fuzz\.cc\.o$')
for t in "${targets[@]}"; do
  "$cxx" -fsanitize=fuzzer,address,undefined -o "$out/${t}_fuzz" \
    "$out/obj/test_fuzz_${t}_fuzz.cc.o" "$out/libfuzzcore.a" \
    -lyaml-cpp -lcurl -lssl -lcrypto -lz -lpthread
  echo "built $out/${t}_fuzz"
done
