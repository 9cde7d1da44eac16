// The controller's HTTP server under slow and hostile clients, on
// 127.0.0.1: trickling connections never block a probe, and bodies are
// refused before they are read.
#include "daemon/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace capigitops {
namespace {

int Dial(const std::string& address) {
  int port = std::stoi(address.substr(address.rfind(':') + 1));
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return fd;
}

void SendAll(int fd, const std::string& s) {
  EXPECT_EQ(send(fd, s.data(), s.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(s.size()));
}

// Everything the server sends until it closes (or `seconds` pass).
std::string ReadAll(int fd, double seconds = 5) {
  std::string out;
  char buf[4096];
  auto end = std::chrono::steady_clock::now() +
             std::chrono::milliseconds(static_cast<int>(seconds * 1000));
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string Get(const std::string& address, const std::string& path) {
  int fd = Dial(address);
  SendAll(fd, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string r = ReadAll(fd);
  close(fd);
  return r;
}

std::unique_ptr<HttpServer> Serve(HttpServerOptions o = {}) {
  StatusOr<std::unique_ptr<HttpServer>> s = HttpServer::Start(
      "127.0.0.1:0",
      [](const HttpExchange& ex) {
        HttpReply r;
        r.body = ex.method + " " + ex.path + " " +
                 std::to_string(ex.body.size()) + "\n";
        return r;
      },
      std::move(o));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

TEST(HttpServerTest, ServesRequestsWithBodies) {
  auto s = Serve();
  ASSERT_TRUE(s);
  EXPECT_NE(Get(s->address(), "/healthz?x=1").find("200 OK"),
            std::string::npos);
  EXPECT_NE(Get(s->address(), "/healthz").find("GET /healthz 0"),
            std::string::npos);
  int fd = Dial(s->address());
  SendAll(fd, "POST /hook HTTP/1.1\r\nContent-Length: 5\r\n\r\nab");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  SendAll(fd, "cde");
  EXPECT_NE(ReadAll(fd).find("POST /hook 5"), std::string::npos);
  close(fd);
}

TEST(HttpServerTest, TricklingClientsNeverBlockAProbe) {
  HttpServerOptions o;
  o.head_timeout_ms = 3000;
  auto s = Serve(o);
  ASSERT_TRUE(s);
  // Twenty connections that each send a byte of their head every 100 ms.
  std::vector<int> slow;
  for (int i = 0; i < 20; ++i) slow.push_back(Dial(s->address()));
  std::string head = "GET /metrics HTTP/1.1\r\nX-Slow: ";
  for (size_t i = 0; i < 5; ++i) {
    for (int fd : slow) SendAll(fd, head.substr(i, 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto start = std::chrono::steady_clock::now();
  std::string probe = Get(s->address(), "/healthz");
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_NE(probe.find("200 OK"), std::string::npos);
  EXPECT_LT(seconds, 1.0);  // not after the tricklers' 3 s
  // However it trickles, a head gets head_timeout_ms in all.
  std::string cut = ReadAll(slow[0], 5);
  EXPECT_NE(cut.find("408"), std::string::npos) << cut;
  for (int fd : slow) close(fd);
}

TEST(HttpServerTest, LargeOrUnscreenedBodiesAreRefusedBeforeReading) {
  HttpServerOptions o;
  o.max_body_bytes = 1 << 20;
  o.screen = [](const HttpExchange& head) -> std::optional<HttpReply> {
    if (head.headers.count("x-signature")) return std::nullopt;
    return HttpReply{401, "text/plain", "unsigned\n"};
  };
  auto s = Serve(o);
  ASSERT_TRUE(s);
  // 24 MB announced, nothing sent: the answer comes from the head alone.
  int fd = Dial(s->address());
  SendAll(fd, "POST / HTTP/1.1\r\nX-Signature: a\r\nContent-Length: " +
                  std::to_string(24 << 20) + "\r\n\r\n");
  EXPECT_NE(ReadAll(fd, 2).find("413"), std::string::npos);
  close(fd);
  fd = Dial(s->address());
  SendAll(fd, "POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\n");
  EXPECT_NE(ReadAll(fd, 2).find("401"), std::string::npos);
  close(fd);
  fd = Dial(s->address());
  SendAll(fd, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_NE(ReadAll(fd, 2).find("411"), std::string::npos);
  close(fd);
}

}  // namespace
}  // namespace capigitops
