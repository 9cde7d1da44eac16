// A small HTTP/1.1 server for the controller's own endpoints (/metrics,
// /healthz, /readyz, the webhook). Serves on its own threads until Stop()
// or destruction.
//
// Built so that slow or hostile clients cannot starve the probes: one
// thread reads and writes every connection without blocking (poll), with a
// deadline for the request head, one for the body and one for the reply;
// handlers run on worker threads only once a request is complete. The body
// size is checked (and `screen` asked) before a byte of the body is read.
// One request per connection (Connection: close).
#ifndef CAPIGITOPS_DAEMON_HTTP_SERVER_H_
#define CAPIGITOPS_DAEMON_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
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

struct HttpServerOptions {
  size_t max_body_bytes = 64 << 10;  // larger: 413 before reading it
  size_t max_head_bytes = 16 << 10;  // request line and headers: else 431
  int64_t head_timeout_ms = 5000;    // the whole head, however it trickles
  int64_t body_timeout_ms = 30000;   // the whole body
  int64_t write_timeout_ms = 10000;  // the whole reply
  size_t max_connections = 512;      // more are closed at once
  int workers = 2;                   // threads running the handler
  // Sees the head (body empty) before the body is read; a reply refuses the
  // request without reading it (e.g. an unsigned webhook delivery).
  std::function<std::optional<HttpReply>(const HttpExchange&)> screen;
};

class HttpServer {
 public:
  // Listens on `address` ("host:port", ":port" for every interface; port 0
  // picks a free one) and serves every request with `handler`.
  static StatusOr<std::unique_ptr<HttpServer>> Start(
      const std::string& address, HttpHandler handler,
      HttpServerOptions options = {});
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
