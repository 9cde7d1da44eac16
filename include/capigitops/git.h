// The Git layer: fetch a branch of the cluster-definition repository into a
// local bare cache, read files straight from a commit's tree, and commit and
// push changes (status, TTL teardown) without ever forcing.
//
// GitSource is an interface so that the reconciler can be tested with an
// in-memory fake; NewLibgit2Source returns the real, libgit2-backed one.
#ifndef CAPIGITOPS_GIT_H_
#define CAPIGITOPS_GIT_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "capigitops/file_set.h"
#include "capigitops/status.h"

namespace capigitops {

// How to authenticate to the remote. Secrets are read when needed and never
// appear in a log line or an error message.
struct GitAuth {
  // https: user name for basic auth. Default: the one in the URL, else "git".
  // ssh: login name. Default: the one in the URL, else "git".
  std::string username;
  // https: the token or password, read from this file (trailing whitespace
  // trimmed) or, when token_file is empty, from this environment variable.
  std::string token_file;
  std::string token_env;
  // ssh: private key (unencrypted; "<key>.pub" is used when it exists) and
  // the known_hosts file the server's host key must be listed in. An unknown
  // host or a changed key is an error.
  std::string ssh_key_file;
  std::string known_hosts_file;
};

struct GitSourceOptions {
  // https://, http:// (tests), ssh://, user@host:path, file://, or a path.
  std::string url;
  std::string branch = "main";
  // Optional pinned commit (full or abbreviated hex); it must be reachable
  // from the branch tip.
  std::string revision;
  // Bare repository that is cloned into once and fetched into afterwards.
  // Empty: a temporary directory, removed when the source is destroyed.
  // One process at a time fetches or commits in it (an flock on
  // capi-gitops.lock inside, src/git/cache_lock.h); another waits up to
  // cache_lock_wait_ms, then fails with Unavailable.
  std::string cache_dir;
  int64_t cache_lock_wait_ms = 30000;
  GitAuth auth;
  // Network bounds of one fetch or push (libgit2 has none of its own): a
  // remote that accepts and never answers fails the operation (Unavailable)
  // after io_timeout_ms instead of hanging the pass. ssh: connect only
  // (libssh2 owns the socket after the handshake).
  int64_t connect_timeout_ms = 30000;
  int64_t io_timeout_ms = 60000;         // no byte either way for this long
  int64_t transfer_timeout_ms = 600000;  // the whole fetch or push
  // The cache is emptied (and the next fetch clones afresh) once it holds
  // more packs than this: libgit2 cannot repack. 0 = unbounded.
  int max_cache_packs = 64;
  // Maximum number of push attempts when others keep pushing in between.
  int max_push_attempts = 5;
};

struct Snapshot {
  std::string commit;  // hex sha of the branch tip or the pinned revision
  // Every regular file under the requested prefixes, from the commit's tree.
  FileSet files;
  // Requested prefix -> Git object id (tree or blob) in this commit, "" when
  // the commit has no such path.
  std::map<std::string, std::string> prefix_ids;
  // The requested prefixes that are directories in this commit.
  std::set<std::string> trees;
};

// The most of one file a source reads: the YAML parser's document limit.
inline constexpr size_t kMaxSourceFileBytes = size_t{1} << 20;

struct CommitRequest {
  std::string branch;  // created (without parent) when the remote lacks it
  // Path -> new content; nullopt deletes the file (absent paths are ignored).
  std::map<std::string, std::optional<std::string>> changes;
  std::string message;
  // Path -> the content it must have in the tip the commit is built on
  // (nullopt: absent). Checked on every attempt, also after a rejected push:
  // a decision made against an older commit must not be rebuilt on top of a
  // push that changed what it was decided on. A mismatch commits nothing and
  // returns FailedPrecondition.
  std::map<std::string, std::optional<std::string>> expect;
  std::string author_name = "capi-gitops";
  std::string author_email = "capi-gitops@localhost";
};

class GitSource {
 public:
  virtual ~GitSource() = default;

  // Fetches the configured branch and reads every file under `prefixes`
  // ("capi-gitops.yaml", "clusters", ...; empty = the whole tree). An
  // unreachable remote is Unavailable, bad credentials or an unverified host
  // Unauthenticated, a missing branch or revision NotFound: never an empty
  // snapshot.
  // Files are read only below `prefixes`, each at most kMaxSourceFileBytes
  // (a longer file is cut after one byte more, so that its parser reports
  // it, and it alone, as too large); a symlink or submodule where a file or
  // directory is read is an error, not an absence.
  virtual StatusOr<Snapshot> Fetch(
      const std::vector<std::string>& prefixes) = 0;

  // Reads `prefixes` of `commit` (one that Fetch returned) again, from what
  // was fetched: no network. For a second read at the same commit once the
  // first told which paths matter (capi-gitops.yaml names them).
  virtual StatusOr<Snapshot> ReadCommit(
      const std::string& commit, const std::vector<std::string>& prefixes) = 0;

  // Commits `req.changes` on top of the remote tip of req.branch and pushes
  // without force. When the push is rejected because someone else pushed,
  // fetches again, re-applies the same changes on the new tip and retries
  // (bounded; Conflict when exhausted), unless req.expect no longer holds on
  // the new tip (FailedPrecondition). Returns the new commit's hex sha, or
  // "" (OK) when the changes leave the tree as it is: no empty commits.
  virtual StatusOr<std::string> CommitAndPush(const CommitRequest& req) = 0;
};

std::unique_ptr<GitSource> NewLibgit2Source(const GitSourceOptions& options);

// Whether refs/heads/<name> is a valid Git reference (git check-ref-format).
bool IsValidBranchName(const std::string& name);

// The files below `prefixes` (relative to `dir`) as they are in `ref` (a
// branch, "origin/main", a tag or a commit id) of the Git repository that
// `dir` is in. For a pull request's plan: what its base branch says, not
// what the pull request changed. A prefix the ref lacks reads as no files.
StatusOr<FileSet> ReadDirectoryAtRef(const std::string& dir,
                                     const std::string& ref,
                                     const std::vector<std::string>& prefixes);

// The URL with any password or token in it replaced by "***", for messages.
std::string ScrubUrl(const std::string& url);

}  // namespace capigitops

#endif  // CAPIGITOPS_GIT_H_
