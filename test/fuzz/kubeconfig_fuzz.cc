// libFuzzer target for the kubeconfig loader (targets.h).
#include <string>

#include "capigitops/kubeconfig.h"
#include "fuzz/targets.h"

namespace capigitops::fuzz {

int FuzzKubeconfig(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  // Once alone and once merged after a second file, with and without an
  // override: the merge and the context lookup both see hostile input.
  std::vector<KubeconfigFile> files = {{"/fuzz/.kube/config", text}};
  (void)ResolveKubeconfig(files, {});
  (void)ResolveKubeconfig(files, {"fuzz", "ns"});
  files.push_back({"/fuzz/other", text});
  (void)ResolveKubeconfig(files, {});
  return 0;
}

}  // namespace capigitops::fuzz

#ifdef CAPIGITOPS_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return capigitops::fuzz::FuzzKubeconfig(data, size);
}
#endif
