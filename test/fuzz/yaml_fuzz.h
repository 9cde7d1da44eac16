// The YAML fuzz target as a plain function, so the seed corpus and every
// crash the fuzzer ever found also run in the unit tests (corpus_test.cc).
#ifndef CAPIGITOPS_TEST_FUZZ_YAML_FUZZ_H_
#define CAPIGITOPS_TEST_FUZZ_YAML_FUZZ_H_

#include <cstddef>
#include <cstdint>

namespace capigitops::fuzz {

// Feeds `data` to the fast scanner, both parse paths, the JSON conversion
// and emitter, and the ClusterRequest, RepoConfig, Policy and PriceTable
// decoders. Aborts when the two parse paths disagree on input the fast
// scanner accepts; anything else wrong shows up as a sanitizer report.
int FuzzYaml(const uint8_t* data, size_t size);

}  // namespace capigitops::fuzz

#endif  // CAPIGITOPS_TEST_FUZZ_YAML_FUZZ_H_
