#include "util/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace capigitops {
namespace {

// Below this many items a thread costs more than it saves (~50 us to start).
constexpr size_t kMinItemsPerThread = 16;

// Runs fn over [0, n) on `threads` threads taking `chunk` indices at a time.
void Run(size_t n, const std::function<void(size_t)>& fn, unsigned threads,
         size_t chunk) {
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    for (;;) {
      size_t begin = next.fetch_add(chunk);
      if (begin >= n || failed.load()) return;
      try {
        for (size_t i = begin; i < std::min(n, begin + chunk); ++i) fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (unsigned t = 1; t < threads; ++t) {
    try {
      pool.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // out of threads: the ones we have (at least this one) suffice
    }
  }
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace

void ParallelFor(size_t n, const std::function<void(size_t)>& fn,
                 unsigned max_threads) {
  unsigned threads =
      max_threads != 0 ? max_threads : std::thread::hardware_concurrency();
  threads = static_cast<unsigned>(std::min<size_t>(
      std::max(threads, 1u), std::max<size_t>(n / kMinItemsPerThread, 1)));
  // Small chunks from a shared counter, so a slow item (or a descheduled
  // thread on a busy machine) does not leave the others idle.
  Run(n, fn, threads, 8);
}

void ParallelForBlocking(size_t n, const std::function<void(size_t)>& fn,
                         unsigned max_threads) {
  unsigned threads = static_cast<unsigned>(
      std::min<size_t>(std::max(max_threads, 1u), std::max<size_t>(n, 1)));
  Run(n, fn, threads, 1);
}

}  // namespace capigitops
