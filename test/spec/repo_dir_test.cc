// Reading a repository directory: what cannot be read is an error, never
// "no clusters", and a file over the limit blocks only itself.
#include <gtest/gtest.h>

#include <filesystem>

#include "capigitops/loader.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace capigitops {
namespace {

using testing::TempDir;

class RepoDirTest : public ::testing::Test {
 protected:
  RepoDirTest() {
    std::filesystem::copy(testutil::SourcePath("sample-repo"), dir_.path(),
                          std::filesystem::copy_options::recursive);
  }
  TempDir dir_;
};

TEST_F(RepoDirTest, SubmoduleClustersDirectoryIsAnError) {
  dir_.Write("clusters/.git", "gitdir: ../.git/modules/clusters\n");
  StatusOr<FileSet> files = ReadRepoDirectory(dir_.path());
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.status().message().find("clusters/ is a Git submodule"),
            std::string::npos)
      << files.status().ToString();
}

TEST_F(RepoDirTest, WrongClustersPathIsAnError) {
  std::filesystem::rename(dir_.path() + "/clusters", dir_.path() + "/specs");
  StatusOr<FileSet> files = ReadRepoDirectory(dir_.path());
  ASSERT_FALSE(files.ok());
  EXPECT_TRUE(files.status().IsNotFound()) << files.status().ToString();
}

TEST_F(RepoDirTest, OversizeSpecIsAnErrorOfThatFileAlone) {
  dir_.Write("clusters/huge.yaml", std::string(3u << 20, '#'));
  dir_.Write("docs/huge.bin", std::string(3u << 20, 'x'));
  StatusOr<FileSet> files = ReadRepoDirectory(dir_.path());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files->count("docs/huge.bin"), 0u);
  EXPECT_EQ(files->at("clusters/huge.yaml").size(), (1u << 20) + 1);
  LoadedRepo repo = LoadRepo(*files);
  EXPECT_EQ(repo.broken, (std::set<std::string>{"huge"}));
  EXPECT_EQ(repo.requests.size(), 5u) << "the others still load";
}

}  // namespace
}  // namespace capigitops
