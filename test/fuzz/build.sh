#!/usr/bin/env bash
# Builds the libFuzzer targets of test/fuzz with clang, ASan and UBSan, apart
# from the CMake build (which uses g++ and compiles the targets into the unit
# tests without the libFuzzer entry point). Usage:
#   test/fuzz/build.sh [OUT_DIR]            # default build-fuzz/
#   build-fuzz/yaml_fuzz -max_total_time=60 -max_len=65536 \
#       build-fuzz/corpus test/fuzz/corpus/yaml
# Crashes are written as crash-<sha1> in the current directory; copy each
# into test/fuzz/corpus/yaml/ so corpus_test.cc keeps it fixed.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build-fuzz}
mkdir -p "$out/obj" "$out/corpus"
cxx=${CXX_FUZZ:-clang++}
launcher=()
if command -v ccache >/dev/null; then launcher=(ccache); fi
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer
       -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
       -DCAPIGITOPS_LIBFUZZER -DCAPIGITOPS_VERSION=\"fuzz\"
       -DCAPIGITOPS_SOURCE_DIR=\"$PWD\" -Iinclude -Isrc -Itest)
# The loaders and what they use; the rest of src/ is not linked in.
sources=(src/yaml/*.cc src/spec/*.cc src/policy/*.cc src/util/*.cc
         src/schema/*.cc test/fuzz/yaml_fuzz.cc)
jobs_max=$(nproc)
for src in "${sources[@]}"; do
  "${launcher[@]}" "$cxx" "${flags[@]}" -c "$src" \
    -o "$out/obj/$(echo "$src" | tr / _).o" &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n; done
rm -f "$out/libfuzzcore.a"
ar rcs "$out/libfuzzcore.a" "$out"/obj/*.o
"$cxx" -fsanitize=fuzzer,address,undefined -o "$out/yaml_fuzz" \
  "$out/obj/test_fuzz_yaml_fuzz.cc.o" "$out/libfuzzcore.a" -lyaml-cpp -lpthread
echo "built $out/yaml_fuzz"
