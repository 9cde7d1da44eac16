#include "git/tree_io.h"

#include <algorithm>
#include <set>
#include <string_view>

#include "git/handles.h"
#include "util/digest.h"

namespace capigitops::git {
namespace {

bool HasSpecExtension(const std::string& path) {
  for (const char* ext : {".yaml", ".yml", ".json"}) {
    std::string_view e(ext);
    if (path.size() > e.size() &&
        path.compare(path.size() - e.size(), e.size(), e) == 0) {
      return true;
    }
  }
  return false;
}

// A symlink's target is not in the tree and a submodule's content is in
// another repository, so neither can be read. Where spec content may be,
// that must be an error: skipped, the file or directory would read as
// deleted, and its clusters with it.
Status NotReadable(const std::string& path, git_filemode_t mode) {
  return Status::InvalidArgument(
      path + " is a " + (mode == GIT_FILEMODE_LINK ? "symlink" : "submodule") +
      ", which capi-gitops cannot read: replace it with the " +
      (mode == GIT_FILEMODE_LINK ? "file or directory it points to"
                                 : "files themselves") +
      "; nothing is changed or deleted until then");
}

std::string NormalizePrefix(std::string p) {
  while (!p.empty() && p.front() == '/') p.erase(0, 1);
  while (!p.empty() && p.back() == '/') p.pop_back();
  return p;
}

bool IsUnder(const std::string& path, const std::string& prefix) {
  return path == prefix || path.rfind(prefix + "/", 0) == 0;
}

Status ReadBlob(git_repository* repo, const git_oid* oid,
                const std::string& path, FileSet* files) {
  git_blob* raw = nullptr;
  int rc = git_blob_lookup(&raw, repo, oid);
  if (rc < 0) {
    return Status::Internal("reading " + path + ": " + LastErrorMessage(rc));
  }
  BlobPtr blob(raw);
  // A file over the limit is cut one byte after it: its parser then reports
  // it as too large, and only it, while the rest of the repository loads.
  size_t size = std::min(static_cast<size_t>(git_blob_rawsize(blob.get())),
                         kMaxSourceFileBytes + 1);
  const char* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
  (*files)[path] = std::string(data, size);
  return Status::Ok();
}

// Adds every regular file of `tree` as `base`/<path>. Symlinks and
// submodules are skipped: they are not spec content.
Status ReadTree(git_repository* repo, git_tree* tree, const std::string& base,
                FileSet* files) {
  size_t n = git_tree_entrycount(tree);
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree, i);
    std::string path =
        (base.empty() ? "" : base + "/") + git_tree_entry_name(e);
    git_filemode_t mode = git_tree_entry_filemode(e);
    if (mode == GIT_FILEMODE_TREE) {
      git_tree* raw = nullptr;
      int rc = git_tree_lookup(&raw, repo, git_tree_entry_id(e));
      if (rc < 0) {
        return Status::Internal("reading " + path + ": " +
                                LastErrorMessage(rc));
      }
      TreePtr sub(raw);
      RETURN_IF_ERROR(ReadTree(repo, sub.get(), path, files));
    } else if (mode == GIT_FILEMODE_BLOB ||
               mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
      RETURN_IF_ERROR(ReadBlob(repo, git_tree_entry_id(e), path, files));
    } else if (mode == GIT_FILEMODE_COMMIT ||
               (mode == GIT_FILEMODE_LINK && HasSpecExtension(path))) {
      return NotReadable(path, mode);
    }
  }
  return Status::Ok();
}

// Reads one prefix; records its object id ("" when absent).
Status ReadPrefix(git_repository* repo, git_tree* tree,
                  const std::string& prefix, Snapshot* snapshot) {
  if (prefix.empty()) {
    snapshot->prefix_ids[prefix] = OidHex(*git_tree_id(tree));
    snapshot->trees.insert(prefix);
    return ReadTree(repo, tree, "", &snapshot->files);
  }
  git_tree_entry* raw = nullptr;
  int rc = git_tree_entry_bypath(&raw, tree, prefix.c_str());
  if (rc == GIT_ENOTFOUND) {
    snapshot->prefix_ids[prefix] = "";
    return Status::Ok();
  }
  if (rc < 0) {
    return Status::Internal("reading " + prefix + ": " + LastErrorMessage(rc));
  }
  TreeEntryPtr entry(raw);
  snapshot->prefix_ids[prefix] = OidHex(*git_tree_entry_id(entry.get()));
  git_filemode_t mode = git_tree_entry_filemode(entry.get());
  if (mode == GIT_FILEMODE_TREE) {
    git_tree* sub_raw = nullptr;
    rc = git_tree_lookup(&sub_raw, repo, git_tree_entry_id(entry.get()));
    if (rc < 0) {
      return Status::Internal("reading " + prefix + ": " +
                              LastErrorMessage(rc));
    }
    TreePtr sub(sub_raw);
    snapshot->trees.insert(prefix);
    return ReadTree(repo, sub.get(), prefix, &snapshot->files);
  }
  if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
    return ReadBlob(repo, git_tree_entry_id(entry.get()), prefix,
                    &snapshot->files);
  }
  return NotReadable(prefix, mode);
}

// Keeps an existing file's executable bit; new files are plain blobs.
git_filemode_t ExistingFileMode(git_tree* base, const std::string& path) {
  git_tree_entry* raw = nullptr;
  if (base == nullptr || git_tree_entry_bypath(&raw, base, path.c_str()) < 0) {
    return GIT_FILEMODE_BLOB;
  }
  TreeEntryPtr entry(raw);
  return git_tree_entry_filemode(entry.get()) == GIT_FILEMODE_BLOB_EXECUTABLE
             ? GIT_FILEMODE_BLOB_EXECUTABLE
             : GIT_FILEMODE_BLOB;
}

// What spec_hash covers: (name, object id) for every hashed prefix; for the
// whole-tree prefix "", its top-level entries outside `unhashed`.
std::string HashInput(git_tree* tree, const Snapshot& snapshot,
                      const std::vector<std::string>& unhashed) {
  auto hashed = [&](const std::string& path) {
    for (const std::string& u : unhashed) {
      if (IsUnder(path, NormalizePrefix(u))) return false;
    }
    return true;
  };
  std::string input;
  for (const auto& [prefix, id] : snapshot.prefix_ids) {
    if (!prefix.empty()) {
      if (hashed(prefix)) input += prefix + '\0' + id + '\n';
      continue;
    }
    for (size_t i = 0; i < git_tree_entrycount(tree); ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(tree, i);
      std::string name = git_tree_entry_name(e);
      if (hashed(name)) {
        input += name + '\0' + OidHex(*git_tree_entry_id(e)) + '\n';
      }
    }
  }
  return input;
}

}  // namespace

Status ReadPrefixes(git_repository* repo, git_tree* tree,
                    const std::vector<std::string>& prefixes,
                    const std::vector<std::string>& unhashed,
                    Snapshot* snapshot) {
  std::set<std::string> wanted;
  for (const std::string& p : prefixes) wanted.insert(NormalizePrefix(p));
  if (wanted.empty()) wanted.insert("");
  for (const std::string& prefix : wanted) {
    RETURN_IF_ERROR(ReadPrefix(repo, tree, prefix, snapshot));
  }
  snapshot->spec_hash = Sha256Hex(HashInput(tree, *snapshot, unhashed));
  return Status::Ok();
}

Status ValidateChangePath(const std::string& path) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("invalid path \"" + path + "\": " + why);
  };
  if (path.empty()) return bad("empty");
  if (path.front() == '/' || path.back() == '/') {
    return bad("must be relative, without a trailing slash");
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string seg = path.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == ".." || seg == ".git") {
      return bad("contains \"" + seg + "\"");
    }
    start = end + 1;
  }
  if (path.find('\0') != std::string::npos) return bad("contains NUL");
  return Status::Ok();
}

Status CheckExpected(
    git_tree* base,
    const std::map<std::string, std::optional<std::string>>& expect) {
  for (const auto& [path, content] : expect) {
    git_tree_entry* raw = nullptr;
    bool present =
        base != nullptr && git_tree_entry_bypath(&raw, base, path.c_str()) == 0;
    TreeEntryPtr entry(raw);
    bool same = present == content.has_value();
    if (same && present) {
      // Blob ids are content hashes: comparing them compares the content
      // without reading the blob.
      git_oid want;
      same = git_tree_entry_type(entry.get()) == GIT_OBJECT_BLOB &&
             git_odb_hash(&want, content->data(), content->size(),
                          GIT_OBJECT_BLOB) == 0 &&
             git_oid_equal(&want, git_tree_entry_id(entry.get()));
    }
    if (!same) {
      return Status::FailedPrecondition(path +
                                        (!present  ? " was removed"
                                         : content ? " changed"
                                                   : " was added") +
                                        " since the decision was made");
    }
  }
  return Status::Ok();
}

StatusOr<std::optional<git_oid>> BuildTree(
    git_repository* repo, git_tree* base,
    const std::map<std::string, std::optional<std::string>>& changes) {
  std::vector<git_tree_update> updates;
  for (const auto& [path, content] : changes) {
    RETURN_IF_ERROR(ValidateChangePath(path));
    git_tree_update u{};
    u.path = path.c_str();
    if (content.has_value()) {
      int rc = git_blob_create_from_buffer(&u.id, repo, content->data(),
                                           content->size());
      if (rc < 0) {
        return Status::Internal("writing " + path + ": " +
                                LastErrorMessage(rc));
      }
      u.action = GIT_TREE_UPDATE_UPSERT;
      u.filemode = ExistingFileMode(base, path);
    } else {
      git_tree_entry* raw = nullptr;
      if (base == nullptr ||
          git_tree_entry_bypath(&raw, base, path.c_str()) < 0) {
        continue;  // already absent
      }
      git_tree_entry_free(raw);
      u.action = GIT_TREE_UPDATE_REMOVE;
    }
    updates.push_back(u);
  }
  git_oid out;
  int rc =
      git_tree_create_updated(&out, repo, base, updates.size(), updates.data());
  if (rc < 0) {
    return Status::Internal("building the tree: " + LastErrorMessage(rc));
  }
  if (base != nullptr && git_oid_equal(&out, git_tree_id(base))) {
    return std::optional<git_oid>();
  }
  if (base == nullptr) {
    git_tree* raw = nullptr;
    if (git_tree_lookup(&raw, repo, &out) == 0) {
      TreePtr tree(raw);
      if (git_tree_entrycount(tree.get()) == 0) return std::optional<git_oid>();
    }
  }
  return std::optional<git_oid>(out);
}

}  // namespace capigitops::git
