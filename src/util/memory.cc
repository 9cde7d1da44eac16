// ReturnFreedMemory: jemalloc when the executable links it, else glibc.
#include "util/memory.h"

#include <cstddef>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

// jemalloc's control interface, weak: null unless jemalloc is linked (the
// test binary and the sanitizer build use glibc's or the sanitizer's malloc).
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp,
                       void* newp, size_t newlen) __attribute__((weak));

namespace capigitops {

void ReturnFreedMemory() {
  if (mallctl != nullptr) {
    // 4096 is MALLCTL_ARENAS_ALL: every arena. Thread caches hold little
    // and are flushed as their threads allocate again.
    (void)mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
    return;
  }
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace capigitops
