// Every seed of the fuzz corpus, including each crash the fuzzer found, and
// every YAML file of sample-repo, through the fuzz target: none may crash or
// make the two parse paths disagree.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz/targets.h"
#include "fuzz/yaml_fuzz.h"

namespace capigitops::fuzz {
namespace {

using FuzzTarget = int (*)(const uint8_t*, size_t);

size_t RunAll(const std::filesystem::path& root,
              FuzzTarget target = &FuzzYaml) {
  size_t files = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    SCOPED_TRACE(entry.path().string());
    target(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    ++files;
  }
  return files;
}

TEST(FuzzCorpusTest, SeedsAndFoundCrashesRunClean) {
  std::filesystem::path source(CAPIGITOPS_SOURCE_DIR);
  EXPECT_GT(RunAll(source / "test/fuzz/corpus/yaml"), 10u);
  EXPECT_GT(RunAll(source / "sample-repo"), 5u);
}

// The corpora of the other targets (targets.h), with every crash the
// fuzzers found (test/fuzz/run.sh copies none in by itself: a found crash is
// added by hand once it is fixed).
TEST(FuzzCorpusTest, KubeconfigSeedsRunClean) {
  std::filesystem::path source(CAPIGITOPS_SOURCE_DIR);
  EXPECT_GT(RunAll(source / "test/fuzz/corpus/kubeconfig", &FuzzKubeconfig),
            5u);
}

TEST(FuzzCorpusTest, WebhookSeedsRunClean) {
  std::filesystem::path source(CAPIGITOPS_SOURCE_DIR);
  EXPECT_GT(RunAll(source / "test/fuzz/corpus/webhook", &FuzzWebhook), 4u);
}

TEST(FuzzCorpusTest, SandboxSeedsRunClean) {
  std::filesystem::path source(CAPIGITOPS_SOURCE_DIR);
  EXPECT_GT(RunAll(source / "test/fuzz/corpus/sandbox", &FuzzSandbox), 8u);
}

TEST(FuzzCorpusTest, StatusSeedsRunClean) {
  std::filesystem::path source(CAPIGITOPS_SOURCE_DIR);
  EXPECT_GT(RunAll(source / "test/fuzz/corpus/status", &FuzzStatus), 4u);
}

TEST(FuzzCorpusTest, LiveListSeedsRunClean) {
  std::filesystem::path source(CAPIGITOPS_SOURCE_DIR);
  EXPECT_GT(RunAll(source / "test/fuzz/corpus/live_list", &FuzzLiveList), 5u);
}

}  // namespace
}  // namespace capigitops::fuzz
