// Issue #15: bytes that are not UTF-8 in a repository file name reach the
// JSON outputs as U+FFFD; `validate -o json` exited 5 with nlohmann's
// "invalid UTF-8 byte" (type_error 316) instead of reporting the file.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "testing/subprocess.h"

namespace capigitops {
namespace {

using testutil::BinaryPath;
using testutil::RunProcess;
using testutil::SourcePath;
using testutil::TempDir;

TEST(HostileNamesCliTest, NonUtf8FileNameIsAnInvalidSpecInValidJson) {
  TempDir dir;
  std::filesystem::copy(SourcePath("sample-repo"), dir.path(),
                        std::filesystem::copy_options::recursive);
  std::filesystem::copy_file(dir.path() + "/clusters/dev-sandbox.yaml",
                             dir.path() + "/clusters/bad\xff.yaml");

  auto r = RunProcess(
      {BinaryPath("capi-gitops"), "validate", dir.path(), "-o", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  nlohmann::json doc = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  EXPECT_EQ(doc["valid"], false);
  EXPECT_NE(r.out.find("clusters/bad\xEF\xBF\xBD.yaml"), std::string::npos)
      << r.out;

  auto render = RunProcess(
      {BinaryPath("capi-gitops"), "render", dir.path(), "-o", "json"});
  EXPECT_EQ(render.exit_code, 1) << render.err;
  EXPECT_FALSE(nlohmann::json::parse(render.out, nullptr, false).is_discarded())
      << render.out;
}

}  // namespace
}  // namespace capigitops
