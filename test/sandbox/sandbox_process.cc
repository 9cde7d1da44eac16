#include "sandbox/sandbox_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace capigitops::sandbox_test {
namespace {

constexpr char kKubectl[] = "/usr/lib/google-cloud-sdk/bin/kubectl.1.32";

using Clock = std::chrono::steady_clock;

// fork + execv with the given pipes as stdin/stdout/stderr.
pid_t Spawn(const std::vector<std::string>& argv, int in_fd, int out_fd,
            int err_fd) {
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    for (int fd = 3; fd < 1024; ++fd) close(fd);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Waits up to `seconds` for `pid`; true (and *code set) when it exited.
bool WaitWithTimeout(pid_t pid, double seconds, int* code) {
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string FieldOf(const std::string& text, const std::string& key) {
  size_t pos = text.find(key + ": ");
  if (pos == std::string::npos) return "";
  size_t start = pos + key.size() + 2;
  return text.substr(start, text.find('\n', start) - start);
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv,
                         double timeout_seconds,
                         const std::string& stdin_text) {
  CommandResult result;
  int in[2], out[2], err[2];
  if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) return result;
  pid_t pid = Spawn(argv, in[0], out[1], err[1]);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (pid < 0) return result;
  // Small inputs only: they fit the pipe buffer.
  if (!stdin_text.empty()) {
    ssize_t n = write(in[1], stdin_text.data(), stdin_text.size());
    (void)n;
  }
  close(in[1]);
  auto end = Clock::now() + std::chrono::duration<double>(timeout_seconds);
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - Clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    if (poll(fds, 2, static_cast<int>(left.count())) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  for (pollfd& p : fds) {
    if (p.fd >= 0) close(p.fd);
  }
  int code = WaitExit(pid);
  result.exit_code = result.timed_out ? -1 : code;
  return result;
}

std::unique_ptr<SandboxProcess> SandboxProcess::Start(
    const std::vector<std::string>& args, std::string* error) {
  std::unique_ptr<SandboxProcess> p(new SandboxProcess());
  p->kubeconfig_ = p->dir() + "/kubeconfig";
  std::vector<std::string> argv = {CAPIGITOPS_BINARY_DIR "/capi-sandbox",
                                   "--port", "0", "--kubeconfig-out",
                                   p->kubeconfig_};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string log = p->dir() + "/sandbox.log";
  int null_fd = open("/dev/null", O_RDONLY);
  int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  p->pid_ = Spawn(argv, null_fd, log_fd, log_fd);
  close(null_fd);
  close(log_fd);
  // Loading and compiling every CRD takes seconds under ASan on a loaded
  // 2-core machine (once over 30 s in CI); the wait ends as soon as the
  // kubeconfig appears.
  auto end = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < end) {
    if (std::filesystem::exists(p->kubeconfig_)) {
      std::string text = ReadFile(p->kubeconfig_);
      p->server_url_ = FieldOf(text, "server");
      p->token_ = FieldOf(text, "token");
      return p;
    }
    int code = 0;
    if (WaitWithTimeout(p->pid_, 0.05, &code)) {
      p->pid_ = -1;
      *error = "capi-sandbox exited with " + std::to_string(code) + ": " +
               ReadFile(log);
      return nullptr;
    }
  }
  *error =
      "capi-sandbox did not write " + p->kubeconfig_ + ": " + ReadFile(log);
  return nullptr;  // the destructor stops it
}

int SandboxProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int code = -1;
  if (!WaitWithTimeout(pid_, 20, &code)) {
    kill(pid_, SIGKILL);
    WaitExit(pid_);
    code = -1;
  }
  pid_ = -1;
  return code;
}

SandboxProcess::~SandboxProcess() { Stop(); }

std::string SandboxProcess::log() const {
  return ReadFile(dir() + "/sandbox.log");
}

Kubectl::Kubectl(const SandboxProcess& sandbox)
    : kubeconfig_(sandbox.kubeconfig()) {}

Kubectl::Kubectl(const std::string& kubeconfig_path)
    : kubeconfig_(kubeconfig_path) {}

CommandResult Kubectl::Run(const std::vector<std::string>& args,
                           const std::string& stdin_text,
                           double timeout_seconds) const {
  std::vector<std::string> argv = {kKubectl, "--kubeconfig", kubeconfig_,
                                   "--cache-dir", cache_.path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, timeout_seconds, stdin_text);
}

bool Kubectl::Available() { return access(kKubectl, X_OK) == 0; }

std::string CapiCrdsDir() { return ::capigitops::testing::FindCrdDir(); }

std::unique_ptr<SandboxProcess> SandboxProcess::StartWithCrds(
    std::string* error) {
  return Start({"--crds", CapiCrdsDir(), "--time-scale", "0"}, error);
}

}  // namespace capigitops::sandbox_test
