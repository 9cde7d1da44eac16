// Real Git servers for tests, on 127.0.0.1 only: git http-backend behind
// lighttpd with basic auth, and sshd with generated keys. Each one stops its
// process when it goes out of scope, whatever way the test ends.
#ifndef CAPIGITOPS_TEST_GIT_TEST_SERVERS_H_
#define CAPIGITOPS_TEST_GIT_TEST_SERVERS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace capigitops::testing {

// A child process killed (SIGTERM, then SIGKILL) and reaped on destruction.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess() { Stop(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts argv[0] with stdout and stderr appended to `log_file`.
  bool Start(const std::vector<std::string>& argv, const std::string& log_file);
  void Stop();
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

// lighttpd + git-http-backend serving every repository under `projects_dir`
// at http://127.0.0.1:<port>/git/<name>, for user `user` with `password`.
class HttpGitServer {
 public:
  // `work_dir` holds the config, password file and logs.
  HttpGitServer(const std::string& work_dir, const std::string& projects_dir,
                const std::string& user, const std::string& password);
  // False when the server could not start; see error().
  bool ok() const { return error_.empty(); }
  // True when it could not start because a program is not installed.
  bool missing() const { return missing_; }
  const std::string& error() const { return error_; }
  std::string Url(const std::string& repo) const;

 private:
  int port_ = 0;
  bool missing_ = false;
  std::string error_;
  ChildProcess process_;
};

// sshd on 127.0.0.1 that lets the current user in with a generated client
// key (and nothing else).
class SshGitServer {
 public:
  explicit SshGitServer(const std::string& work_dir);
  bool ok() const { return error_.empty(); }
  bool missing() const { return missing_; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  // The client's private key, and a known_hosts file with the server's key.
  const std::string& client_key() const { return client_key_; }
  const std::string& known_hosts() const { return known_hosts_; }
  // The server's public host key line ("ssh-ed25519 AAAA... comment").
  const std::string& host_key_line() const { return host_key_line_; }
  std::string Url(const std::string& path) const;

 private:
  int port_ = 0;
  bool missing_ = false;
  std::string error_;
  std::string client_key_, known_hosts_, host_key_line_, user_;
  ChildProcess process_;
};

}  // namespace capigitops::testing

#endif  // CAPIGITOPS_TEST_GIT_TEST_SERVERS_H_
