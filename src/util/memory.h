// Handing memory that was freed back to the operating system.
#pragma once

namespace capigitops {

// Returns the pages of freed memory to the OS, whichever allocator the
// executable links: jemalloc (CMakeLists.txt links it into capi-gitops and
// capi-sandbox) purges its arenas, glibc's malloc trims its own. Costs a few
// system calls: meant for after a phase that freed a lot (a pass, the live
// read), not for a loop.
void ReturnFreedMemory();

}  // namespace capigitops
