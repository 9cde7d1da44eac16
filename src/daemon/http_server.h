// A small HTTP server for the controller's own endpoints (/metrics, /healthz,
// /readyz, the webhook), over cpp-httplib. Serves on its own threads until
// Stop() or destruction.
#ifndef CAPIGITOPS_DAEMON_HTTP_SERVER_H_
#define CAPIGITOPS_DAEMON_HTTP_SERVER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "capigitops/status.h"

namespace capigitops {

struct HttpExchange {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using HttpHandler = std::function<HttpReply(const HttpExchange&)>;

class HttpServer {
 public:
  // Listens on `address` ("host:port", ":port" for every interface; port 0
  // picks a free one) and serves every request with `handler`.
  static StatusOr<std::unique_ptr<HttpServer>> Start(const std::string& address,
                                                     HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // "127.0.0.1:41234": the address actually bound.
  const std::string& address() const { return bound_; }
  void Stop();

 private:
  HttpServer() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string bound_;
};

// Splits "host:port" / ":port" / "[::1]:port"; false when malformed.
bool SplitHostPort(const std::string& address, std::string* host, int* port);

}  // namespace capigitops

#endif  // CAPIGITOPS_DAEMON_HTTP_SERVER_H_
