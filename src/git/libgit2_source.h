// The libgit2-backed GitSource (NewLibgit2Source in capigitops/git.h),
// declared here so that a test can subclass it and act in the window between
// building a commit and pushing it (BeforePush): the push races of the tests
// in test/git.
#ifndef CAPIGITOPS_GIT_LIBGIT2_SOURCE_H_
#define CAPIGITOPS_GIT_LIBGIT2_SOURCE_H_

#include <git2.h>

#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "capigitops/git.h"
#include "git/cache_lock.h"
#include "git/credentials.h"
#include "git/handles.h"
#include "git/timed_stream.h"
#include "git/url.h"

namespace capigitops::git {

class Libgit2Source : public GitSource {
 public:
  Libgit2Source(GitSourceOptions options, StatusOr<RemoteUrl> url)
      : options_(std::move(options)), url_(std::move(url)) {
    RegisterTimedStream();  // after library_ initialised libgit2
  }

  ~Libgit2Source() override {
    repo_.reset();
    if (!temp_dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(temp_dir_, ec);
    }
  }

  StatusOr<Snapshot> Fetch(const std::vector<std::string>& prefixes) override;
  StatusOr<Snapshot> ReadCommit(
      const std::string& commit,
      const std::vector<std::string>& prefixes) override;
  StatusOr<std::string> CommitAndPush(const CommitRequest& req) override;

 protected:
  // Called after the commit is built and before each push attempt (attempt
  // counts from 0). Does nothing; a test's subclass pushes a competing
  // commit into exactly this window (test/git/racing_source.h).
  virtual void BeforePush(int /*attempt*/) {}

 private:
  std::string Context(const std::string& verb,
                      const std::string& branch) const {
    std::string url = url_.ok() ? url_->display : ScrubUrl(options_.url);
    return verb + " " + url + " (branch " + branch + ")";
  }
  // Held for one fetch, read or commit (cache_lock.h); null for a
  // temporary cache, which no other process knows of.
  StatusOr<std::unique_ptr<CacheLock>> LockCache() const;
  Status Open();
  Status BoundCache();
  NetworkTimeouts Timeouts() const {
    return {options_.connect_timeout_ms, options_.io_timeout_ms,
            options_.transfer_timeout_ms};
  }
  Status PrepareCallbacks(CallbackState* st) const;
  // libgit2 calls a missing local path an "unsupported URL protocol".
  Status CheckLocalPath() const;
  // The remote tip of `branch` after fetching it; nullopt when the remote
  // has no such branch.
  StatusOr<std::optional<git_oid>> FetchBranch(const std::string& branch);
  StatusOr<Snapshot> ReadAt(const git_oid& oid,
                            const std::vector<std::string>& prefixes,
                            const std::string& ctx);
  StatusOr<git_oid> ResolveRevision(const git_oid& tip) const;
  StatusOr<std::optional<git_oid>> BuildCommit(
      const CommitRequest& req, const std::optional<git_oid>& tip);
  // True when pushed; false when rejected because the remote moved since
  // `base`, the tip the commit `id` was built on (nullopt: no branch yet).
  StatusOr<bool> Push(const std::string& branch,
                      const std::optional<git_oid>& base, const git_oid& id);
  StatusOr<bool> PushLocal(const std::string& ref,
                           const std::optional<git_oid>& base,
                           const git_oid& id);
  StatusOr<bool> PushRefspec(const std::string& spec);
  bool LocalListingRace(int rc) const;
  static constexpr int kLocalListingRetries = 5;
  Status SetRef(const std::string& name, const git_oid& oid);
  int CreateRemote(git_remote** out) const;

  LibraryGuard library_;  // first: destroyed last
  GitSourceOptions options_;
  StatusOr<RemoteUrl> url_;
  RepositoryPtr repo_;
  std::string temp_dir_;
};

}  // namespace capigitops::git

#endif  // CAPIGITOPS_GIT_LIBGIT2_SOURCE_H_
