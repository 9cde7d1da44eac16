// The rows of the built-in machine shape table (machine_tables.cc), read by
// machine_catalog.cc only.
#ifndef CAPIGITOPS_SPEC_MACHINE_TABLES_H_
#define CAPIGITOPS_SPEC_MACHINE_TABLES_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "capigitops/config.h"

namespace capigitops {

struct ShapeRow {
  std::string_view type;
  int cpus;
  int64_t memory_mib;
  std::string_view gpu_type;  // empty: no GPU
  int gpu_count;
};

// The built-in rows of `provider`; empty for vSphere, OpenStack and Docker.
std::span<const ShapeRow> BuiltinShapes(Provider provider);

}  // namespace capigitops

#endif  // CAPIGITOPS_SPEC_MACHINE_TABLES_H_
