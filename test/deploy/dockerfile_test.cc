// deploy/Dockerfile: a build stage with the -dev packages, a slim runtime
// stage with exactly the shared libraries the built binary links, non-root.
#include <gtest/gtest.h>

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

// The runtime stage installs the package of every library the binary links
// (by soname), checked against the binary this build produced. libgit2 is
// installed even while the binary does not link it yet (the linker drops it
// until a subcommand uses the Git layer).
TEST(DeployDockerfileTest, RuntimeStageInstallsEveryLinkedLibrary) {
  RunResult ldd = RunProcess({"/usr/bin/ldd", BinaryPath("capi-gitops")});
  if (ldd.exit_code != 0) GTEST_SKIP() << "ldd unavailable: " << ldd.err;
  std::vector<Stage> stages = Stages(ReadSourceFile("deploy/Dockerfile"));
  ASSERT_EQ(stages.size(), 2u);
  int linked = 0;
  struct Lib {
    const char* soname;
    const char* package;
  };
  for (const Lib& lib :
       {Lib{"libgit2.so.1.5", "libgit2-1.5"},
        Lib{"libyaml-cpp.so.0.7", "libyaml-cpp0.7"},
        Lib{"libcurl.so.4", "libcurl4"}, Lib{"libcrypto.so.3", "libssl3"}}) {
    if (ldd.out.find(lib.soname) == std::string::npos) continue;
    ++linked;
    EXPECT_TRUE(Has(stages[1].text, std::string(" ") + lib.package + " "))
        << lib.soname << " is linked, so the runtime stage needs "
        << lib.package;
  }
  EXPECT_GE(linked, 2) << "ldd output not understood:\n" << ldd.out;
  EXPECT_TRUE(Has(stages[1].text, " libgit2-1.5 "));
  EXPECT_TRUE(Has(stages[1].text, "ca-certificates"));
}

}  // namespace
}  // namespace capigitops::testutil
