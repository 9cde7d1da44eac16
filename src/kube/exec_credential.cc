#include "kube/exec_credential.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "capigitops/duration.h"
#include "capigitops/json.h"
#include "util/base64.h"

extern char** environ;

namespace capigitops {
namespace {
// A plugin prints a few KB; 1 MiB is generous.
constexpr size_t kMaxExecOutput = 1 << 20;
}  // namespace

StatusOr<ExecCredential> ParseExecCredential(const std::string& text,
                                             const std::string& command) {
  StatusOr<nlohmann::json> parsed =
      yaml::ParseJson(text, "exec plugin " + command, {kMaxExecOutput, 64});
  if (!parsed.ok()) {
    return Status::Unauthenticated(parsed.status().message() +
                                   ": it did not print an ExecCredential");
  }
  const nlohmann::json& doc = *parsed;
  if (!doc.is_object() || doc.value("kind", "") != "ExecCredential") {
    return Status::Unauthenticated("exec plugin " + command +
                                   " did not print an ExecCredential");
  }
  const nlohmann::json status = doc.value("status", nlohmann::json::object());
  ExecCredential cred;
  cred.token = status.value("token", "");
  cred.client_cert_pem = status.value("clientCertificateData", "");
  cred.client_key_pem = status.value("clientKeyData", "");
  if (cred.client_cert_pem.empty() != cred.client_key_pem.empty()) {
    return Status::Unauthenticated("exec plugin " + command +
                                   " returned a client certificate without key "
                                   "or a key without certificate");
  }
  if (cred.token.empty() && cred.client_cert_pem.empty()) {
    return Status::Unauthenticated(
        "exec plugin " + command +
        " returned neither a token nor a certificate");
  }
  std::string expiry = status.value("expirationTimestamp", "");
  if (!expiry.empty()) {
    auto t = ParseRfc3339(expiry);
    if (!t) {
      return Status::Unauthenticated(
          "exec plugin " + command +
          " returned an invalid expirationTimestamp");
    }
    cred.expires_at = *t;
  }
  return cred;
}

StatusOr<ExecCredential> RunExecPlugin(const ExecConfig& exec,
                                       const RestConfig& cluster) {
  nlohmann::json info = {{"apiVersion", exec.api_version},
                         {"kind", "ExecCredential"},
                         {"spec", {{"interactive", false}}}};
  if (exec.provide_cluster_info) {
    nlohmann::json c = {{"server", cluster.server}};
    if (!cluster.ca_data.empty()) {
      c["certificate-authority-data"] = Base64Encode(cluster.ca_data);
    }
    if (!cluster.tls_server_name.empty()) {
      c["tls-server-name"] = cluster.tls_server_name;
    }
    if (cluster.insecure_skip_tls_verify) c["insecure-skip-tls-verify"] = true;
    if (!cluster.proxy_url.empty()) c["proxy-url"] = cluster.proxy_url;
    info["spec"]["cluster"] = c;
  }
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  for (const auto& [k, v] : exec.env) env.push_back(k + "=" + v);
  env.push_back("KUBERNETES_EXEC_INFO=" + yaml::DumpJson(info));
  std::vector<char*> envp, argv;
  for (std::string& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string command = exec.command;
  std::vector<std::string> args = exec.args;
  argv.push_back(command.data());
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    return Status::Internal(std::string("pipe: ") + std::strerror(errno));
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execvpe(command.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  if (pid < 0) {
    close(out[0]);
    return Status::Internal(std::string("fork: ") + std::strerror(errno));
  }
  // Read to the end (so the plugin never blocks on a full pipe) but keep
  // at most kMaxExecOutput + 1 bytes: ParseJson refuses more.
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0 && text.size() <= kMaxExecOutput) {
      text.append(buf, std::min(static_cast<size_t>(n),
                                kMaxExecOutput + 1 - text.size()));
    }
  }
  close(out[0]);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    return Status::Unauthenticated(
        "exec credential plugin " + exec.command + " failed (exit status " +
        std::to_string(code) + ")" +
        (code == 127 ? ": command not found; install it or fix exec.command"
                     : ""));
  }
  return ParseExecCredential(text, exec.command);
}

}  // namespace capigitops
