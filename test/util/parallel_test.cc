#include "util/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

namespace capigitops {
namespace {

TEST(ParallelForTest, CallsEveryIndexOnce) {
  for (size_t n : {0u, 1u, 15u, 1000u}) {
    std::vector<std::atomic<int>> calls(n);
    ParallelFor(
        n, [&](size_t i) { ++calls[i]; }, 4);
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(calls[i].load(), 1) << i;
  }
}

TEST(ParallelForTest, RethrowsTheFirstException) {
  EXPECT_THROW(ParallelFor(
                   1000,
                   [](size_t i) {
                     if (i == 500) throw std::runtime_error("boom");
                   },
                   4),
               std::runtime_error);
}

}  // namespace
}  // namespace capigitops
