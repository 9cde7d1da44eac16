// The HTTP(S) front end: authentication, fault injection, latency, request
// log, and dispatch to discovery, watch and resource handlers.
#ifndef CAPIGITOPS_SANDBOX_SERVER_H_
#define CAPIGITOPS_SANDBOX_SERVER_H_

#include <memory>
#include <string>

#include "api.h"
#include "capigitops/status.h"
#include "workload.h"

namespace capigitops::sandbox {

struct ServerOptions {
  int port = 0;  // 0: any free port
  bool insecure_http = false;
  double fault_rate = 0;  // fraction of non-discovery requests that fail
  int latency_ms = 0;
  std::string log_requests;  // file path, or ""
  int threads = 256;
  // Serves each workload cluster under /workload/<ns>/<name>/; may be null.
  WorkloadRegistry* workloads = nullptr;
};

class SandboxServer {
 public:
  // Binds 127.0.0.1 and starts listening (not yet accepting).
  static StatusOr<std::unique_ptr<SandboxServer>> Start(
      const ServerOptions& options, ApiContext ctx);
  ~SandboxServer();

  int port() const;
  std::string url() const;
  const std::string& token() const;
  const std::string& ca_pem() const;  // "" for plain HTTP
  // A client certificate and key the server accepts instead of the token;
  // "" for plain HTTP.
  const std::string& client_cert_pem() const;
  const std::string& client_key_pem() const;

  // Accepts and serves until Stop(); blocks.
  void Run();
  // Safe from any thread.
  void Stop();

  struct Impl;

 private:
  explicit SandboxServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_SERVER_H_
