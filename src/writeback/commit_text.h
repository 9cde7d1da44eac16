// Text from the repository that goes into our commit messages.
#ifndef CAPIGITOPS_WRITEBACK_COMMIT_TEXT_H_
#define CAPIGITOPS_WRITEBACK_COMMIT_TEXT_H_

#include <string>

namespace capigitops {

// Control characters as \xNN, so a file name cannot add lines (trailers, a
// fake sign-off) to a commit message.
std::string EscapeForCommit(const std::string& text);

}  // namespace capigitops

#endif  // CAPIGITOPS_WRITEBACK_COMMIT_TEXT_H_
