// Reading a repository from a local directory into a FileSet (the only I/O
// of the spec module).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "capigitops/loader.h"

namespace capigitops {
namespace {

namespace fs = std::filesystem;

// Bigger files are still read (the parser then reports them) but not
// beyond this, so a stray disk image cannot exhaust memory.
constexpr std::uintmax_t kMaxReadBytes = 8 << 20;

Status ReadFile(const fs::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Unavailable("cannot read " + path.string());
  // Size the buffer by the file, not by the limit: a buffer of the limit's
  // size per file kept 8 MiB of capacity for every spec in the FileSet.
  std::error_code ec;
  std::uintmax_t size = fs::file_size(path, ec);
  if (ec) size = 0;
  std::string data(static_cast<size_t>(std::min(size, kMaxReadBytes + 1)),
                   '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) return Status::Unavailable("error reading " + path.string());
  *out = std::move(data);
  return Status::Ok();
}

Status ReadTree(const fs::path& root, const std::string& rel, FileSet* files) {
  std::error_code ec;
  fs::path dir = root / rel;
  if (!fs::exists(dir, ec)) {
    return Status::NotFound(rel + "/ does not exist in " + root.string());
  }
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string ext = it->path().extension().string();
    if (ext != ".yaml" && ext != ".yml" && ext != ".json") continue;
    std::string content;
    RETURN_IF_ERROR(ReadFile(it->path(), &content));
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
    RETURN_IF_ERROR(ReadFile(root / "capi-gitops.yaml", &config_text));
    files["capi-gitops.yaml"] = config_text;
    Diagnostics ignored;  // reported again by LoadRepo
    LoadRepoConfig("capi-gitops.yaml", config_text, &config, &ignored);
  }
  RETURN_IF_ERROR(ReadTree(root, config.clusters_path, &files)
                      .WithContext("reading repository " + dir));
  Status s = ReadTree(root, config.policies_path, &files);
  if (!s.ok() && !s.IsNotFound())
    return s.WithContext("reading repository " + dir);
  return files;
}

}  // namespace capigitops
