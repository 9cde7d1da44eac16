// What `capi-gitops version` prints: defined in generated/build_info.cc,
// which CMake writes at configure time (CMakeLists.txt).
#ifndef CAPIGITOPS_APP_BUILD_INFO_H_
#define CAPIGITOPS_APP_BUILD_INFO_H_

namespace capigitops {

struct BuildInfo {
  const char* version;  // the project version, e.g. "0.1.0"
  const char* commit;   // short Git commit, or "unknown"
  const char* date;     // RFC 3339 UTC, when CMake configured
};

const BuildInfo& GetBuildInfo();

}  // namespace capigitops

#endif  // CAPIGITOPS_APP_BUILD_INFO_H_
