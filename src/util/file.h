// Reading a whole file into memory, with a size cap: the one file reader of
// the library and the sandbox.
#ifndef CAPIGITOPS_UTIL_FILE_H_
#define CAPIGITOPS_UTIL_FILE_H_

#include <cstddef>
#include <string>

#include "capigitops/status.h"

namespace capigitops {

// Large enough for any spec, kubeconfig, CRD bundle or sandbox state file;
// small enough that a stray disk image cannot exhaust memory.
inline constexpr size_t kDefaultMaxFileBytes = size_t{64} << 20;

enum class OverLimit {
  kError,     // a file over the cap is an InvalidArgument error
  kTruncate,  // return its first max_bytes + 1 bytes: the caller's parser
              // then reports the file as too large, with its name
};

// The file's bytes. NotFound when it does not exist, Unavailable when it
// cannot be opened or read (both name the path and the reason).
StatusOr<std::string> ReadFile(const std::string& path,
                               size_t max_bytes = kDefaultMaxFileBytes,
                               OverLimit over = OverLimit::kError);

}  // namespace capigitops

#endif  // CAPIGITOPS_UTIL_FILE_H_
