// Reading files from, and writing changes into, Git trees without a
// checkout.
#ifndef CAPIGITOPS_GIT_TREE_IO_H_
#define CAPIGITOPS_GIT_TREE_IO_H_

#include <git2.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "capigitops/git.h"
#include "capigitops/status.h"

namespace capigitops::git {

// Fills snapshot->files and snapshot->prefix_ids with everything under
// `prefixes` in `tree` (empty list or "" = the whole tree), and
// snapshot->spec_hash over the prefixes not under `unhashed`.
Status ReadPrefixes(git_repository* repo, git_tree* tree,
                    const std::vector<std::string>& prefixes,
                    const std::vector<std::string>& unhashed,
                    Snapshot* snapshot);

// Checks that a change path is a plain repository-relative file path.
Status ValidateChangePath(const std::string& path);

// OK when every path of `expect` has that content in `base` (null: an empty
// tree; nullopt: the path is absent), else FailedPrecondition naming the
// first path that differs.
Status CheckExpected(
    git_tree* base,
    const std::map<std::string, std::optional<std::string>>& expect);

// Writes the tree that results from applying `changes` to `base` (null: an
// empty tree). Deleting an absent path is ignored. Returns nullopt when the
// result equals `base` (or is empty without a base): nothing to commit.
StatusOr<std::optional<git_oid>> BuildTree(
    git_repository* repo, git_tree* base,
    const std::map<std::string, std::optional<std::string>>& changes);

}  // namespace capigitops::git

#endif  // CAPIGITOPS_GIT_TREE_IO_H_
