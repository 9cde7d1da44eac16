#include "util.h"

#include <openssl/rand.h>

#include <chrono>

namespace capigitops::sandbox {
namespace {

std::string RandomBytes(size_t n) {
  std::string buf(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(buf.data()), static_cast<int>(n));
  return buf;
}

}  // namespace

std::string NowRfc3339() {
  return FormatRfc3339(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
}

std::string RandomHex(size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : RandomBytes(bytes)) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string NewUid() {
  std::string h = RandomHex(16);
  h[12] = '4';
  h[16] = "89ab"[h[16] % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" +
         h.substr(16, 4) + "-" + h.substr(20);
}

}  // namespace capigitops::sandbox
