// The libFuzzer targets beside the YAML one (yaml_fuzz.h), as plain
// functions, so their seed corpora and every crash the fuzzer ever found
// also run in the unit tests (corpus_test.cc). test/fuzz/build.sh links each
// into its own fuzzer; test/fuzz/run.sh runs them for a bounded time in CI.
#ifndef CAPIGITOPS_TEST_FUZZ_TARGETS_H_
#define CAPIGITOPS_TEST_FUZZ_TARGETS_H_

#include <cstddef>
#include <cstdint>

namespace capigitops::fuzz {

// A kubeconfig file through ResolveKubeconfig (merge, context, users, exec,
// every message): corpus/kubeconfig.
int FuzzKubeconfig(const uint8_t* data, size_t size);

// A webhook delivery: the first line is the headers ("name: value" joined
// by '|'), the rest the body; deliveries whose first byte is even are signed
// with the right secret, so the payload handling is reached too.
// corpus/webhook.
int FuzzWebhook(const uint8_t* data, size_t size);

// capi-sandbox's write path: the first byte picks a verb, media type and
// kind, the rest is the body (JSON patch, merge patch, apply or a whole
// object) sent against a stored object; then the body goes to the JSON and
// merge patch functions directly. corpus/sandbox.
int FuzzSandbox(const uint8_t* data, size_t size);

// The status file path: the input as a live CAPI Cluster (JSON) rendered
// into status/<name>.yaml, which must read back as one YAML document; and
// the input itself read as a status file. corpus/status.
int FuzzStatus(const uint8_t* data, size_t size);

// A LIST body through the live read's encoder (LiveListEncoder) and through
// the tree path it replaced: the decoded objects, their encoded sizes and
// the names and labels noted must agree. corpus/live_list.
int FuzzLiveList(const uint8_t* data, size_t size);

}  // namespace capigitops::fuzz

#endif  // CAPIGITOPS_TEST_FUZZ_TARGETS_H_
