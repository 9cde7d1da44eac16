// One capi-gitops process at a time in a Git cache directory (for each
// fetch, read or commit: a controller that keeps its source between passes
// does not keep other processes out), and what a killed one left behind
// cleared.
//
// A process killed while libgit2 updates a ref (SIGKILL, OOM, a node going
// away) leaves its lock file, e.g. refs/remotes/origin/main.lock, and every
// later fetch that must move that ref fails with "failed to lock file" until
// someone deletes it. Git cannot tell a stale lock from a live one; an
// flock(2) held while a process works in the cache can, since the kernel
// drops it when the process dies. So whoever takes the cache's lock removes
// the leftover *.lock files (unless another source of the same process
// holds it already): no other process can be working in the cache then.
#ifndef CAPIGITOPS_GIT_CACHE_LOCK_H_
#define CAPIGITOPS_GIT_CACHE_LOCK_H_

#include <memory>
#include <string>

#include "capigitops/status.h"

namespace capigitops::git {

// The lock file in every cache directory; BoundCache keeps it when it
// empties the cache.
inline constexpr const char* kCacheLockFile = "capi-gitops.lock";

// Held while alive. Instances of one process share one lock per directory
// (a spec and a status source may share a cache).
class CacheLock {
 public:
  struct Shared;
  explicit CacheLock(std::shared_ptr<Shared> shared)
      : shared_(std::move(shared)) {}

 private:
  std::shared_ptr<Shared> shared_;
};

// Locks `dir` (created if missing), waiting up to `wait_ms` for another
// process to let go of it; then removes leftover lock files when this is
// the process's first lock of `dir`. Unavailable, naming the directory,
// when another process still holds it.
StatusOr<std::unique_ptr<CacheLock>> LockCacheDir(const std::string& dir,
                                                  int wait_ms);

}  // namespace capigitops::git

#endif  // CAPIGITOPS_GIT_CACHE_LOCK_H_
