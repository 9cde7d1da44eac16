// libFuzzer target for the status file path (targets.h): what a live CAPI
// Cluster (from the API, so hostile) puts into status/<name>.yaml, and the
// status file read back.
#include <cstdio>
#include <string>
#include <string_view>

#include "capigitops/json.h"
#include "capigitops/writeback.h"
#include "capigitops/yaml.h"
#include "fuzz/targets.h"

namespace capigitops::fuzz {

int FuzzStatus(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Diagnostics read_back;
  yaml::ParseDocuments(text, "status/f.yaml", &read_back);
  StatusOr<nlohmann::json> live = yaml::ParseJson(text, "cluster");
  if (!live.ok()) return 0;
  ClusterStatusInput in;
  in.name = "f";
  in.live_cluster = std::move(live).value();
  in.applied_revision = "abc";
  in.created_at = 1700000000;
  in.now = 1700003600;
  in.last_error = std::string(text.substr(0, 64));
  (void)DerivePhase(in);
  // A live object of the wrong shape must be read defensively: an
  // exception out of here ends the fuzzer (and fails corpus_test).
  std::string file = RenderStatusFile(in);
  // What we commit must read back as exactly the one document we wrote.
  Diagnostics diags;
  std::vector<yaml::Node> docs =
      yaml::ParseDocuments(file, "status/f.yaml", &diags);
  if (docs.size() != 1 || HasErrors(diags)) {
    std::fprintf(stderr, "status file does not read back:\n%s\n", file.c_str());
    for (const Diagnostic& d : diags) {
      std::fprintf(stderr, "%s\n", d.ToString().c_str());
    }
    __builtin_trap();
  }
  return 0;
}

}  // namespace capigitops::fuzz

#ifdef CAPIGITOPS_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return capigitops::fuzz::FuzzStatus(data, size);
}
#endif
