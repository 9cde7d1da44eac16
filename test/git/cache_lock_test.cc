// One process at a time in a Git cache, and the lock files a killed one left.
#include "git/cache_lock.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

#include "capigitops/git.h"
#include "git/git_test_util.h"

namespace capigitops {
namespace {

using testing::GitRemote;
using testing::TempDir;

class GitCacheLockTest : public ::testing::Test {
 protected:
  GitCacheLockTest() : remote_(dir_.Sub("r"), {{"clusters/a.yaml", "a\n"}}) {}

  GitSourceOptions Options() const {
    GitSourceOptions o;
    o.url = remote_.bare();
    o.cache_dir = dir_.Sub("cache");
    o.cache_lock_wait_ms = 200;
    return o;
  }

  TempDir dir_;
  GitRemote remote_;
};

// SIGKILL while libgit2 moves the remote-tracking ref leaves its lock file;
// every later fetch that must move the ref failed on it ("failed to lock
// file ... for writing") until someone deleted it by hand.
TEST_F(GitCacheLockTest, LockFilesOfAKilledProcessAreClearedByTheNext) {
  ASSERT_TRUE(NewLibgit2Source(Options())->Fetch({}).ok());
  const std::string stale = dir_.Sub("cache/refs/remotes/origin/main.lock");
  testing::WriteFile(stale, "");
  testing::WriteFile(dir_.Sub("cache/packed-refs.lock"), "");
  std::string tip = remote_.Push({{"clusters/b.yaml", "b\n"}}, "add b");

  StatusOr<Snapshot> snap = NewLibgit2Source(Options())->Fetch({});
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->commit, tip);
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("cache/packed-refs.lock")));
}

// While another process uses the cache its lock files are live: nothing is
// removed, and the fetch says why it cannot go on.
TEST_F(GitCacheLockTest, ACacheInUseByAnotherProcessIsUnavailable) {
  ASSERT_TRUE(NewLibgit2Source(Options())->Fetch({}).ok());
  const std::string live = dir_.Sub("cache/refs/remotes/origin/main.lock");
  testing::WriteFile(live, "");
  // Another open file description: to flock(2), another process.
  int fd = open(dir_.Sub("cache/" + std::string(git::kCacheLockFile)).c_str(),
                O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0);

  StatusOr<Snapshot> snap = NewLibgit2Source(Options())->Fetch({});
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(snap.status().message().find(
                dir_.Sub("cache") +
                " is in use by another capi-gitops process: give each "
                "process its own --cache-dir"),
            std::string::npos)
      << snap.status().message();
  EXPECT_TRUE(std::filesystem::exists(live));

  close(fd);  // the other process ends (or is killed)
  remote_.Push({{"clusters/b.yaml", "b\n"}}, "add b");
  snap = NewLibgit2Source(Options())->Fetch({});
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->files.count("clusters/b.yaml"), 1u);
}

// The lock is held for each operation, not for as long as a source lives:
// a controller keeps its sources between passes (and as a standby).
TEST_F(GitCacheLockTest, ASourceKeptOpenDoesNotKeepOthersOut) {
  auto source = NewLibgit2Source(Options());
  ASSERT_TRUE(source->Fetch({}).ok());
  int fd = open(dir_.Sub("cache/" + std::string(git::kCacheLockFile)).c_str(),
                O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0) << "another process gets in";
  close(fd);
  ASSERT_TRUE(source->Fetch({}).ok());
}

// A spec and a status source of one process may share a cache directory.
TEST_F(GitCacheLockTest, SourcesOfOneProcessShareTheCache) {
  auto spec = NewLibgit2Source(Options());
  auto status = NewLibgit2Source(Options());
  ASSERT_TRUE(spec->Fetch({}).ok());
  ASSERT_TRUE(status->Fetch({}).ok());
  CommitRequest req;
  req.branch = "main";
  req.message = "status";
  req.changes = {{"status/a.yaml", "phase: x\n"}};
  StatusOr<std::string> pushed = status->CommitAndPush(req);
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  StatusOr<Snapshot> snap = spec->Fetch({});
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->files.at("status/a.yaml"), "phase: x\n");
}

}  // namespace
}  // namespace capigitops
