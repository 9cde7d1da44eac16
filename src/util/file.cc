#include "util/file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace capigitops {

StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes,
                               OverLimit over) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"),
                                          &std::fclose);
  if (!f) {
    std::string reason = std::strerror(errno);
    if (errno == ENOENT) return Status::NotFound(path + ": " + reason);
    return Status::Unavailable("cannot read " + path + ": " + reason);
  }
  // Grown as read, not sized by the cap: a buffer of the cap's size per file
  // kept megabytes of capacity for every small spec.
  std::string data;
  char buf[64 * 1024];
  while (data.size() <= max_bytes) {
    size_t want = std::min(sizeof buf, max_bytes + 1 - data.size());
    size_t got = std::fread(buf, 1, want, f.get());
    data.append(buf, got);
    if (got < want) break;
  }
  if (std::ferror(f.get())) {
    return Status::Unavailable("error reading " + path + ": " +
                               std::strerror(errno));
  }
  if (data.size() > max_bytes && over == OverLimit::kError) {
    return Status::InvalidArgument(path + " is larger than " +
                                   std::to_string(max_bytes) + " bytes");
  }
  return data;
}

}  // namespace capigitops
