#include "util/memory.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace capigitops {
namespace {

// Resident pages of this process, in KiB (/proc/self/statm).
long ResidentKib() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * 4;
}

// What a pass does: many small nodes, all freed at its end. Without the
// purge their pages stay with the allocator (jemalloc's dirty pages, glibc's
// arena top), and a long-running controller's RSS would stay at its
// busiest pass's.
TEST(ReturnFreedMemoryTest, GivesThePagesOfFreedSmallAllocationsBack) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's allocator keeps freed memory in "
                  "quarantine by design; the plain suite runs this test";
#endif
  ReturnFreedMemory();
  const long before = ResidentKib();
  {
    std::vector<std::unique_ptr<std::string>> nodes;
    for (int i = 0; i < 1'000'000; ++i) {  // ~100 MB of 100-byte strings
      nodes.push_back(std::make_unique<std::string>(100, 'x'));
    }
    ASSERT_GT(ResidentKib(), before + 64 * 1024);
  }
  ReturnFreedMemory();
  EXPECT_LT(ResidentKib(), before + 16 * 1024);
}

}  // namespace
}  // namespace capigitops
