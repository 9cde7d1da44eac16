#include "git/git_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace capigitops::testing {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The git CLI, with an identity and no user or system config in the way.
std::string GitCli() {
  return "env GIT_CONFIG_NOSYSTEM=1 HOME=/nonexistent "
         "GIT_AUTHOR_NAME=Human GIT_AUTHOR_EMAIL=human@example.com "
         "GIT_COMMITTER_NAME=Human GIT_COMMITTER_EMAIL=human@example.com git";
}

void MustRun(const std::string& command) {
  CommandResult r = RunCommand(command);
  if (r.exit_code != 0) {
    throw std::runtime_error("command failed: " + command + "\n" + r.output);
  }
}

}  // namespace

TempDir::TempDir() {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "capigitops-test-XXXXXX")
          .string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen(("(" + command + ") 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

void WriteFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(
      std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

GitRemote::GitRemote(const std::string& dir,
                     const std::map<std::string, std::string>& files)
    : work_(dir + "/work"), bare_(dir + "/remote.git") {
  MustRun(GitCli() + " init -q --bare -b main " + Quote(bare_));
  MustRun(GitCli() + " init -q -b main " + Quote(work_));
  MustRun(GitCli() + " -C " + Quote(work_) + " remote add origin " +
          Quote(bare_));
  std::map<std::string, std::optional<std::string>> changes(files.begin(),
                                                            files.end());
  Push(changes, "initial");
}

std::string GitRemote::Push(
    const std::map<std::string, std::optional<std::string>>& files,
    const std::string& message, const std::string& branch) {
  std::string git = GitCli() + " -C " + Quote(work_);
  if (!Git("rev-parse --verify -q refs/heads/" + branch).empty()) {
    MustRun(git + " fetch -q origin " + Quote(branch));
    MustRun(git + " checkout -q -B " + Quote(branch) + " FETCH_HEAD");
  } else {
    // A new branch without history.
    RunCommand(git + " update-ref -d refs/heads/" + branch);
    MustRun(git + " symbolic-ref HEAD refs/heads/" + branch);
    MustRun(git + " rm -rfq --ignore-unmatch . && " + git + " clean -fdxq");
  }
  for (const auto& [path, content] : files) {
    if (content.has_value()) {
      WriteFile(work_ + "/" + path, *content);
      MustRun(git + " add " + Quote(path));
    } else {
      MustRun(git + " rm -q " + Quote(path));
    }
  }
  MustRun(git + " commit -q --allow-empty -m " + Quote(message));
  MustRun(git + " push -q origin HEAD:refs/heads/" + branch);
  return Tip(branch);
}

std::string GitRemote::Git(const std::string& args) const {
  CommandResult r =
      RunCommand(GitCli() + " --git-dir=" + Quote(bare_) + " " + args);
  return r.exit_code == 0 ? Trim(r.output) : "";
}

std::string GitRemote::Tip(const std::string& branch) const {
  return Git("rev-parse refs/heads/" + branch);
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("no free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

bool WaitForPort(int port, int timeout_ms) {
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace capigitops::testing
