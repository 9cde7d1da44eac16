// An in-memory GitSource for tests of code that uses one (the reconciler):
// a linear history of file sets per branch, with switches to make the remote
// unreachable and to simulate someone pushing in between.
#ifndef CAPIGITOPS_TEST_GIT_FAKE_GIT_SOURCE_H_
#define CAPIGITOPS_TEST_GIT_FAKE_GIT_SOURCE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "capigitops/git.h"

namespace capigitops::testing {

class FakeGitSource : public GitSource {
 public:
  struct Commit {
    std::string sha;
    FileSet files;
    std::string message;
    std::string author;  // "name <email>"
  };

  explicit FakeGitSource(std::string branch = "main")
      : branch_(std::move(branch)) {}

  using Changes = std::map<std::string, std::optional<std::string>>;

  // A commit by someone else (a person, CI) on `branch` ("" = the fetched
  // one); nullopt deletes. Returns the new sha.
  std::string PushFiles(const Changes& changes, const std::string& message,
                        const std::string& branch = "");
  // The whole tree at the tip of `branch` ("" = the fetched branch); empty
  // when the branch does not exist.
  const FileSet& Files(const std::string& branch = "") const;
  const std::vector<Commit>& History(const std::string& branch = "") const;

  // While set, Fetch and CommitAndPush return this status.
  Status unavailable;
  // Called before each push attempt, like
  // the libgit2 source's BeforePush (test/git/racing_source.h).
  std::function<void(int attempt)> before_push;
  int max_push_attempts = 5;
  int fetch_count = 0;
  int read_count = 0;  // ReadCommit calls
  int push_count = 0;

  StatusOr<Snapshot> Fetch(const std::vector<std::string>& prefixes) override;
  StatusOr<Snapshot> ReadCommit(
      const std::string& commit,
      const std::vector<std::string>& prefixes) override;
  StatusOr<std::string> CommitAndPush(const CommitRequest& req) override;

 private:
  std::string NextSha();
  Snapshot SnapshotOf(const Commit& commit,
                      const std::vector<std::string>& prefixes);

  std::string branch_;
  std::map<std::string, std::vector<Commit>> branches_;
  int next_sha_ = 1;
};

}  // namespace capigitops::testing

#endif  // CAPIGITOPS_TEST_GIT_FAKE_GIT_SOURCE_H_
