#include "git/test_servers.h"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "git/git_test_util.h"

namespace capigitops::testing {
namespace {

constexpr int kStartTimeoutMs = 10000;

std::string CurrentUser() {
  const passwd* pw = getpwuid(geteuid());
  return pw != nullptr ? pw->pw_name : "root";
}

std::string Tail(const std::string& log_file) {
  std::string text = ReadFile(log_file);
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

}  // namespace

bool ChildProcess::Start(const std::vector<std::string>& argv,
                         const std::string& log_file) {
  Stop();
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    // Own process group, so Stop() also ends CGI children and sessions.
    setpgid(0, 0);
    int fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    std::vector<char*> args;
    for (const std::string& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  setpgid(pid, pid);
  pid_ = pid;
  return true;
}

void ChildProcess::Stop() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGTERM);
  kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (waitpid(pid_, nullptr, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(-pid_, SIGKILL);
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
}

HttpGitServer::HttpGitServer(const std::string& work_dir,
                             const std::string& projects_dir,
                             const std::string& user,
                             const std::string& password) {
  const std::string lighttpd = "/usr/sbin/lighttpd";
  const std::string backend = "/usr/lib/git-core/git-http-backend";
  for (const std::string& bin : {lighttpd, backend}) {
    if (access(bin.c_str(), X_OK) != 0) {
      error_ = bin + " is not installed (Debian packages lighttpd, git)";
      missing_ = true;
      return;
    }
  }
  std::filesystem::create_directories(work_dir + "/htdocs");
  port_ = FreePort();
  std::string users = work_dir + "/users";
  WriteFile(users, user + ":" + password + "\n");
  std::string config =
      "server.document-root = \"" + work_dir + "/htdocs\"\n" +
      "server.bind = \"127.0.0.1\"\n" +
      "server.port = " + std::to_string(port_) + "\n" + "server.errorlog = \"" +
      work_dir + "/error.log\"\n" +
      "server.modules = (\"mod_access\", \"mod_alias\", \"mod_auth\",\n"
      "  \"mod_authn_file\", \"mod_setenv\", \"mod_cgi\")\n"
      "auth.backend = \"plain\"\n"
      "auth.backend.plain.userfile = \"" +
      users + "\"\n" +
      "auth.require = (\"/\" => (\"method\" => \"basic\", \"realm\" => "
      "\"git\",\n"
      "  \"require\" => \"valid-user\"))\n"
      "alias.url = (\"/git\" => \"" +
      backend + "\")\n" +
      "$HTTP[\"url\"] =~ \"^/git\" {\n"
      "  cgi.assign = (\"\" => \"\")\n"
      "  setenv.add-environment = (\"GIT_PROJECT_ROOT\" => \"" +
      projects_dir +
      "\", \"GIT_HTTP_EXPORT_ALL\" => \"1\")\n"
      "}\n";
  std::string config_file = work_dir + "/lighttpd.conf";
  WriteFile(config_file, config);
  std::string log = work_dir + "/lighttpd.out";
  if (!process_.Start({lighttpd, "-D", "-f", config_file}, log) ||
      !WaitForPort(port_, kStartTimeoutMs)) {
    error_ =
        "lighttpd did not start: " + Tail(log) + Tail(work_dir + "/error.log");
    process_.Stop();
  }
}

std::string HttpGitServer::Url(const std::string& repo) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/git/" + repo;
}

SshGitServer::SshGitServer(const std::string& work_dir) : user_(CurrentUser()) {
  const std::string sshd = "/usr/sbin/sshd";
  if (access(sshd.c_str(), X_OK) != 0 ||
      RunShell("command -v ssh-keygen").exit_code != 0) {
    error_ = "sshd or ssh-keygen is not installed (Debian openssh-server)";
    missing_ = true;
    return;
  }
  std::filesystem::create_directories(work_dir);
  // sshd running as root insists on its privilege separation directory.
  if (geteuid() == 0) mkdir("/run/sshd", 0755);
  std::string host_key = work_dir + "/host_ed25519";
  client_key_ = work_dir + "/client_ecdsa";
  // libssh2 1.10 reads PEM private keys most reliably.
  ShellResult keys =
      RunShell("ssh-keygen -q -t ed25519 -N '' -C host -f " + Quote(host_key) +
               " && ssh-keygen -q -t ecdsa -b 256 -m PEM -N '' -C client -f " +
               Quote(client_key_));
  if (keys.exit_code != 0) {
    error_ = "ssh-keygen failed: " + keys.output;
    return;
  }
  port_ = FreePort();
  host_key_line_ = ReadFile(host_key + ".pub");
  known_hosts_ = work_dir + "/known_hosts";
  WriteFile(known_hosts_,
            "[127.0.0.1]:" + std::to_string(port_) + " " + host_key_line_);
  WriteFile(work_dir + "/authorized_keys", ReadFile(client_key_ + ".pub"));
  std::string config = "Port " + std::to_string(port_) +
                       "\nListenAddress 127.0.0.1\n"
                       "HostKey " +
                       host_key + "\n" + "AuthorizedKeysFile " + work_dir +
                       "/authorized_keys\n" +
                       "PidFile none\nStrictModes no\nUsePAM no\n"
                       "PasswordAuthentication no\n"
                       "KbdInteractiveAuthentication no\n"
                       "PubkeyAuthentication yes\nPermitRootLogin yes\n"
                       "AllowUsers " +
                       user_ + "\nLogLevel VERBOSE\n";
  std::string config_file = work_dir + "/sshd_config";
  WriteFile(config_file, config);
  chmod(host_key.c_str(), 0600);
  std::string log = work_dir + "/sshd.log";
  if (!process_.Start({sshd, "-D", "-e", "-f", config_file}, log) ||
      !WaitForPort(port_, kStartTimeoutMs)) {
    error_ = "sshd did not start: " + Tail(log);
    process_.Stop();
  }
}

std::string SshGitServer::Url(const std::string& path) const {
  return "ssh://" + user_ + "@127.0.0.1:" + std::to_string(port_) + path;
}

}  // namespace capigitops::testing
