#include "git/timed_stream.h"

#include <fcntl.h>
#include <git2.h>
#include <git2/sys/stream.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

namespace capigitops::git {
namespace {

thread_local const NetworkDeadline* g_current = nullptr;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The first fields are libgit2 1.5's git_socket_stream (parent, host, port,
// socket): its ssh transport reads the socket from there.
struct TimedStream {
  git_stream parent;
  char* host;
  char* port;
  int s;
  NetworkTimeouts timeouts;
  int64_t deadline_ms;
};

int NetError(const std::string& message) {
  git_error_set_str(GIT_ERROR_NET, message.c_str());
  return -1;
}

// Waits until `fd` is ready for `events`, bounded by the I/O timeout and the
// transfer deadline; -1 with libgit2's error set when time ran out.
int WaitFor(TimedStream* st, short events, int64_t limit_ms, const char* what) {
  int64_t start = NowMs();
  while (true) {
    int64_t now = NowMs();
    int64_t left = std::min(start + limit_ms, st->deadline_ms) - now;
    if (left <= 0) {
      bool transfer = now >= st->deadline_ms;
      return NetError(
          std::string(what) + " " + st->host + ":" + st->port + " timed out " +
          (transfer
               ? "(the whole transfer took longer than " +
                     std::to_string(st->timeouts.transfer_ms / 1000) + "s)"
               : "(nothing for " + std::to_string(limit_ms / 1000) + "s)"));
    }
    pollfd p{st->s, events, 0};
    int rc = poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1 << 30)));
    if (rc > 0) return 0;
    if (rc < 0 && errno != EINTR) {
      return NetError(std::string("poll: ") + std::strerror(errno));
    }
  }
}

int ConnectOne(TimedStream* st, const addrinfo* ai) {
  int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                  ai->ai_protocol);
  if (fd < 0) return -1;
  st->s = fd;
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
    close(fd);
    st->s = -1;
    return -1;
  }
  if (WaitFor(st, POLLOUT, st->timeouts.connect_ms, "connecting to") != 0) {
    close(fd);
    st->s = -1;
    return -2;  // timed out: the error is set
  }
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    close(fd);
    st->s = -1;
    errno = err;
    return -1;
  }
  // Blocking again for ssh (libssh2 uses the socket directly); reads and
  // writes below poll first, so they never block past the deadlines.
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return 0;
}

int Connect(git_stream* stream) {
  auto* st = reinterpret_cast<TimedStream*>(stream);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_UNSPEC;
  addrinfo* list = nullptr;
  int rc = getaddrinfo(st->host, st->port, &hints, &list);
  if (rc != 0) {
    return NetError(std::string("failed to resolve address for ") + st->host +
                    ": " + gai_strerror(rc));
  }
  int result = -1, last_errno = 0;
  for (addrinfo* ai = list; ai != nullptr && result != 0; ai = ai->ai_next) {
    result = ConnectOne(st, ai);
    if (result == -2) break;
    if (result != 0) last_errno = errno;
  }
  freeaddrinfo(list);
  if (result == -1) {
    return NetError(std::string("failed to connect to ") + st->host + ":" +
                    st->port + ": " + std::strerror(last_errno));
  }
  return result == 0 ? 0 : -1;
}

ssize_t Read(git_stream* stream, void* data, size_t len) {
  auto* st = reinterpret_cast<TimedStream*>(stream);
  if (WaitFor(st, POLLIN, st->timeouts.io_ms, "reading from") != 0) return -1;
  while (true) {
    ssize_t n = recv(st->s, data, len, 0);
    if (n >= 0) return n;
    if (errno != EINTR) {
      NetError(std::string("read from ") + st->host + ": " +
               std::strerror(errno));
      return -1;
    }
  }
}

ssize_t Write(git_stream* stream, const char* data, size_t len, int) {
  auto* st = reinterpret_cast<TimedStream*>(stream);
  size_t done = 0;
  while (done < len) {
    if (WaitFor(st, POLLOUT, st->timeouts.io_ms, "writing to") != 0) return -1;
    ssize_t n = send(st->s, data + done, len - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      NetError(std::string("write to ") + st->host + ": " +
               std::strerror(errno));
      return -1;
    }
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(len);
}

int Close(git_stream* stream) {
  auto* st = reinterpret_cast<TimedStream*>(stream);
  if (st->s >= 0) close(st->s);
  st->s = -1;
  return 0;
}

void Free(git_stream* stream) {
  auto* st = reinterpret_cast<TimedStream*>(stream);
  Close(stream);
  std::free(st->host);
  std::free(st->port);
  delete st;
}

int NewStream(git_stream** out, const char* host, const char* port) {
  auto* st = new TimedStream{};
  st->parent.version = GIT_STREAM_VERSION;
  st->parent.connect = Connect;
  st->parent.read = Read;
  st->parent.write = Write;
  st->parent.close = Close;
  st->parent.free = Free;
  st->host = strdup(host);
  st->port = strdup(port);
  st->s = -1;
  if (g_current != nullptr) {
    st->timeouts = g_current->timeouts;
    st->deadline_ms = g_current->deadline_ms;
  } else {
    st->deadline_ms = NowMs() + st->timeouts.transfer_ms;
  }
  *out = &st->parent;
  return 0;
}

}  // namespace

void RegisterTimedStream() {
  git_stream_registration reg{};
  reg.version = GIT_STREAM_VERSION;
  reg.init = NewStream;
  git_stream_register(GIT_STREAM_STANDARD, &reg);
}

NetworkDeadline::NetworkDeadline(const NetworkTimeouts& t)
    : timeouts(t), deadline_ms(NowMs() + t.transfer_ms), previous_(g_current) {
  g_current = this;
}

NetworkDeadline::~NetworkDeadline() { g_current = previous_; }

}  // namespace capigitops::git
