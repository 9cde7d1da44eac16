// Enforces the layer rules of ARCHITECTURE.md on the source tree: every
// quoted #include in src/, include/ and sandbox/ is checked against the table
// of allowed arrows below, and third-party headers stay in the module that
// adapts them. A new module or public header must be added to the tables
// here and in ARCHITECTURE.md, which is the point: the arrows are a decision.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace capigitops {
namespace {

namespace fs = std::filesystem;

// Public header (include/capigitops/<name>) -> the module that owns it.
const std::map<std::string, std::string> kHeaderOwner = {
    {"status.h", "util"},
    {"duration.h", "util"},
    {"diagnostic.h", "util"},
    {"file_set.h", "util"},
    {"yaml.h", "yaml"},
    {"field_reader.h", "yaml"},
    {"schema.h", "schema"},
    {"loader.h", "spec"},
    {"addons.h", "spec"},
    {"spec.h", "spec"},
    {"config.h", "spec"},
    {"policy.h", "policy"},
    {"render.h", "render"},
    {"kubeconfig.h", "kube"},
    {"kube_api.h", "kube"},
    {"kube_client.h", "kube"},
    {"workload.h", "kube"},
    {"notifier.h", "kube"},
    {"labels.h", "sync"},
    {"sync.h", "sync"},
    {"diff.h", "sync"},
    {"inventory.h", "sync"},
    {"git.h", "git"},
    {"writeback.h", "writeback"},
    {"reconcile.h", "reconcile"},
    {"leader.h", "daemon"},
    {"metrics.h", "daemon"},
    {"controller.h", "daemon"},
    {"apply_order.h", "sync"},
    {"webhook.h", "daemon"},
    {"plan_review.h", "reconcile"},
    {"json.h", "yaml"},
    {"machine_catalog.h", "spec"},
    {"shard.h", "sync"},
};

// Module -> the modules it may include (besides itself). Lower layers never
// include higher ones; util is the floor everyone may use.
const std::map<std::string, std::set<std::string>> kAllowed = {
    {"util", {}},
    {"yaml", {"util"}},
    {"schema", {"yaml", "util"}},
    {"spec", {"yaml", "util"}},
    {"policy", {"spec", "yaml", "util"}},
    {"render", {"spec", "policy", "yaml", "util"}},
    {"kube", {"yaml", "util"}},
    {"sync", {"kube", "yaml", "util"}},
    {"git", {"util"}},
    {"writeback", {"spec", "policy", "yaml", "util"}},
    {"reconcile",
     {"spec", "policy", "render", "kube", "sync", "git", "writeback", "yaml",
      "util"}},
    {"daemon", {"reconcile", "kube", "sync", "yaml", "util"}},
    {"app",
     {"daemon", "reconcile", "spec", "policy", "render", "kube", "sync", "git",
      "writeback", "yaml", "util"}},
    {"sandbox", {"schema", "kube", "yaml", "util"}},
};

// Single headers a module may use from a module it otherwise may not: render
// stamps sync's ownership labels on what it renders.
const std::set<std::pair<std::string, std::string>> kExceptions = {
    {"render", "capigitops/labels.h"},
    {"render", "capigitops/apply_order.h"},
};

// Third-party headers and the only modules that may include them: each
// library has one adapter (exceptions are caught there, per style.md).
const std::map<std::string, std::set<std::string>> kThirdParty = {
    {"cxxopts.hpp", {"app", "sandbox"}}, {"git2.h", {"git"}},
    {"curl/curl.h", {"kube"}},           {"httplib.h", {"sandbox"}},
    {"yaml-cpp/yaml.h", {"yaml"}},
};

std::string SourceDir() { return CAPIGITOPS_SOURCE_DIR; }

// "src/sync/planner.cc" -> "sync"; "include/capigitops/sync.h" -> owner.
std::string ModuleOf(const std::string& rel) {
  if (rel == "src/main.cc") return "main";
  if (rel.rfind("src/", 0) == 0) {
    return rel.substr(4, rel.find('/', 4) - 4);
  }
  if (rel.rfind("sandbox/", 0) == 0) return "sandbox";
  const std::string pub = "include/capigitops/";
  if (rel.rfind(pub, 0) == 0) {
    auto it = kHeaderOwner.find(rel.substr(pub.size()));
    return it == kHeaderOwner.end() ? "?" : it->second;
  }
  return "?";
}

struct Include {
  std::string header;
  bool quoted;
  int line;
};

std::vector<Include> IncludesOf(const fs::path& file) {
  std::vector<Include> out;
  std::ifstream in(file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.rfind("#include ", 0) != 0) continue;
    std::string rest = line.substr(9);
    if (rest.size() < 2) continue;
    char close = rest[0] == '"' ? '"' : '>';
    size_t end = rest.find(close, 1);
    if (end == std::string::npos) continue;
    out.push_back({rest.substr(1, end - 1), rest[0] == '"', n});
  }
  return out;
}

// The module a quoted include names: "capigitops/x.h" by the owner table,
// "sync/x.h" (a private header) by its folder.
std::string TargetModule(const std::string& header) {
  const std::string pub = "capigitops/";
  if (header.rfind(pub, 0) == 0) {
    auto it = kHeaderOwner.find(header.substr(pub.size()));
    return it == kHeaderOwner.end() ? "?" : it->second;
  }
  size_t slash = header.find('/');
  return slash == std::string::npos ? "?" : header.substr(0, slash);
}

std::vector<std::string> SourceFiles() {
  std::vector<std::string> files;
  for (const char* dir : {"src", "include", "sandbox"}) {
    fs::path root = fs::path(SourceDir()) / dir;
    if (!fs::is_directory(root)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      std::string ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".cc" || ext == ".h")) {
        files.push_back(fs::relative(e.path(), SourceDir()).string());
      }
    }
  }
  return files;
}

std::string CheckInclude(const std::string& from, const Include& inc) {
  if (!inc.quoted) {
    auto it = kThirdParty.find(inc.header);
    if (it != kThirdParty.end() && !it->second.count(from)) {
      return "<" + inc.header + "> belongs to " + *it->second.begin() +
             " (its one adapter)";
    }
    return "";
  }
  if (from == "main") return "";  // the command table sees everything
  // capi-sandbox's headers sit beside its sources, named without a folder.
  if (from == "sandbox" && inc.header.find('/') == std::string::npos) {
    return "";
  }
  std::string to = TargetModule(inc.header);
  if (to == "?") {
    return "\"" + inc.header +
           "\" is in no module (add it to kHeaderOwner and ARCHITECTURE.md)";
  }
  if (to == from || to == "util") return "";
  if (kExceptions.count({from, inc.header})) return "";
  bool is_public = inc.header.rfind("capigitops/", 0) == 0;
  if (!is_public && from != "sandbox") {
    return "\"" + inc.header + "\" is private to " + to;
  }
  auto allowed = kAllowed.find(from);
  if (allowed == kAllowed.end() || !allowed->second.count(to)) {
    return from + " may not depend on " + to + " (\"" + inc.header + "\")";
  }
  return "";
}

TEST(ArchitectureTest, IncludesFollowTheLayerRules) {
  std::vector<std::string> files = SourceFiles();
  ASSERT_GT(files.size(), 50u) << "source tree not found at " << SourceDir();
  std::vector<std::string> violations;
  for (const std::string& rel : files) {
    std::string from = ModuleOf(rel);
    if (from == "?") {
      violations.push_back(rel + ": in no module (see ARCHITECTURE.md)");
      continue;
    }
    for (const Include& inc : IncludesOf(fs::path(SourceDir()) / rel)) {
      std::string why = CheckInclude(from, inc);
      if (!why.empty()) {
        violations.push_back(rel + ":" + std::to_string(inc.line) + ": " + why);
      }
    }
  }
  std::string all;
  for (const std::string& v : violations) all += "\n  " + v;
  EXPECT_TRUE(violations.empty()) << "forbidden includes:" << all;
}

// cxxopts compiles several std::regex objects in every unit that includes it,
// so the CLI parses flags in one file (app/flags.h) and the commands read
// plain Args (bench/README.md "Build").
TEST(ArchitectureTest, OneFileParsesFlagsWithCxxopts) {
  std::vector<std::string> users;
  for (const std::string& rel : SourceFiles()) {
    for (const Include& inc : IncludesOf(fs::path(SourceDir()) / rel)) {
      if (!inc.quoted && inc.header == "cxxopts.hpp") users.push_back(rel);
    }
  }
  std::sort(users.begin(), users.end());
  EXPECT_EQ(users,
            (std::vector<std::string>{"sandbox/main.cc", "src/app/flags.cc"}));
}

// The checker itself: a forbidden arrow is caught, an allowed one is not.
TEST(ArchitectureTest, CheckerRejectsUpwardAndPrivateArrows) {
  EXPECT_NE(CheckInclude("sync", {"capigitops/render.h", true, 1}), "");
  EXPECT_NE(CheckInclude("policy", {"spec/field_reader.h", true, 1}), "");
  EXPECT_NE(CheckInclude("reconcile", {"cxxopts.hpp", false, 1}), "");
  EXPECT_NE(CheckInclude("app", {"daemon/http_server.h", true, 1}), "");
  EXPECT_EQ(CheckInclude("sync", {"capigitops/kube_api.h", true, 1}), "");
  EXPECT_EQ(CheckInclude("render", {"capigitops/labels.h", true, 1}), "");
}

}  // namespace
}  // namespace capigitops
