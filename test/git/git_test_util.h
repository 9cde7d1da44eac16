// Helpers for Git tests: temporary directories, shell commands, and bare
// "remote" repositories driven with the git CLI as a second, independent
// client.
#ifndef CAPIGITOPS_TEST_GIT_GIT_TEST_UTIL_H_
#define CAPIGITOPS_TEST_GIT_GIT_TEST_UTIL_H_

#include <map>
#include <optional>
#include <string>

#include "testing/temp_dir.h"

namespace capigitops::testing {

// A fresh directory, removed with its contents when this goes out of scope.

struct ShellResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `command` with /bin/sh.
ShellResult RunShell(const std::string& command);
// Single-quotes `s` for the shell.
std::string Quote(const std::string& s);

void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);

// A bare repository on branch main plus a working clone used to push to it
// the way a person would.
class GitRemote {
 public:
  // Creates <dir>/remote.git with one commit holding `files`.
  GitRemote(const std::string& dir,
            const std::map<std::string, std::string>& files);

  const std::string& bare() const { return bare_; }
  // Commits the changes (nullopt deletes) from the working clone, pulling
  // first, and pushes them; returns the new tip.
  std::string Push(
      const std::map<std::string, std::optional<std::string>>& files,
      const std::string& message, const std::string& branch = "main");
  // `git` run on the bare repository, output trimmed; "" on failure.
  std::string Git(const std::string& args) const;
  std::string Tip(const std::string& branch = "main") const;

 private:
  std::string work_;
  std::string bare_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();
// Waits until something listens on 127.0.0.1:port; false on timeout.
bool WaitForPort(int port, int timeout_ms);

}  // namespace capigitops::testing

#endif  // CAPIGITOPS_TEST_GIT_GIT_TEST_UTIL_H_
