// A scripted HTTP/1.1 server on 127.0.0.1 for tests of what a client does
// with hostile or broken servers: redirects to another host, a server that
// accepts and never answers, slow answers. Records every request it reads.
#ifndef CAPIGITOPS_TESTING_RAW_HTTP_SERVER_H_
#define CAPIGITOPS_TESTING_RAW_HTTP_SERVER_H_

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace capigitops::testing {

struct RawRequest {
  std::string method;
  std::string target;  // "/path?query"
  std::string head;    // request line and headers, as received
  std::string body;
  // The value of header `name` (case-insensitive), or "".
  std::string Header(const std::string& name) const;
};

class RawHttpServer {
 public:
  // The whole response ("HTTP/1.1 302 Found\r\n..."), or "" to hold the
  // connection open without answering until the server stops.
  using Handler = std::function<std::string(const RawRequest&)>;

  explicit RawHttpServer(Handler handler);
  ~RawHttpServer();
  RawHttpServer(const RawHttpServer&) = delete;
  RawHttpServer& operator=(const RawHttpServer&) = delete;

  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  std::string Url() const;  // "http://127.0.0.1:<port>"
  std::vector<RawRequest> requests() const;
  int connections() const { return connections_; }

  // A response with `status` ("302 Found"), extra header lines and a body.
  static std::string Reply(const std::string& status,
                           const std::string& headers = "",
                           const std::string& body = "");

 private:
  void Serve();
  void Connection(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mu_;
  std::vector<RawRequest> requests_;
  std::vector<int> open_fds_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace capigitops::testing

#endif  // CAPIGITOPS_TESTING_RAW_HTTP_SERVER_H_
