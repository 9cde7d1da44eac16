// The idle block shared by a ClusterRequest (spec.idle) and capi-gitops.yaml
// (idle, with ignoreNamespaces on top; there `after` is optional, and
// without it there is no default).
#ifndef CAPIGITOPS_SPEC_IDLE_DECODE_H_
#define CAPIGITOPS_SPEC_IDLE_DECODE_H_

#include <string>
#include <vector>

#include "capigitops/config.h"
#include "capigitops/field_reader.h"

namespace capigitops {

// Below this, gaps between steps of one pipeline (a download outside the
// cluster, a human look at results) would already count as idle.
constexpr int64_t kMinIdleAfter = 10 * 60;

// Decodes {after, action, teardownAfter} at `node` (which must be present)
// into `out`. `ignore` non-null: ignoreNamespaces is allowed too (the repo
// default). Returns false on errors, which go to ctx with file:line.
bool DecodeIdleSpec(const yaml::Node& node, const std::string& path,
                    DecodeContext* ctx, IdleSpec* out,
                    std::vector<std::string>* ignore);

}  // namespace capigitops

#endif  // CAPIGITOPS_SPEC_IDLE_DECODE_H_
