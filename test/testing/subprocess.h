// Running the project's binaries from tests: argv in, exit code and output
// out. No shell, so arguments need no quoting.
#ifndef CAPIGITOPS_TEST_TESTING_SUBPROCESS_H_
#define CAPIGITOPS_TEST_TESTING_SUBPROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "testing/temp_dir.h"

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

// A process left running in the background, its stdout and stderr going to
// a file. The destructor kills it (SIGKILL) if it still runs.
class BackgroundProcess {
 public:
  // Null when it cannot be started.
  static std::unique_ptr<BackgroundProcess> Start(
      const std::vector<std::string>& argv,
      const std::vector<std::pair<std::string, std::string>>& env,
      const std::string& log_path);
  ~BackgroundProcess();

  pid_t pid() const { return pid_; }
  std::string Log() const;  // everything it printed so far
  void Signal(int signo) const;
  // Waits up to `timeout_seconds` for it to exit; its exit code, 128+signal
  // when killed, or -1 when it is still running.
  int Wait(double timeout_seconds);

 private:
  BackgroundProcess() = default;
  pid_t pid_ = -1;
  bool exited_ = false;
  std::string log_path_;
};

// /usr/bin/git with `args`, committing as "Human <h@example.com>" so tests
// can tell people's commits from capi-gitops' own.
RunResult RunGit(const std::vector<std::string>& args);

// Makes `remote` a bare repository whose main branch holds what `work`
// contains, with `work` a clone of it (origin = remote). False on failure.
bool PublishAsRemote(const std::string& work, const std::string& remote,
                     const std::string& message);

// Copies sample-repo into `dir` (created), without the named clusters
// ("dev-sandbox": clusters/dev-sandbox.yaml).
void CopySampleRepo(const std::string& dir,
                    const std::vector<std::string>& without_clusters = {});

// `capi-gitops <command> --repo R --kubeconfig K --cache-dir C`: the start of
// every reconcile, ttl and run command line of the CLI tests.
std::vector<std::string> CapiRepoCommand(const std::string& command,
                                         const std::string& repo,
                                         const std::string& kubeconfig,
                                         const std::string& cache_dir);

// capi-sandbox's --log-requests file ("METHOD path query status" a line):
// how many requests, and the lines from line `from` on that write (every
// method but GET).
size_t LoggedRequests(const std::string& log);
std::vector<std::string> LoggedWrites(const std::string& log, size_t from = 0);

// build/capi-gitops and friends.
std::string BinaryPath(const std::string& name);
// The project's source tree.
std::string SourcePath(const std::string& relative);

using TempDir = ::capigitops::testing::TempDir;

}  // namespace capigitops::testutil

#endif  // CAPIGITOPS_TEST_TESTING_SUBPROCESS_H_
