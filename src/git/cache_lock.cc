// LockCacheDir: flock(2) on <cache>/capi-gitops.lock, shared within a
// process, and stale Git lock files removed by its first holder.
#include "git/cache_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>

namespace capigitops::git {

struct CacheLock::Shared {
  int fd = -1;
  ~Shared() {
    if (fd >= 0) close(fd);  // releases the flock
  }
};

namespace {

namespace fs = std::filesystem;

// The locks this process holds, by canonical directory. Weak: the last
// CacheLock of a directory releases it.
std::mutex& LocksMutex() {
  static std::mutex* mu = new std::mutex;  // never destroyed: no exit order
  return *mu;
}
std::map<std::string, std::weak_ptr<CacheLock::Shared>>& Locks() {
  static auto* locks =
      new std::map<std::string, std::weak_ptr<CacheLock::Shared>>;
  return *locks;
}

// Git's lock files (<file>.lock) a killed process left: the refs', the
// packed refs', HEAD's and config's. Objects are written to temporary
// names and renamed, so a killed write leaves no lock there.
Status RemoveStaleGitLocks(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> stale;
  for (const char* top : {"HEAD.lock", "packed-refs.lock", "config.lock",
                          "index.lock", "FETCH_HEAD.lock"}) {
    if (fs::exists(dir / top, ec)) stale.push_back(dir / top);
  }
  if (fs::is_directory(dir / "refs", ec)) {
    for (auto it = fs::recursive_directory_iterator(dir / "refs", ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->path().extension() == ".lock") stale.push_back(it->path());
    }
  }
  for (const fs::path& p : stale) {
    if (!fs::remove(p, ec) && ec) {
      return Status::Internal("removing the stale Git lock " + p.string() +
                              ": " + ec.message());
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<CacheLock>> LockCacheDir(const std::string& dir,
                                                  int wait_ms) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::path canonical = fs::weakly_canonical(dir, ec);
  if (ec) canonical = fs::absolute(dir);
  std::lock_guard<std::mutex> lock(LocksMutex());
  std::weak_ptr<CacheLock::Shared>& slot = Locks()[canonical.string()];
  if (std::shared_ptr<CacheLock::Shared> held = slot.lock()) {
    return std::make_unique<CacheLock>(held);
  }
  auto shared = std::make_shared<CacheLock::Shared>();
  const std::string path = (canonical / kCacheLockFile).string();
  shared->fd = open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
  if (shared->fd < 0) {
    return Status::Internal("cannot open the cache lock " + path + ": " +
                            std::strerror(errno));
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (flock(shared->fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return Status::Internal("cannot lock the cache " + path + ": " +
                              std::strerror(errno));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable(
          "the Git cache directory " + canonical.string() +
          " is in use by another capi-gitops process: give each process its "
          "own --cache-dir");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  RETURN_IF_ERROR(RemoveStaleGitLocks(canonical));
  slot = shared;
  return std::make_unique<CacheLock>(std::move(shared));
}

}  // namespace capigitops::git
