#include "capigitops/kube_api.h"

#include <algorithm>

#include "util/parallel.h"

namespace capigitops {

void KubeApi::ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  ParallelForBlocking(n, fn, static_cast<unsigned>(std::max(1, Concurrency())));
}

}  // namespace capigitops
