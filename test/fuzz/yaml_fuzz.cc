// libFuzzer target for the YAML layer and the repository decoders. Built by
// test/fuzz/build.sh with clang -fsanitize=fuzzer,address,undefined and
// -DCAPIGITOPS_LIBFUZZER; the g++ build compiles it into the unit tests.
#include "fuzz/yaml_fuzz.h"

#include <cstdlib>
#include <string>
#include <string_view>

#include "capigitops/loader.h"
#include "capigitops/policy.h"
#include "capigitops/yaml.h"
#include "yaml/fast_scan.h"

namespace capigitops::fuzz {
namespace {

bool SameTree(const yaml::Node& a, const yaml::Node& b) {
  if (a.kind != b.kind || a.scalar != b.scalar || a.quoted != b.quoted ||
      a.mark.line != b.mark.line || a.mark.column != b.mark.column ||
      a.map.size() != b.map.size() || a.seq.size() != b.seq.size()) {
    return false;
  }
  for (size_t i = 0; i < a.map.size(); ++i) {
    if (!SameTree(a.map[i].first, b.map[i].first) ||
        !SameTree(a.map[i].second, b.map[i].second)) {
      return false;
    }
  }
  for (size_t i = 0; i < a.seq.size(); ++i) {
    if (!SameTree(a.seq[i], b.seq[i])) return false;
  }
  return true;
}

void ParseBothWays(std::string_view text) {
  std::vector<yaml::ScanEvent> events;
  bool fast = yaml::FastScan(text, &events);
  Diagnostics fast_diags, slow_diags;
  std::vector<yaml::Node> a = yaml::ParseDocuments(text, "f", &fast_diags);
  std::vector<yaml::Node> b =
      yaml::ParseDocumentsWithYamlCpp(text, "f", &slow_diags);
  for (const yaml::Node& doc : a) {
    std::string out;
    yaml::EmitTo(yaml::ToJson(doc), &out);
  }
  if (!fast) return;
  // The fast path must read what yaml-cpp reads.
  bool same = a.size() == b.size() && fast_diags.size() == slow_diags.size();
  for (size_t i = 0; same && i < a.size(); ++i) same = SameTree(a[i], b[i]);
  for (size_t i = 0; same && i < fast_diags.size(); ++i) {
    same = fast_diags[i].ToString() == slow_diags[i].ToString();
  }
  if (!same) std::abort();
}

}  // namespace

int FuzzYaml(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ParseBothWays(text);
  Diagnostics diags;
  RepoConfig config;
  LoadRepoConfig("capi-gitops.yaml", text, &config, &diags);
  LoadClusterRequest("clusters/f.yaml", text, RepoConfig{}, &diags);
  std::vector<Policy> policies;
  LoadPolicies("policies/f.yaml", text, &policies, &diags);
  PriceTable prices;
  LoadPriceTable("policies/prices.yaml", text, &prices);
  return 0;
}

}  // namespace capigitops::fuzz

#ifdef CAPIGITOPS_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return capigitops::fuzz::FuzzYaml(data, size);
}
#endif
