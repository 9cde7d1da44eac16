#include "testing/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

extern char** environ;

namespace capigitops::testutil {

namespace {

// argv and environ (ours plus `env`) as execve wants them, built before
// fork() so the child only calls async-signal-safe functions.
class ExecVectors {
 public:
  ExecVectors(const std::vector<std::string>& argv,
              const std::vector<std::pair<std::string, std::string>>& env)
      : argv_(argv) {
    for (char** e = environ; *e != nullptr; ++e) env_.emplace_back(*e);
    for (const auto& [k, v] : env) env_.push_back(k + "=" + v);
    for (std::string& s : env_) envp_.push_back(s.data());
    envp_.push_back(nullptr);
    for (std::string& a : argv_) args_.push_back(a.data());
    args_.push_back(nullptr);
  }
  void Exec() { execve(args_[0], args_.data(), envp_.data()); }

 private:
  std::vector<std::string> argv_, env_;
  std::vector<char*> args_, envp_;
};

}  // namespace

RunResult RunProcess(
    const std::vector<std::string>& argv,
    const std::vector<std::pair<std::string, std::string>>& env) {
  RunResult result;
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return result;
  ExecVectors exec(argv, env);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    exec.Exec();
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[8192];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code =
      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::unique_ptr<BackgroundProcess> BackgroundProcess::Start(
    const std::vector<std::string>& argv,
    const std::vector<std::pair<std::string, std::string>>& env,
    const std::string& log_path) {
  ExecVectors exec(argv, env);
  int log =
      open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log < 0) return nullptr;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    exec.Exec();
    _exit(127);
  }
  close(log);
  if (pid < 0) return nullptr;
  std::unique_ptr<BackgroundProcess> p(new BackgroundProcess());
  p->pid_ = pid;
  p->log_path_ = log_path;
  return p;
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    Wait(10);
  }
}

std::string BackgroundProcess::Log() const {
  std::ifstream in(log_path_);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void BackgroundProcess::Signal(int signo) const {
  if (pid_ > 0 && !exited_) kill(pid_, signo);
}

int BackgroundProcess::Wait(double timeout_seconds) {
  for (int i = 0; i <= static_cast<int>(timeout_seconds * 50); ++i) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (r < 0 && errno != EINTR) return -1;
    usleep(20 * 1000);
  }
  return -1;
}

RunResult RunGit(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/git"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, {{"GIT_AUTHOR_NAME", "Human"},
                           {"GIT_AUTHOR_EMAIL", "h@example.com"},
                           {"GIT_COMMITTER_NAME", "Human"},
                           {"GIT_COMMITTER_EMAIL", "h@example.com"}});
}

bool PublishAsRemote(const std::string& work, const std::string& remote,
                     const std::string& message) {
  for (const std::vector<std::string>& step :
       std::vector<std::vector<std::string>>{
           {"init", "-q", "--bare", "-b", "main", remote},
           {"-C", work, "init", "-q", "-b", "main"},
           {"-C", work, "add", "-A"},
           {"-C", work, "commit", "-q", "-m", message},
           {"-C", work, "remote", "add", "origin", remote},
           {"-C", work, "push", "-q", "origin", "main"}}) {
    if (RunGit(step).exit_code != 0) return false;
  }
  return true;
}

std::string BinaryPath(const std::string& name) {
  return std::string(CAPIGITOPS_BINARY_DIR) + "/" + name;
}

std::string SourcePath(const std::string& relative) {
  return std::string(CAPIGITOPS_SOURCE_DIR) + "/" + relative;
}

void CopySampleRepo(const std::string& dir,
                    const std::vector<std::string>& without_clusters) {
  std::filesystem::create_directories(dir);
  std::filesystem::copy(SourcePath("sample-repo"), dir,
                        std::filesystem::copy_options::recursive);
  for (const std::string& name : without_clusters) {
    std::filesystem::remove(dir + "/clusters/" + name + ".yaml");
  }
}

std::vector<std::string> CapiRepoCommand(const std::string& command,
                                         const std::string& repo,
                                         const std::string& kubeconfig,
                                         const std::string& cache_dir) {
  return {BinaryPath("capi-gitops"),
          command,
          "--repo",
          repo,
          "--kubeconfig",
          kubeconfig,
          "--cache-dir",
          cache_dir};
}

size_t LoggedRequests(const std::string& log) {
  std::ifstream in(log);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

std::vector<std::string> LoggedWrites(const std::string& log, size_t from) {
  std::ifstream in(log);
  std::vector<std::string> writes;
  std::string line;
  for (size_t n = 0; std::getline(in, line); ++n) {
    if (n >= from && line.rfind("GET ", 0) != 0) writes.push_back(line);
  }
  return writes;
}

}  // namespace capigitops::testutil
