// GitSource backed by libgit2: a bare cache repository, fetched into with an
// anonymous remote (so the URL, and anything secret in it, is never written to
// the cache's config), files read from trees, commits built with
// git_tree_create_updated, pushes that never force.
#include "git/libgit2_source.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <string_view>
#include <system_error>

#include "capigitops/git.h"
#include "git/credentials.h"
#include "git/handles.h"
#include "git/timed_stream.h"
#include "git/tree_io.h"
#include "git/url.h"

namespace capigitops {
namespace {

// Push rejections that mean "someone else pushed first": worth a retry after
// fetching again. Anything else (hooks, protected branches) is final.
bool IsRaceRejection(const std::string& reason) {
  for (const char* s : {"fast-forward", "fetch first", "stale", "lock"}) {
    if (reason.find(s) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

namespace git {
namespace {

// A cache directory with anything in it but our lock file holds a
// repository (or something that is not one, which Open reports).
bool HoldsMoreThanTheLock(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().filename() != kCacheLockFile) return true;
  }
  return false;
}

}  // namespace

StatusOr<std::unique_ptr<CacheLock>> Libgit2Source::LockCache() const {
  if (options_.cache_dir.empty()) {  // a temporary directory: ours alone
    return std::unique_ptr<CacheLock>();
  }
  const int64_t wait = std::clamp<int64_t>(options_.cache_lock_wait_ms, 0,
                                           std::numeric_limits<int>::max());
  return LockCacheDir(options_.cache_dir, static_cast<int>(wait));
}

Status Libgit2Source::Open() {
  if (!url_.ok()) return url_.status();
  if (repo_ != nullptr) return Status::Ok();
  std::string dir = options_.cache_dir;
  std::error_code ec;
  if (dir.empty() && !temp_dir_.empty()) {
    dir = temp_dir_;  // emptied by BoundCache
  } else if (dir.empty()) {
    std::string tmpl =
        (std::filesystem::temp_directory_path(ec) / "capigitops-git-XXXXXX")
            .string();
    if (ec || mkdtemp(tmpl.data()) == nullptr) {
      return Status::Internal("cannot create a temporary cache directory");
    }
    dir = temp_dir_ = tmpl;
  }
  git_repository* raw = nullptr;
  if (HoldsMoreThanTheLock(dir)) {
    int rc = git_repository_open_bare(&raw, dir.c_str());
    if (rc < 0) {
      return Status::InvalidArgument("cache directory " + dir +
                                     " exists but is not a bare Git repository "
                                     "(remove it to start afresh): " +
                                     LastErrorMessage(rc));
    }
  } else {
    int rc = git_repository_init(&raw, dir.c_str(), /*is_bare=*/1);
    if (rc < 0) {
      return Status::Internal("creating cache repository " + dir + ": " +
                              LastErrorMessage(rc));
    }
  }
  repo_.reset(raw);
  return Status::Ok();
}

// libgit2 cannot repack, and every fetch adds a pack (an open file and its
// index while the repository is open). Past max_cache_packs the cache is
// emptied and the next fetch clones afresh: one full fetch now and then
// keeps disk and file descriptors bounded in a long-running controller.
Status Libgit2Source::BoundCache() {
  if (!url_.ok() || repo_ == nullptr || options_.max_cache_packs <= 0) {
    return Status::Ok();
  }
  std::filesystem::path dir = git_repository_path(repo_.get());
  std::error_code ec;
  size_t packs = 0;
  for (const auto& e :
       std::filesystem::directory_iterator(dir / "objects" / "pack", ec)) {
    if (e.path().extension() == ".pack") ++packs;
  }
  if (packs <= static_cast<size_t>(options_.max_cache_packs)) {
    return Status::Ok();
  }
  repo_.reset();
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().filename() == kCacheLockFile) continue;  // still held
    std::filesystem::remove_all(e.path(), ec);
    if (ec) {
      return Status::Internal("emptying the Git cache " + dir.string() + ": " +
                              ec.message());
    }
  }
  return Status::Ok();
}

Status Libgit2Source::PrepareCallbacks(CallbackState* st) const {
  st->url = &*url_;
  st->auth = &options_.auth;
  if (url_->transport == git::Transport::kHttp ||
      url_->transport == git::Transport::kHttps) {
    return git::LoadSecret(*url_, options_.auth, &st->secret);
  }
  return Status::Ok();
}

Status Libgit2Source::CheckLocalPath() const {
  if (url_->transport != git::Transport::kLocal) return Status::Ok();
  std::string path = url_->for_libgit2;
  if (path.rfind("file://", 0) == 0) path.erase(0, 7);
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    return Status::Unavailable("repository path " + path +
                               " does not exist or is not a directory");
  }
  return Status::Ok();
}

// An in-memory remote, so the URL (and anything secret in it) never reaches
// the cache's config. url.*.insteadOf rewriting is skipped: the URL the user
// configured is the one used (and libgit2 1.5 leaks pcre2 match data there).
int Libgit2Source::CreateRemote(git_remote** out) const {
  git_remote_create_options opts = GIT_REMOTE_CREATE_OPTIONS_INIT;
  opts.repository = repo_.get();
  opts.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF |
               GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
  return git_remote_create_with_opts(out, url_->for_libgit2.c_str(), &opts);
}

Status Libgit2Source::SetRef(const std::string& name, const git_oid& oid) {
  git_reference* raw = nullptr;
  int rc = git_reference_create(&raw, repo_.get(), name.c_str(), &oid,
                                /*force=*/1, "capi-gitops");
  if (rc < 0) {
    return Status::Internal("updating " + name + ": " + LastErrorMessage(rc));
  }
  git_reference_free(raw);
  return Status::Ok();
}

// libgit2's local transport lists a repository's refs by name, then reads
// each: a ref another process deletes in between (a concurrent pusher's
// incoming ref, PushLocal) fails the whole fetch or push with "reference
// ... not found". Nothing was transferred yet, so it is simply tried again.
// (It returns the generic error code then: the reference class and the
// message say what happened.)
bool Libgit2Source::LocalListingRace(int rc) const {
  if (rc >= 0 || !url_.ok() || url_->transport != git::Transport::kLocal) {
    return false;
  }
  const git_error* e = git_error_last();
  return e != nullptr && e->klass == GIT_ERROR_REFERENCE &&
         e->message != nullptr &&
         std::string_view(e->message).find("not found") !=
             std::string_view::npos;
}

StatusOr<std::optional<git_oid>> Libgit2Source::FetchBranch(
    const std::string& branch) {
  std::string ref = "refs/heads/" + branch;
  int valid = 0;
  if (git_reference_name_is_valid(&valid, ref.c_str()) < 0 || !valid) {
    return Status::InvalidArgument("invalid branch name \"" + branch + "\"");
  }
  RETURN_IF_ERROR(CheckLocalPath());
  git::NetworkDeadline deadline(Timeouts());
  CallbackState st;
  RETURN_IF_ERROR(PrepareCallbacks(&st));
  git_remote* raw = nullptr;
  int rc = CreateRemote(&raw);
  if (rc < 0) return git::MapGitError(rc, st, StatusCode::kInvalidArgument);
  git::RemotePtr remote(raw);
  git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
  git::InstallCallbacks(&fo.callbacks, &st);
  fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  fo.update_fetchhead = 0;
  // Remote-tracking refs keep fetched objects reachable and let the next
  // fetch negotiate from them: that is what makes it incremental.
  std::string spec = "+" + ref + ":refs/remotes/origin/" + branch;
  char* specs[] = {spec.data()};
  git_strarray refspecs = {specs, 1};
  rc = git_remote_fetch(remote.get(), &refspecs, &fo, nullptr);
  for (int again = 0; again < kLocalListingRetries && LocalListingRace(rc);
       ++again) {
    rc = git_remote_fetch(remote.get(), &refspecs, &fo, nullptr);
  }
  if (rc < 0) return git::MapGitError(rc, st, StatusCode::kUnavailable);
  const git_remote_head** heads = nullptr;
  size_t count = 0;
  rc = git_remote_ls(&heads, &count, remote.get());
  if (rc < 0) return git::MapGitError(rc, st, StatusCode::kUnavailable);
  for (size_t i = 0; i < count; ++i) {
    if (ref == heads[i]->name) return std::optional<git_oid>(heads[i]->oid);
  }
  return std::optional<git_oid>();
}

StatusOr<git_oid> Libgit2Source::ResolveRevision(const git_oid& tip) const {
  const std::string& rev = options_.revision;
  if (rev.size() < 4 || rev.size() > GIT_OID_HEXSZ ||
      rev.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    return Status::InvalidArgument(
        "revision \"" + rev + "\" is not a commit id (4 to 40 hex digits)");
  }
  git_object* raw = nullptr;
  int rc = git_revparse_single(&raw, repo_.get(), rev.c_str());
  if (rc == GIT_EAMBIGUOUS) {
    return Status::InvalidArgument("revision " + rev +
                                   " is ambiguous; give more digits");
  }
  if (rc < 0) {
    return Status::NotFound("revision " + rev +
                            " not found in the fetched history");
  }
  git::ObjectPtr obj(raw);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, obj.get(), GIT_OBJECT_COMMIT) < 0) {
    return Status::NotFound("revision " + rev + " is not a commit");
  }
  git::ObjectPtr commit(peeled);
  git_oid oid = *git_object_id(commit.get());
  if (!git_oid_equal(&oid, &tip) &&
      git_graph_descendant_of(repo_.get(), &tip, &oid) != 1) {
    return Status::NotFound("revision " + rev +
                            " is not reachable from the "
                            "branch tip " +
                            OidHex(tip));
  }
  return oid;
}

StatusOr<Snapshot> Libgit2Source::Fetch(
    const std::vector<std::string>& prefixes) {
  const std::string& branch = options_.branch;
  std::string ctx = Context("fetching", branch);
  StatusOr<std::unique_ptr<CacheLock>> held = LockCache();
  if (!held.ok()) return held.status().WithContext(ctx);
  RETURN_IF_ERROR(BoundCache().WithContext(ctx));
  RETURN_IF_ERROR(Open().WithContext(ctx));
  StatusOr<std::optional<git_oid>> tip = FetchBranch(branch);
  if (!tip.ok()) return tip.status().WithContext(ctx);
  if (!tip->has_value()) {
    return Status::NotFound(ctx + ": the remote has no branch " + branch);
  }
  git_oid oid = **tip;
  if (!options_.revision.empty()) {
    StatusOr<git_oid> pinned = ResolveRevision(oid);
    if (!pinned.ok()) return pinned.status().WithContext(ctx);
    oid = *pinned;
  }
  return ReadAt(oid, prefixes, ctx);
}

StatusOr<Snapshot> Libgit2Source::ReadCommit(
    const std::string& commit, const std::vector<std::string>& prefixes) {
  std::string ctx = "reading " + commit;
  StatusOr<std::unique_ptr<CacheLock>> held = LockCache();
  if (!held.ok()) return held.status().WithContext(ctx);
  RETURN_IF_ERROR(Open().WithContext(ctx));
  git_oid oid;
  if (commit.size() != GIT_OID_HEXSZ ||
      git_oid_fromstr(&oid, commit.c_str()) < 0) {
    return Status::InvalidArgument(ctx + ": not a full commit id");
  }
  return ReadAt(oid, prefixes, ctx);
}

StatusOr<Snapshot> Libgit2Source::ReadAt(
    const git_oid& oid, const std::vector<std::string>& prefixes,
    const std::string& ctx) {
  git_commit* raw_commit = nullptr;
  int rc = git_commit_lookup(&raw_commit, repo_.get(), &oid);
  if (rc < 0) {
    return Status::Internal(ctx + ": reading commit " + OidHex(oid) + ": " +
                            LastErrorMessage(rc));
  }
  git::CommitPtr commit(raw_commit);
  git_tree* raw_tree = nullptr;
  rc = git_commit_tree(&raw_tree, commit.get());
  if (rc < 0) {
    return Status::Internal(ctx + ": reading the tree of " + OidHex(oid) +
                            ": " + LastErrorMessage(rc));
  }
  git::TreePtr tree(raw_tree);
  Snapshot snapshot;
  snapshot.commit = OidHex(oid);
  Status s = git::ReadPrefixes(repo_.get(), tree.get(), prefixes, &snapshot);
  if (!s.ok()) return s.WithContext(ctx + " at " + snapshot.commit);
  return snapshot;
}

StatusOr<std::optional<git_oid>> Libgit2Source::BuildCommit(
    const CommitRequest& req, const std::optional<git_oid>& tip) {
  git::CommitPtr parent;
  git::TreePtr base;
  if (tip.has_value()) {
    git_commit* raw = nullptr;
    int rc = git_commit_lookup(&raw, repo_.get(), &*tip);
    if (rc < 0) return Status::Internal("reading tip: " + LastErrorMessage(rc));
    parent.reset(raw);
    git_tree* raw_tree = nullptr;
    rc = git_commit_tree(&raw_tree, parent.get());
    if (rc < 0)
      return Status::Internal("reading tree: " + LastErrorMessage(rc));
    base.reset(raw_tree);
  }
  RETURN_IF_ERROR(git::CheckExpected(base.get(), req.expect));
  ASSIGN_OR_RETURN(std::optional<git_oid> tree_id,
                   git::BuildTree(repo_.get(), base.get(), req.changes));
  if (!tree_id.has_value()) return std::optional<git_oid>();
  git_tree* raw_tree = nullptr;
  int rc = git_tree_lookup(&raw_tree, repo_.get(), &*tree_id);
  if (rc < 0)
    return Status::Internal("reading new tree: " + LastErrorMessage(rc));
  git::TreePtr tree(raw_tree);
  git_signature* raw_sig = nullptr;
  rc = git_signature_now(&raw_sig, req.author_name.c_str(),
                         req.author_email.c_str());
  if (rc < 0) {
    return Status::InvalidArgument("author \"" + req.author_name + " <" +
                                   req.author_email +
                                   ">\": " + LastErrorMessage(rc));
  }
  git::SignaturePtr sig(raw_sig);
  const git_commit* parents[] = {parent.get()};
  git_oid commit_id;
  rc = git_commit_create(&commit_id, repo_.get(), nullptr, sig.get(), sig.get(),
                         nullptr, req.message.c_str(), tree.get(),
                         parent ? 1 : 0, parents);
  if (rc < 0)
    return Status::Internal("creating commit: " + LastErrorMessage(rc));
  return std::optional<git_oid>(commit_id);
}

StatusOr<bool> Libgit2Source::PushRefspec(const std::string& spec) {
  RETURN_IF_ERROR(CheckLocalPath());
  git::NetworkDeadline deadline(Timeouts());
  CallbackState st;
  RETURN_IF_ERROR(PrepareCallbacks(&st));
  git_remote* raw = nullptr;
  int rc = CreateRemote(&raw);
  if (rc < 0) return git::MapGitError(rc, st, StatusCode::kInvalidArgument);
  git::RemotePtr remote(raw);
  git_push_options po = GIT_PUSH_OPTIONS_INIT;
  git::InstallCallbacks(&po.callbacks, &st);
  std::string writable = spec;
  char* specs[] = {writable.data()};
  git_strarray refspecs = {specs, 1};
  rc = git_remote_push(remote.get(), &refspecs, &po);
  for (int again = 0; again < kLocalListingRetries && LocalListingRace(rc);
       ++again) {
    rc = git_remote_push(remote.get(), &refspecs, &po);
  }
  // libgit2 compares with the remote tip it just listed and refuses a
  // non-fast-forward itself; a later race is reported by the server.
  if (rc == GIT_ENONFASTFORWARD) return false;
  if (rc < 0) return git::MapGitError(rc, st, StatusCode::kUnavailable);
  for (const std::string& reason : st.push_rejections) {
    if (!IsRaceRejection(reason)) {
      return Status::PermissionDenied("the remote rejected the push: " +
                                      reason);
    }
  }
  return st.push_rejections.empty();
}

StatusOr<bool> Libgit2Source::Push(const std::string& branch,
                                   const std::optional<git_oid>& base,
                                   const git_oid& id) {
  std::string ref = "refs/heads/" + branch;
  if (url_->transport == git::Transport::kLocal)
    return PushLocal(ref, base, id);
  // No leading '+': the remote only accepts a fast-forward.
  return PushRefspec(ref + ":" + ref);
}

// libgit2's local transport checks the fast-forward against the tip it
// listed, then overwrites the ref: a push by another process in between
// (two shards' status commits) would be lost without a word. So the
// objects go to a ref of their own, and the branch then moves only from
// the tip the commit was built on, a compare-and-swap under the ref's lock,
// as a server's receive-pack does.
StatusOr<bool> Libgit2Source::PushLocal(const std::string& ref,
                                        const std::optional<git_oid>& base,
                                        const git_oid& id) {
  std::string incoming = "refs/capi-gitops/incoming/" + OidHex(id);
  ASSIGN_OR_RETURN(bool sent, PushRefspec("+" + ref + ":" + incoming));
  if (!sent) return false;
  std::string path = url_->for_libgit2;
  if (path.rfind("file://", 0) == 0) path.erase(0, 7);
  git_repository* raw = nullptr;
  int rc = git_repository_open(&raw, path.c_str());
  if (rc < 0) {
    return Status::Unavailable("opening " + path + ": " + LastErrorMessage(rc));
  }
  git::RepositoryPtr remote(raw);
  git_reference* moved = nullptr;
  rc = base ? git_reference_create_matching(&moved, remote.get(), ref.c_str(),
                                            &id, 1, &*base, "push")
            : git_reference_create(&moved, remote.get(), ref.c_str(), &id, 0,
                                   "push");
  git_reference_free(moved);
  git_reference* temp = nullptr;
  if (git_reference_lookup(&temp, remote.get(), incoming.c_str()) == 0) {
    git_reference_delete(temp);
    git_reference_free(temp);
  }
  // Moved or locked by another push since the fetch: a race, retried.
  if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ELOCKED) {
    return false;
  }
  if (rc < 0) {
    return Status::Unavailable("updating " + ref + " in " + path + ": " +
                               LastErrorMessage(rc));
  }
  return true;
}

StatusOr<std::string> Libgit2Source::CommitAndPush(const CommitRequest& req) {
  std::string ctx = Context("committing to", req.branch);
  StatusOr<std::unique_ptr<CacheLock>> held = LockCache();
  if (!held.ok()) return held.status().WithContext(ctx);
  RETURN_IF_ERROR(Open().WithContext(ctx));
  if (req.message.empty()) {
    return Status::InvalidArgument(ctx + ": the commit message is empty");
  }
  int attempts = std::max(1, options_.max_push_attempts);
  for (int attempt = 0; attempt < attempts; ++attempt) {
    StatusOr<std::optional<git_oid>> tip = FetchBranch(req.branch);
    if (!tip.ok()) return tip.status().WithContext(ctx);
    StatusOr<std::optional<git_oid>> commit = BuildCommit(req, *tip);
    if (!commit.ok()) return commit.status().WithContext(ctx);
    if (!commit->has_value()) return std::string();  // nothing changes
    const git_oid& id = **commit;
    RETURN_IF_ERROR(SetRef("refs/heads/" + req.branch, id).WithContext(ctx));
    BeforePush(attempt);
    StatusOr<bool> pushed = Push(req.branch, *tip, id);
    if (!pushed.ok()) return pushed.status().WithContext(ctx);
    if (*pushed) {
      RETURN_IF_ERROR(
          SetRef("refs/remotes/origin/" + req.branch, id).WithContext(ctx));
      return OidHex(id);
    }
  }
  return Status::Conflict(ctx + ": the push was rejected " +
                          std::to_string(attempts) +
                          " times because others kept pushing; try again");
}

}  // namespace git

std::unique_ptr<GitSource> NewLibgit2Source(const GitSourceOptions& options) {
  return std::make_unique<git::Libgit2Source>(options,
                                              git::ParseRemoteUrl(options.url));
}

bool IsValidBranchName(const std::string& name) {
  git::LibraryGuard library;
  int valid = 0;
  std::string ref = "refs/heads/" + name;
  return git_reference_name_is_valid(&valid, ref.c_str()) == 0 && valid != 0;
}

}  // namespace capigitops
