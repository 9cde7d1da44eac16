#include "testing/raw_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace capigitops::testing {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(c));
  return s;
}

}  // namespace

std::string RawRequest::Header(const std::string& name) const {
  std::string want = Lower(name) + ":";
  size_t start = head.find("\r\n");
  while (start != std::string::npos && start + 2 < head.size()) {
    size_t end = head.find("\r\n", start + 2);
    std::string line = head.substr(start + 2, end - start - 2);
    if (Lower(line).rfind(want, 0) == 0) {
      std::string v = line.substr(want.size());
      while (!v.empty() && v.front() == ' ') v.erase(0, 1);
      return v;
    }
    start = end;
  }
  return "";
}

RawHttpServer::RawHttpServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 ||
      bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 64) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return;
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { Serve(); });
}

RawHttpServer::~RawHttpServer() {
  stop_ = true;
  if (listen_fd_ >= 0) shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
  }
  for (std::thread& t : workers_) t.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

std::string RawHttpServer::Url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::vector<RawRequest> RawHttpServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::string RawHttpServer::Reply(const std::string& status,
                                 const std::string& headers,
                                 const std::string& body) {
  return "HTTP/1.1 " + status + "\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

void RawHttpServer::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    connections_++;
    std::lock_guard<std::mutex> lock(mu_);
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] { Connection(fd); });
  }
}

void RawHttpServer::Connection(int fd) {
  std::string data;
  char buf[4096];
  while (!stop_) {
    size_t head_end = data.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      RawRequest req;
      req.head = data.substr(0, head_end + 2);
      size_t sp = req.head.find(' ');
      req.method = req.head.substr(0, sp);
      req.target = req.head.substr(sp + 1, req.head.find(' ', sp + 1) - sp - 1);
      size_t length =
          std::strtoul(req.Header("content-length").c_str(), nullptr, 10);
      if (data.size() >= head_end + 4 + length) {
        req.body = data.substr(head_end + 4, length);
        data.erase(0, head_end + 4 + length);
        std::string reply = handler_(req);
        {
          std::lock_guard<std::mutex> lock(mu_);
          requests_.push_back(req);
        }
        if (reply.empty()) {
          // Hold: read (and drop) until the client or the server gives up.
          while (!stop_ && read(fd, buf, sizeof buf) > 0) {
          }
          break;
        }
        size_t sent = 0;
        while (sent < reply.size()) {
          ssize_t n =
              send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
          if (n <= 0) break;
          sent += static_cast<size_t>(n);
        }
        break;  // Connection: close
      }
    }
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  shutdown(fd, SHUT_RDWR);
  std::lock_guard<std::mutex> lock(mu_);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd),
                  open_fds_.end());
  close(fd);
}

}  // namespace capigitops::testing
