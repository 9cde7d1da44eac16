// RAII owners for libgit2 objects and the translation of libgit2 errors into
// Status values.
#ifndef CAPIGITOPS_GIT_HANDLES_H_
#define CAPIGITOPS_GIT_HANDLES_H_

#include <git2.h>

#include <memory>
#include <string>

namespace capigitops::git {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p != nullptr) Free(p);
  }
};

using RepositoryPtr =
    std::unique_ptr<git_repository,
                    Deleter<git_repository, git_repository_free>>;
using RemotePtr =
    std::unique_ptr<git_remote, Deleter<git_remote, git_remote_free>>;
using CommitPtr =
    std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using TreePtr = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using TreeEntryPtr =
    std::unique_ptr<git_tree_entry,
                    Deleter<git_tree_entry, git_tree_entry_free>>;
using BlobPtr = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;
using ObjectPtr =
    std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using SignaturePtr =
    std::unique_ptr<git_signature, Deleter<git_signature, git_signature_free>>;
using ReferencePtr =
    std::unique_ptr<git_reference, Deleter<git_reference, git_reference_free>>;

// Keeps libgit2's global state initialised while alive (it is refcounted).
class LibraryGuard {
 public:
  LibraryGuard() { git_libgit2_init(); }
  ~LibraryGuard() { git_libgit2_shutdown(); }
  LibraryGuard(const LibraryGuard&) = delete;
  LibraryGuard& operator=(const LibraryGuard&) = delete;
};

// The message of libgit2's last error for `rc`, or a generic one.
inline std::string LastErrorMessage(int rc) {
  const git_error* e = git_error_last();
  if (e != nullptr && e->message != nullptr && e->message[0] != '\0') {
    return e->message;
  }
  return "libgit2 error " + std::to_string(rc);
}

inline std::string OidHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

}  // namespace capigitops::git

#endif  // CAPIGITOPS_GIT_HANDLES_H_
