// The files of a cluster-definition repository, however they were read: from
// a directory, from a Git commit's tree or from a test. Its own header so that
// the Git layer and the spec loader both use it without depending on each
// other.
#ifndef CAPIGITOPS_FILE_SET_H_
#define CAPIGITOPS_FILE_SET_H_

#include <map>
#include <string>

namespace capigitops {

// Repository-relative path ("clusters/a.yaml") -> file content.
using FileSet = std::map<std::string, std::string>;

}  // namespace capigitops

#endif  // CAPIGITOPS_FILE_SET_H_
