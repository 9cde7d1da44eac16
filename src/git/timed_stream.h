// Bounded network I/O for libgit2 (1.5 has no timeout options): a socket
// stream registered as libgit2's standard stream, so HTTP, HTTPS (OpenSSL
// wraps it) and ssh connect through it. Connecting, each read and write,
// and the whole operation have deadlines: a remote that accepts and never
// answers ends the fetch with an error instead of hanging the pass.
#ifndef CAPIGITOPS_GIT_TIMED_STREAM_H_
#define CAPIGITOPS_GIT_TIMED_STREAM_H_

#include <cstdint>

namespace capigitops::git {

struct NetworkTimeouts {
  int64_t connect_ms = 30000;    // TCP connect, per address
  int64_t io_ms = 60000;         // no byte moving either way for this long
  int64_t transfer_ms = 600000;  // the whole fetch or push
};

// Registers the stream with libgit2 (again after a libgit2 shutdown; cheap).
// Call after git_libgit2_init.
void RegisterTimedStream();

// The timeouts of the streams the calling thread opens while alive (libgit2
// does its I/O on the caller's thread); the transfer deadline counts from
// construction. Without one, NetworkTimeouts' defaults apply.
class NetworkDeadline {
 public:
  explicit NetworkDeadline(const NetworkTimeouts& timeouts);
  ~NetworkDeadline();
  NetworkDeadline(const NetworkDeadline&) = delete;
  NetworkDeadline& operator=(const NetworkDeadline&) = delete;

  NetworkTimeouts timeouts;
  int64_t deadline_ms;  // steady clock

 private:
  const NetworkDeadline* previous_;
};

}  // namespace capigitops::git

#endif  // CAPIGITOPS_GIT_TIMED_STREAM_H_
