#include "daemon/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace capigitops {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string Format(const HttpReply& r) {
  return "HTTP/1.1 " + std::to_string(r.status) + " " + ReasonPhrase(r.status) +
         "\r\nContent-Type: " + r.content_type +
         "\r\nContent-Length: " + std::to_string(r.body.size()) +
         "\r\nConnection: close\r\n\r\n" + r.body;
}

HttpReply Plain(int status, const std::string& text) {
  HttpReply r;
  r.status = status;
  r.body = text + "\n";
  return r;
}

// Parses the request line and headers; false when malformed.
bool ParseHead(const std::string& head, HttpExchange* ex) {
  size_t eol = head.find("\r\n");
  std::string line = head.substr(0, eol);
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1) return false;
  ex->method = line.substr(0, sp1);
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  ex->path = target.substr(0, target.find('?'));
  size_t pos = eol + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string h = head.substr(pos, end - pos);
    pos = end + 2;
    if (h.empty()) continue;
    size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0) return false;
    std::string name = h.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(c));
    std::string value = h.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.erase(0, 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
      value.pop_back();
    ex->headers[name] = value;
  }
  return !ex->method.empty() && !ex->path.empty() && ex->path[0] == '/';
}

}  // namespace

// The loop thread's state of one connection (named, not file-local: Impl
// holds them).
namespace http_server_detail {
enum class Phase { kHead, kBody, kHandling, kWriting };

struct Conn {
  Phase phase = Phase::kHead;
  std::string in;
  HttpExchange ex;
  size_t body_length = 0;
  std::string out;
  size_t out_pos = 0;
  int64_t deadline_ms = 0;
};

}  // namespace http_server_detail

using http_server_detail::Conn;
using http_server_detail::Phase;

struct HttpServer::Impl {
  HttpHandler handler;
  HttpServerOptions options;
  int listen_fd = -1;
  int wake[2] = {-1, -1};
  std::thread loop;
  std::vector<std::thread> workers;
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::deque<std::pair<int, HttpExchange>> todo;  // for the workers
  std::deque<std::pair<int, std::string>> done;   // replies for the loop
  std::map<int, Conn> conns;                      // the loop's only

  void Wake() {
    char c = 1;
    (void)!write(wake[1], &c, 1);
  }
  void Loop();
  void Work();
  void Accept();
  void Read(int fd, Conn* c);
  void HeadDone(int fd, Conn* c, size_t head_end);
  void Reply(Conn* c, const HttpReply& r) {
    c->out = Format(r);
    c->out_pos = 0;
    c->phase = Phase::kWriting;
    c->deadline_ms = NowMs() + options.write_timeout_ms;
  }
  void Dispatch(int fd, Conn* c) {
    c->phase = Phase::kHandling;
    std::lock_guard<std::mutex> lock(mu);
    todo.emplace_back(fd, std::move(c->ex));
    cv.notify_one();
  }
  // False when the connection is finished (written or failed).
  bool Write(int fd, Conn* c) {
    while (c->out_pos < c->out.size()) {
      ssize_t n = send(fd, c->out.data() + c->out_pos,
                       c->out.size() - c->out_pos, MSG_NOSIGNAL);
      if (n > 0) {
        c->out_pos += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
      return false;
    }
    return false;
  }
};

void HttpServer::Impl::Accept() {
  while (true) {
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (conns.size() >= options.max_connections) {
      close(fd);  // shed load; the probes' own connection comes again
      continue;
    }
    Conn& c = conns[fd];
    c.deadline_ms = NowMs() + options.head_timeout_ms;
  }
}

void HttpServer::Impl::HeadDone(int fd, Conn* c, size_t head_end) {
  std::string head = c->in.substr(0, head_end);
  std::string rest = c->in.substr(head_end + 4);
  c->in.clear();
  if (!ParseHead(head, &c->ex)) return Reply(c, Plain(400, "bad request"));
  if (c->ex.headers.count("transfer-encoding")) {
    return Reply(c, Plain(411, "a Content-Length is required"));
  }
  auto cl = c->ex.headers.find("content-length");
  if (cl != c->ex.headers.end()) {
    const std::string& v = cl->second;
    if (v.empty() || v.size() > 12 ||
        v.find_first_not_of("0123456789") != std::string::npos) {
      return Reply(c, Plain(400, "bad Content-Length"));
    }
    c->body_length = std::stoull(v);
  }
  if (c->body_length > options.max_body_bytes) {
    return Reply(
        c, Plain(413, "the body is larger than " +
                          std::to_string(options.max_body_bytes) + " bytes"));
  }
  if (options.screen) {
    if (std::optional<HttpReply> refused = options.screen(c->ex)) {
      return Reply(c, *refused);
    }
  }
  c->ex.body = std::move(rest);
  if (c->ex.body.size() >= c->body_length) {
    c->ex.body.resize(c->body_length);
    return Dispatch(fd, c);
  }
  c->phase = Phase::kBody;
  c->deadline_ms = NowMs() + options.body_timeout_ms;
}

void HttpServer::Impl::Read(int fd, Conn* c) {
  char buf[16384];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    close(fd);
    conns.erase(fd);
    return;
  }
  if (n < 0) return;
  if (c->phase == Phase::kBody) {
    size_t want = c->body_length - c->ex.body.size();
    c->ex.body.append(buf, std::min(want, static_cast<size_t>(n)));
    if (c->ex.body.size() >= c->body_length) Dispatch(fd, c);
    return;
  }
  c->in.append(buf, static_cast<size_t>(n));
  size_t head_end = c->in.find("\r\n\r\n");
  if (head_end != std::string::npos) return HeadDone(fd, c, head_end);
  if (c->in.size() > options.max_head_bytes) {
    Reply(c, Plain(431, "the request head is too large"));
  }
}

void HttpServer::Impl::Loop() {
  std::vector<pollfd> fds;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (stopping) break;
      for (auto& [fd, reply] : done) {
        auto it = conns.find(fd);
        if (it == conns.end()) continue;
        it->second.out = std::move(reply);
        it->second.phase = Phase::kWriting;
        it->second.deadline_ms = NowMs() + options.write_timeout_ms;
      }
      done.clear();
    }
    int64_t now = NowMs();
    int64_t wait = 1000;
    fds.assign({{listen_fd, POLLIN, 0}, {wake[0], POLLIN, 0}});
    for (auto it = conns.begin(); it != conns.end();) {
      Conn& c = it->second;
      if (c.phase != Phase::kHandling && now >= c.deadline_ms) {
        if (c.phase != Phase::kWriting) {
          // Best effort: the client is slow, so it may not read this.
          std::string r = Format(Plain(408, "request timed out"));
          (void)!send(it->first, r.data(), r.size(), MSG_NOSIGNAL);
        }
        close(it->first);
        it = conns.erase(it);
        continue;
      }
      if (c.phase != Phase::kHandling) {
        wait = std::min(wait, c.deadline_ms - now);
        fds.push_back(
            {it->first,
             static_cast<short>(c.phase == Phase::kWriting ? POLLOUT : POLLIN),
             0});
      }
      ++it;
    }
    if (poll(fds.data(), fds.size(),
             static_cast<int>(std::max<int64_t>(wait, 1))) <= 0) {
      continue;
    }
    if (fds[1].revents) {
      char drain[64];
      while (read(wake[0], drain, sizeof drain) > 0) {
      }
    }
    if (fds[0].revents & POLLIN) Accept();
    for (size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      auto it = conns.find(fds[i].fd);
      if (it == conns.end()) continue;
      Conn& c = it->second;
      if (c.phase == Phase::kWriting) {
        if (!Write(it->first, &c)) {
          close(it->first);
          conns.erase(it);
        }
      } else if (c.phase != Phase::kHandling) {
        Read(it->first, &c);
      }
    }
  }
  for (auto& [fd, c] : conns) close(fd);
  conns.clear();
}

void HttpServer::Impl::Work() {
  while (true) {
    std::pair<int, HttpExchange> job;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return stopping || !todo.empty(); });
      if (stopping) return;
      job = std::move(todo.front());
      todo.pop_front();
    }
    std::string reply = Format(handler(job.second));
    {
      std::lock_guard<std::mutex> lock(mu);
      done.emplace_back(job.first, std::move(reply));
    }
    Wake();
  }
}

bool SplitHostPort(const std::string& address, std::string* host, int* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) return false;
  std::string h = address.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
    h = h.substr(1, h.size() - 2);
  }
  std::string p = address.substr(colon + 1);
  for (char c : p) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  if (p.size() > 5) return false;
  *port = std::stoi(p);
  if (*port > 65535) return false;
  *host = h.empty() ? "0.0.0.0" : h;
  return true;
}

namespace {

// A non-blocking listening socket on host:port; -1 and *error when not.
int Listen(const std::string& host, int port, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  std::string service = std::to_string(port);
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &list) != 0) {
    *error = "cannot resolve " + host;
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = list; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                ai->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0) {
      *error = std::strerror(errno);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(list);
  return fd;
}

int BoundPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.ss_family == AF_INET6
                   ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                   : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

}  // namespace

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const std::string& address, HttpHandler handler,
    HttpServerOptions options) {
  std::string host;
  int port = 0;
  if (!SplitHostPort(address, &host, &port)) {
    return Status::InvalidArgument("listen address \"" + address +
                                   "\" is not host:port or :port");
  }
  std::string error;
  int fd = Listen(host, port, &error);
  if (fd < 0) {
    return Status::Unavailable("cannot listen on " + address + ": " + error +
                               (port ? " (is the port in use?)" : ""));
  }
  std::unique_ptr<HttpServer> s(new HttpServer());
  s->impl_ = std::make_unique<Impl>();
  Impl* impl = s->impl_.get();
  impl->handler = std::move(handler);
  impl->options = std::move(options);
  impl->listen_fd = fd;
  if (pipe2(impl->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
    close(fd);
    return Status::Internal("pipe: " + std::string(std::strerror(errno)));
  }
  s->bound_ = (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
              ":" + std::to_string(BoundPort(fd));
  impl->loop = std::thread([impl] { impl->Loop(); });
  for (int i = 0; i < std::max(1, impl->options.workers); ++i) {
    impl->workers.emplace_back([impl] { impl->Work(); });
  }
  return s;
}

void HttpServer::Stop() {
  if (!impl_ || impl_->listen_fd < 0) return;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->Wake();
  if (impl_->loop.joinable()) impl_->loop.join();
  for (std::thread& t : impl_->workers) t.join();
  impl_->workers.clear();
  close(impl_->listen_fd);
  close(impl_->wake[0]);
  close(impl_->wake[1]);
  impl_->listen_fd = -1;
}

HttpServer::~HttpServer() { Stop(); }

}  // namespace capigitops
