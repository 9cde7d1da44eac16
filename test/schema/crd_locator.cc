#include "schema/crd_locator.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace capigitops::testing {
namespace {

namespace fs = std::filesystem;

struct Candidate {
  std::string origin;  // where the path came from, for the message
  std::string dir;
  std::string problem;  // "" when usable
};

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

std::string Problem(const std::string& dir, bool needs_stamp) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return "does not exist";
  if (needs_stamp && !fs::exists(fs::path(dir) / ".complete", ec)) {
    return "is incomplete (scripts/fetch-crds.sh did not verify every file)";
  }
  return "";
}

std::vector<Candidate> Candidates() {
  std::vector<Candidate> out;
  std::string env = Env("CAPIGITOPS_CRDS");
  if (env.empty()) {
    out.push_back({"$CAPIGITOPS_CRDS", "", "is not set"});
  } else {
    out.push_back({"$CAPIGITOPS_CRDS", env, Problem(env, false)});
  }
  std::string shared =
      (fs::path(CAPIGITOPS_SOURCE_DIR).parent_path() / "shared" / "capi-crds")
          .string();
  out.push_back({"beside the source tree", shared, Problem(shared, false)});
  std::string cache = CrdCacheDir();
  out.push_back({"the fetched cache", cache, Problem(cache, true)});
  return out;
}

}  // namespace

std::string CrdCacheDir() {
  std::string dir = Env("CAPIGITOPS_CRD_CACHE");
  if (!dir.empty()) return dir;
  std::string base = Env("XDG_CACHE_HOME");
  if (base.empty()) base = Env("HOME") + "/.cache";
  return base + "/capi-gitops/crds";
}

std::string FindCrdDir() {
  for (const Candidate& c : Candidates()) {
    if (c.problem.empty()) return c.dir;
  }
  return "";
}

std::string MissingCrdsMessage() {
  std::string out = "upstream Cluster API CRDs not found:";
  for (const Candidate& c : Candidates()) {
    out += "\n  " + c.origin + (c.dir.empty() ? "" : " (" + c.dir + ")") + " " +
           c.problem;
  }
  out +=
      "\nRun scripts/fetch-crds.sh (downloads the files pinned in "
      "scripts/crds.lock; scripts/test.sh does this), or set CAPIGITOPS_CRDS "
      "to a directory of CRD manifests.";
  return out;
}

}  // namespace capigitops::testing
