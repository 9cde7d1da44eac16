// Reading a directory's files as of a ref of the local Git repository it is
// in, without a checkout (a pull request's plan reads its base branch's
// policies this way).
#include <filesystem>

#include "capigitops/git.h"
#include "git/handles.h"
#include "git/tree_io.h"

namespace capigitops {
namespace {

namespace fs = std::filesystem;

// `dir` relative to the work tree of `repo`: "" at its root, else "a/b".
StatusOr<std::string> PathInRepository(git_repository* repo,
                                       const std::string& dir) {
  const char* workdir = git_repository_workdir(repo);
  if (workdir == nullptr) {
    return Status::InvalidArgument(dir + " is in a bare repository");
  }
  std::error_code ec;
  fs::path root = fs::canonical(workdir, ec);
  fs::path here = ec ? fs::path() : fs::canonical(dir, ec);
  if (ec) return Status::Unavailable("resolving " + dir + ": " + ec.message());
  std::string rel = here.lexically_relative(root).generic_string();
  if (rel == ".") return std::string();
  if (rel.empty() || rel.rfind("..", 0) == 0) {
    return Status::InvalidArgument(dir + " is not inside " + root.string());
  }
  return rel;
}

}  // namespace

StatusOr<FileSet> ReadDirectoryAtRef(const std::string& dir,
                                     const std::string& ref,
                                     const std::vector<std::string>& prefixes) {
  git::LibraryGuard guard;
  std::string ctx = "reading " + ref + " of the repository of " + dir;
  git_repository* raw_repo = nullptr;
  int rc = git_repository_open_ext(&raw_repo, dir.c_str(), 0, nullptr);
  if (rc < 0) {
    return Status::NotFound(ctx + ": " + git::LastErrorMessage(rc));
  }
  git::RepositoryPtr repo(raw_repo);
  ASSIGN_OR_RETURN(std::string rel, PathInRepository(repo.get(), dir));
  git_object* raw_obj = nullptr;
  rc = git_revparse_single(&raw_obj, repo.get(), ref.c_str());
  if (rc < 0) {
    return Status::NotFound(ctx + ": no such ref or commit (fetch it first)");
  }
  git::ObjectPtr obj(raw_obj);
  git_object* raw_tree = nullptr;
  rc = git_object_peel(&raw_tree, obj.get(), GIT_OBJECT_TREE);
  if (rc < 0) {
    return Status::InvalidArgument(ctx + ": not a commit");
  }
  git::TreePtr tree(reinterpret_cast<git_tree*>(raw_tree));
  std::vector<std::string> full;
  for (const std::string& p : prefixes) {
    full.push_back(rel.empty() ? p : rel + "/" + p);
  }
  Snapshot snap;
  Status s = git::ReadPrefixes(repo.get(), tree.get(), full, {}, &snap);
  if (!s.ok()) return s.WithContext(ctx);
  FileSet files;
  for (auto& [path, text] : snap.files) {
    files[rel.empty() ? path : path.substr(rel.size() + 1)] = std::move(text);
  }
  return files;
}

}  // namespace capigitops
