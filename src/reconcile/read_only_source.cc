// --read-only as an implementation of GitSource rather than a flag the pass
// checks: reads go through, commits are kept and never pushed.
#include "capigitops/reconcile.h"

namespace capigitops {

StatusOr<Snapshot> ReadOnlyGitSource::Fetch(
    const std::vector<std::string>& prefixes) {
  return inner_->Fetch(prefixes);
}

StatusOr<Snapshot> ReadOnlyGitSource::ReadCommit(
    const std::string& commit, const std::vector<std::string>& prefixes) {
  return inner_->ReadCommit(commit, prefixes);
}

StatusOr<std::string> ReadOnlyGitSource::CommitAndPush(
    const CommitRequest& req) {
  withheld_.push_back(req);
  return std::string();  // no commit made
}

}  // namespace capigitops
