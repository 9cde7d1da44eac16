// Runs independent pieces of pure work (one per cluster) on a few threads.
#ifndef CAPIGITOPS_UTIL_PARALLEL_H_
#define CAPIGITOPS_UTIL_PARALLEL_H_

#include <cstddef>
#include <functional>

namespace capigitops {

// Calls fn(i) for every i in [0, n), on up to `max_threads` threads
// (0: one per hardware thread), the calling thread included. Returns when all
// calls have returned. Calls must not depend on each other's order; callers
// write into slot i of a pre-sized vector and merge afterwards, so results
// stay in input order. An exception thrown by fn is rethrown here (the
// first one; the remaining indices are skipped).
void ParallelFor(size_t n, const std::function<void(size_t)>& fn,
                 unsigned max_threads = 0);

// The same for blocking work (network requests): a thread per index up to
// `max_threads` however few the indices, taking one index at a time, since
// the threads mostly wait and a batch would queue requests behind a slow one.
void ParallelForBlocking(size_t n, const std::function<void(size_t)>& fn,
                         unsigned max_threads);

}  // namespace capigitops

#endif  // CAPIGITOPS_UTIL_PARALLEL_H_
