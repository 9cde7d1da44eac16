#include "git/fake_git_source.h"

#include <openssl/evp.h>

#include <cstdio>

namespace capigitops::testing {
namespace {

bool IsUnder(const std::string& path, const std::string& prefix) {
  return prefix.empty() || path == prefix || path.rfind(prefix + "/", 0) == 0;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    out += buf;
  }
  return out;
}

void Apply(const FakeGitSource::Changes& changes, FileSet* files) {
  for (const auto& [path, content] : changes) {
    if (content.has_value()) {
      (*files)[path] = *content;
    } else {
      files->erase(path);
    }
  }
}

}  // namespace

std::string FakeGitSource::NextSha() {
  char buf[41];
  std::snprintf(buf, sizeof buf, "%040x", next_sha_++);
  return buf;
}

std::string FakeGitSource::PushFiles(const Changes& changes,
                                     const std::string& message,
                                     const std::string& branch) {
  std::vector<Commit>& history = branches_[branch.empty() ? branch_ : branch];
  Commit c;
  if (!history.empty()) c.files = history.back().files;
  Apply(changes, &c.files);
  c.sha = NextSha();
  c.message = message;
  c.author = "Human <human@example.com>";
  history.push_back(c);
  return c.sha;
}

const FileSet& FakeGitSource::Files(const std::string& branch) const {
  static const FileSet kEmpty;
  auto it = branches_.find(branch.empty() ? branch_ : branch);
  if (it == branches_.end() || it->second.empty()) return kEmpty;
  return it->second.back().files;
}

const std::vector<FakeGitSource::Commit>& FakeGitSource::History(
    const std::string& branch) const {
  static const std::vector<Commit> kNone;
  auto it = branches_.find(branch.empty() ? branch_ : branch);
  return it == branches_.end() ? kNone : it->second;
}

StatusOr<Snapshot> FakeGitSource::Fetch(
    const std::vector<std::string>& prefixes) {
  ++fetch_count;
  if (!unavailable.ok()) return unavailable;
  const std::vector<Commit>& history = History();
  if (history.empty()) {
    return Status::NotFound("fetching fake (branch " + branch_ +
                            "): the remote has no branch " + branch_);
  }
  return SnapshotOf(history.back(), prefixes);
}

StatusOr<Snapshot> FakeGitSource::ReadCommit(
    const std::string& commit, const std::vector<std::string>& prefixes) {
  ++read_count;
  if (!unavailable.ok()) return unavailable;
  for (const auto& [name, history] : branches_) {
    for (const Commit& c : history) {
      if (c.sha == commit) return SnapshotOf(c, prefixes);
    }
  }
  return Status::NotFound("reading fake: no commit " + commit);
}

Snapshot FakeGitSource::SnapshotOf(const Commit& commit,
                                   const std::vector<std::string>& prefixes) {
  std::vector<std::string> wanted = prefixes;
  if (wanted.empty()) wanted.push_back("");
  Snapshot snap;
  snap.commit = commit.sha;
  std::string hash_input;
  for (const auto& [path, content] : commit.files) {
    bool selected = false;
    for (const std::string& p : wanted) selected |= IsUnder(path, p);
    if (!selected) continue;
    snap.files[path] = content.substr(0, kMaxSourceFileBytes + 1);
    bool hashed = true;
    for (const std::string& u : unhashed_) hashed &= !IsUnder(path, u);
    if (hashed) hash_input += path + '\0' + content + '\0';
  }
  for (const std::string& p : wanted) {
    std::string under;
    for (const auto& [path, content] : snap.files) {
      if (IsUnder(path, p)) under += path + '\0' + content + '\0';
      if (path != p && IsUnder(path, p)) snap.trees.insert(p);
    }
    snap.prefix_ids[p] = under.empty() ? "" : Sha256Hex(under);
  }
  snap.spec_hash = Sha256Hex(hash_input);
  return snap;
}

StatusOr<std::string> FakeGitSource::CommitAndPush(const CommitRequest& req) {
  if (!unavailable.ok()) return unavailable;
  for (int attempt = 0; attempt < max_push_attempts; ++attempt) {
    const std::vector<Commit>& history = branches_[req.branch];
    std::string base_sha = history.empty() ? "" : history.back().sha;
    FileSet files = history.empty() ? FileSet{} : history.back().files;
    for (const auto& [path, want] : req.expect) {
      auto it = files.find(path);
      std::optional<std::string> have;
      if (it != files.end()) have = it->second;
      if (have != want) {
        return Status::FailedPrecondition(
            path + " changed since the decision was made");
      }
    }
    FileSet before = files;
    Apply(req.changes, &files);
    if (files == before) return std::string();
    if (before_push) before_push(attempt);
    std::vector<Commit>& now = branches_[req.branch];
    if ((now.empty() ? "" : now.back().sha) != base_sha) continue;  // raced
    ++push_count;
    Commit c{NextSha(), files, req.message,
             req.author_name + " <" + req.author_email + ">"};
    now.push_back(c);
    return c.sha;
  }
  return Status::Conflict("committing to fake (branch " + req.branch +
                          "): the push was rejected " +
                          std::to_string(max_push_attempts) + " times");
}

}  // namespace capigitops::testing
