// Test helpers: run the real capi-sandbox binary and real kubectl 1.32.
#ifndef CAPIGITOPS_TEST_SANDBOX_SANDBOX_PROCESS_H_
#define CAPIGITOPS_TEST_SANDBOX_SANDBOX_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "schema/crd_locator.h"
#include "testing/temp_dir.h"

namespace capigitops::sandbox_test {

using TempDir = ::capigitops::testing::TempDir;

struct CommandResult {
  int exit_code = -1;  // -1 when killed or not started
  std::string out;
  std::string err;
  bool timed_out = false;
};

// Runs argv (no shell) with `stdin_text` on stdin; kills it after
// `timeout_seconds` and returns what it printed so far.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         double timeout_seconds = 60,
                         const std::string& stdin_text = "");

// A fresh temporary directory, removed with its content on destruction.

// A running capi-sandbox on 127.0.0.1 with --port 0 and its own kubeconfig.
// The destructor stops it with SIGTERM (SIGKILL if it hangs).
class SandboxProcess {
 public:
  // `args` are added to --kubeconfig-out/--port; returns null and sets
  // *error when it does not come up within 30 seconds.
  static std::unique_ptr<SandboxProcess> Start(
      const std::vector<std::string>& args, std::string* error);
  // Start with the upstream CRDs (CapiCrdsDir) and the clock standing still
  // (--time-scale 0): what the CLI integration tests run against.
  static std::unique_ptr<SandboxProcess> StartWithCrds(std::string* error);
  ~SandboxProcess();

  const std::string& kubeconfig() const { return kubeconfig_; }
  const std::string& server_url() const { return server_url_; }
  const std::string& token() const { return token_; }
  const std::string& dir() const { return dir_.path(); }
  pid_t pid() const { return pid_; }
  // What capi-sandbox printed on stdout and stderr so far.
  std::string log() const;

  // SIGTERM and wait; returns the exit code (-1 when it had to be killed).
  int Stop();

 private:
  SandboxProcess() = default;
  TempDir dir_;
  std::string kubeconfig_;
  std::string server_url_;
  std::string token_;
  pid_t pid_ = -1;
};

// kubectl 1.32 against a sandbox, with a fresh --cache-dir per instance.
class Kubectl {
 public:
  explicit Kubectl(const SandboxProcess& sandbox);
  // Against another kubeconfig (a workload cluster's).
  explicit Kubectl(const std::string& kubeconfig_path);
  CommandResult Run(const std::vector<std::string>& args,
                    const std::string& stdin_text = "",
                    double timeout_seconds = 60) const;
  static bool Available();

 private:
  std::string kubeconfig_;
  TempDir cache_;
};

// The upstream CRD directory, or "" when absent.
std::string CapiCrdsDir();

}  // namespace capigitops::sandbox_test

#endif  // CAPIGITOPS_TEST_SANDBOX_SANDBOX_PROCESS_H_
