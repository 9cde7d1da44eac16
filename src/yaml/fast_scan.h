// A scanner for the plain subset of YAML that cluster specs are written in,
// as a fast path in front of yaml-cpp (whose scanner was ~0.1 ms per spec,
// two thirds of validating a repository). It accepts only what it is sure
// to read exactly as yaml-cpp does, marks included; on anything else it
// returns false and the caller uses yaml-cpp, which also words the errors.
#ifndef CAPIGITOPS_YAML_FAST_SCAN_H_
#define CAPIGITOPS_YAML_FAST_SCAN_H_

#include <string>
#include <string_view>
#include <vector>

#include "capigitops/yaml.h"

namespace capigitops::yaml {

struct ScanEvent {
  enum Type { kMapStart, kMapEnd, kSeqStart, kSeqEnd, kScalar };
  Type type;
  int line = 0;         // 0-based, as yaml-cpp's marks
  int column = 0;       // 0-based
  std::string value;    // kScalar
  bool quoted = false;  // kScalar
};

// The events of `text` when it is one document of block maps and lists
// whose values are single-line plain or double-quoted (no escapes) scalars
// and single-line flow maps and lists, nested at most `max_depth` deep
// (deeper is left to the caller's limits); false otherwise.
bool FastScan(std::string_view text, std::vector<ScanEvent>* events,
              int max_depth = Limits{}.max_depth);

// ParseDocuments without the fast path: for tests that hold the two to
// the same trees.
std::vector<Node> ParseDocumentsWithYamlCpp(std::string_view text,
                                            const std::string& file,
                                            Diagnostics* diags,
                                            const Limits& limits = {});

}  // namespace capigitops::yaml

#endif  // CAPIGITOPS_YAML_FAST_SCAN_H_
