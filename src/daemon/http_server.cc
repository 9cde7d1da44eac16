#include "daemon/http_server.h"

#include <httplib.h>

#include <cctype>
#include <thread>

namespace capigitops {

struct HttpServer::Impl {
  httplib::Server server;
  std::thread thread;
  HttpHandler handler;
};

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

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const std::string& address, HttpHandler handler) {
  std::string host;
  int port = 0;
  if (!SplitHostPort(address, &host, &port)) {
    return Status::InvalidArgument("listen address \"" + address +
                                   "\" is not host:port or :port");
  }
  std::unique_ptr<HttpServer> s(new HttpServer());
  s->impl_ = std::make_unique<Impl>();
  Impl* impl = s->impl_.get();
  impl->handler = std::move(handler);
  // A few threads are plenty: scrapes, probes and webhooks are rare.
  impl->server.new_task_queue = [] { return new httplib::ThreadPool(4); };
  impl->server.set_payload_max_length(25 << 20);  // GitHub's largest payload
  auto serve = [impl](const httplib::Request& req, httplib::Response& res) {
    HttpExchange ex;
    ex.method = req.method;
    ex.path = req.path;
    ex.body = req.body;
    for (const auto& [k, v] : req.headers) {
      std::string name = k;
      for (char& c : name) c = static_cast<char>(std::tolower(c));
      ex.headers[name] = v;
    }
    HttpReply reply = impl->handler(ex);
    res.status = reply.status;
    res.set_content(reply.body, reply.content_type.c_str());
  };
  impl->server.Get(".*", serve);
  impl->server.Post(".*", serve);
  impl->server.Put(".*", serve);
  impl->server.Delete(".*", serve);
  if (port == 0) {
    port = impl->server.bind_to_any_port(host.c_str());
    if (port <= 0) {
      return Status::Unavailable("cannot listen on " + address);
    }
  } else if (!impl->server.bind_to_port(host.c_str(), port)) {
    return Status::Unavailable("cannot listen on " + address +
                               ": is the port in use?");
  }
  s->bound_ = (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
              ":" + std::to_string(port);
  impl->thread = std::thread([impl] { impl->server.listen_after_bind(); });
  return s;
}

void HttpServer::Stop() {
  if (!impl_) return;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

HttpServer::~HttpServer() { Stop(); }

}  // namespace capigitops
