// Reading a repository from a local directory into a FileSet (the only I/O
// of the spec module).
#include <filesystem>
#include <system_error>

#include "capigitops/loader.h"
#include "util/file.h"

namespace capigitops {
namespace {

namespace fs = std::filesystem;

// Bigger files are still read (the parser then reports them) but not
// beyond this, so a stray disk image cannot exhaust memory.
constexpr size_t kMaxReadBytes = size_t{1} << 20;  // the YAML parser's limit

// Any failure is Unavailable, also a file that vanished after listing: a
// NotFound would read as "no policies directory".
Status ReadSpecFile(const fs::path& path, std::string* out) {
  StatusOr<std::string> text =
      ReadFile(path.string(), kMaxReadBytes, OverLimit::kTruncate);
  if (!text.ok()) return Status::Unavailable(text.status().message());
  *out = std::move(text).value();
  return Status::Ok();
}

Status ReadTree(const fs::path& root, const std::string& rel, FileSet* files) {
  std::error_code ec;
  fs::path dir = root / rel;
  if (!fs::exists(dir, ec)) {
    return Status::NotFound(rel + "/ does not exist in " + root.string());
  }
  // A submodule's files belong to another repository, and one that is not
  // checked out looks empty: never read it as "no clusters".
  if (rel != "." && !rel.empty() && fs::exists(dir / ".git", ec)) {
    return Status::InvalidArgument(
        rel +
        "/ is a Git submodule (or a repository of its own), which "
        "capi-gitops does not read: put the files themselves there");
  }
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string ext = it->path().extension().string();
    if (ext != ".yaml" && ext != ".yml" && ext != ".json") continue;
    std::string content;
    RETURN_IF_ERROR(ReadSpecFile(it->path(), &content));
    (*files)[fs::relative(it->path(), root, ec).generic_string()] =
        std::move(content);
  }
  if (ec)
    return Status::Unavailable("listing " + dir.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

StatusOr<FileSet> ReadRepoDirectory(const std::string& dir) {
  std::error_code ec;
  fs::path root(dir);
  if (!fs::is_directory(root, ec)) {
    return Status::NotFound("repository directory " + dir + " does not exist");
  }
  FileSet files;
  std::string config_text;
  RepoConfig config;
  if (fs::exists(root / "capi-gitops.yaml", ec)) {
    RETURN_IF_ERROR(ReadSpecFile(root / "capi-gitops.yaml", &config_text));
    files["capi-gitops.yaml"] = config_text;
    Diagnostics ignored;  // reported again by LoadRepo
    LoadRepoConfig("capi-gitops.yaml", config_text, &config, &ignored);
  }
  RETURN_IF_ERROR(ReadTree(root, config.clusters_path, &files)
                      .WithContext("reading repository " + dir));
  for (const std::string& optional :
       {config.policies_path, config.addons_path, config.status_path}) {
    Status s = ReadTree(root, optional, &files);
    if (!s.ok() && !s.IsNotFound())
      return s.WithContext("reading repository " + dir);
  }
  return files;
}

}  // namespace capigitops
