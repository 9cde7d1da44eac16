// deploy/Dockerfile: a build stage with the -dev packages, a slim runtime
// stage with exactly the shared libraries the built binary links, non-root.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "deploy/manifests.h"
#include "testing/subprocess.h"

namespace capigitops::testutil {
namespace {

// Whether `text` contains `part` (the failure message shows both).
::testing::AssertionResult Has(const std::string& text,
                               const std::string& part) {
  if (text.find(part) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << part << "\" not in:\n"
                                       << text;
}

struct Stage {
  std::string from;
  std::string text;  // every line after FROM, continuation lines joined
};

std::vector<Stage> Stages(const std::string& dockerfile) {
  std::vector<Stage> stages;
  std::istringstream in(dockerfile);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("FROM ", 0) == 0) {
      stages.push_back({line.substr(5), ""});
    } else if (!stages.empty() && line.rfind("#", 0) != 0) {
      stages.back().text += line + "\n";
    }
  }
  return stages;
}

TEST(DeployDockerfileTest, BuildsOnBookwormAndRunsOnBookwormSlimAsNonRoot) {
  std::vector<Stage> stages = Stages(ReadSourceFile("deploy/Dockerfile"));
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[0].from, "debian:bookworm AS build");
  EXPECT_TRUE(Has(stages[0].text, "-DCMAKE_BUILD_TYPE=Release"));
  EXPECT_TRUE(Has(stages[0].text, "--target capi-gitops"));
  EXPECT_EQ(stages[1].from, "debian:bookworm-slim");
  const std::string& run = stages[1].text;
  EXPECT_TRUE(Has(run,
                  "COPY --from=build /src/build/capi-gitops "
                  "/usr/local/bin/capi-gitops"));
  EXPECT_TRUE(Has(run, "USER 65532:65532"));
  EXPECT_TRUE(Has(run, R"(ENTRYPOINT ["/usr/local/bin/capi-gitops"])"));
  EXPECT_FALSE(Has(run, "-dev")) << "-dev";
  EXPECT_FALSE(Has(run, "g++")) << "g++";
}

// The runtime stage installs the Debian package of every library the binary
// links directly (its NEEDED entries), found with dpkg from the binary this
// build produced, so a new dependency cannot be forgotten. libc, libstdc++
// and libgcc come with debian:bookworm-slim.
TEST(DeployDockerfileTest, RuntimeStageInstallsEveryLinkedLibrary) {
  RunResult needed =
      RunProcess({"/usr/bin/objdump", "-p", BinaryPath("capi-gitops")});
  RunResult ldd = RunProcess({"/usr/bin/ldd", BinaryPath("capi-gitops")});
  if (needed.exit_code != 0 || ldd.exit_code != 0) {
    GTEST_SKIP() << "objdump or ldd unavailable: " << needed.err << ldd.err;
  }
  std::vector<Stage> stages = Stages(ReadSourceFile("deploy/Dockerfile"));
  ASSERT_EQ(stages.size(), 2u);
  const std::set<std::string> in_base = {"libc6", "libstdc++6", "libgcc-s1"};
  int checked = 0;
  std::istringstream lines(needed.out);
  std::string line;
  while (std::getline(lines, line)) {
    size_t at = line.find("NEEDED");
    if (at == std::string::npos) continue;
    std::string soname = line.substr(line.find_first_not_of(' ', at + 6));
    // ldd: "\tlibfoo.so.1 => /usr/lib/x86_64-linux-gnu/libfoo.so.1 (0x...)"
    size_t arrow = ldd.out.find(soname + " => ");
    ASSERT_NE(arrow, std::string::npos) << soname << " not in ldd output";
    size_t start = arrow + soname.size() + 4;
    std::string path = ldd.out.substr(start, ldd.out.find(' ', start) - start);
    RunResult owner = RunProcess({"/usr/bin/dpkg", "-S", path});
    if (owner.exit_code != 0) {
      // usrmerge: ldd and dpkg may disagree on /lib versus /usr/lib.
      std::string other =
          path.rfind("/usr/", 0) == 0 ? path.substr(4) : "/usr" + path;
      owner = RunProcess({"/usr/bin/dpkg", "-S", other});
    }
    ASSERT_EQ(owner.exit_code, 0) << "no package owns " << path;
    std::string package = owner.out.substr(0, owner.out.find_first_of(":,"));
    // The sanitizer build (build-asan) links these; an image never does.
    bool sanitizer =
        package.rfind("libasan", 0) == 0 || package.rfind("libubsan", 0) == 0;
    if (in_base.count(package) || sanitizer) continue;
    ++checked;
    EXPECT_TRUE(Has(stages[1].text, " " + package + " "))
        << soname << " is linked, so the runtime stage needs " << package;
  }
  EXPECT_GE(checked, 4) << "objdump output not understood:\n" << needed.out;
  EXPECT_TRUE(Has(stages[1].text, "ca-certificates"));
}

}  // namespace
}  // namespace capigitops::testutil
