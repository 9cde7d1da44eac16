// Running the project's binaries from tests: argv in, exit code and output
// out. No shell, so arguments need no quoting.
#ifndef CAPIGITOPS_TEST_TESTING_SUBPROCESS_H_
#define CAPIGITOPS_TEST_TESTING_SUBPROCESS_H_

#include <string>
#include <utility>
#include <vector>

namespace capigitops::testutil {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with `env` added to the environment.
RunResult RunProcess(
    const std::vector<std::string>& argv,
    const std::vector<std::pair<std::string, std::string>>& env = {});

// build/capi-gitops and friends.
std::string BinaryPath(const std::string& name);
// The project's source tree.
std::string SourcePath(const std::string& relative);

// A fresh directory under /tmp, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Write(const std::string& relative,
                    const std::string& content) const;

 private:
  std::string path_;
};

}  // namespace capigitops::testutil

#endif  // CAPIGITOPS_TEST_TESTING_SUBPROCESS_H_
