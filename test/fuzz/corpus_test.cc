// Every seed of the fuzz corpus, including each crash the fuzzer found, and
// every YAML file of sample-repo, through the fuzz target: none may crash or
// make the two parse paths disagree.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz/yaml_fuzz.h"

namespace capigitops::fuzz {
namespace {

size_t RunAll(const std::filesystem::path& root) {
  size_t files = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    SCOPED_TRACE(entry.path().string());
    FuzzYaml(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    ++files;
  }
  return files;
}

TEST(FuzzCorpusTest, SeedsAndFoundCrashesRunClean) {
  std::filesystem::path source(CAPIGITOPS_SOURCE_DIR);
  EXPECT_GT(RunAll(source / "test/fuzz/corpus/yaml"), 10u);
  EXPECT_GT(RunAll(source / "sample-repo"), 5u);
}

}  // namespace
}  // namespace capigitops::fuzz
