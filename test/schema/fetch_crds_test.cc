// scripts/fetch-crds.sh against a lock file of file:// URLs: what the tests'
// CRD cache gets from a download, and what it refuses.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "schema/crd_locator.h"
#include "testing/subprocess.h"
#include "util/digest.h"
#include "util/file.h"

namespace capigitops {
namespace {

namespace fs = std::filesystem;

class FetchCrdsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v curl >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "curl is not installed (fetch-crds.sh downloads with it)";
    }
  }

  // Runs the script with `lock` into cache_; its exit code and stderr.
  testutil::RunResult Fetch(const std::string& lock) {
    return testutil::RunProcess(
        {"/bin/bash", testutil::SourcePath("scripts/fetch-crds.sh"), Cache()},
        {{"CAPIGITOPS_CRDS_LOCK", dir_.Write("crds.lock", lock)}});
  }
  std::string Cache() const { return dir_.Sub("cache"); }
  // The cache's line of the locator's message, with this test's cache.
  std::string CacheLine() const {
    const char* old = std::getenv("CAPIGITOPS_CRD_CACHE");
    std::string saved = old != nullptr ? old : "";
    setenv("CAPIGITOPS_CRD_CACHE", Cache().c_str(), 1);
    std::string m = testing::MissingCrdsMessage();
    if (old != nullptr) {
      setenv("CAPIGITOPS_CRD_CACHE", saved.c_str(), 1);
    } else {
      unsetenv("CAPIGITOPS_CRD_CACHE");
    }
    size_t at = m.find("  the fetched cache");
    return at == std::string::npos ? "" : m.substr(at, m.find('\n', at) - at);
  }
  std::string Upstream(const std::string& name, const std::string& text) {
    return "file://" + dir_.Write("upstream/" + name, text);
  }

  testing::TempDir dir_;
};

TEST_F(FetchCrdsTest, InstallsVerifiedFilesAndStampsACompleteCache) {
  std::string a = "kind: CustomResourceDefinition\n";
  std::string lock = "# comment\n" + Sha256Hex(a) + "  p/a.yaml  " +
                     Upstream("a.yaml", a) + "\n";
  testutil::RunResult r = Fetch(lock);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(*ReadFile(Cache() + "/p/a.yaml"), a);
  EXPECT_TRUE(fs::exists(Cache() + "/.complete"));

  // The locator accepts it: no complaint about the cache.
  EXPECT_EQ(CacheLine(), "  the fetched cache (" + Cache() + ") ");
}

TEST_F(FetchCrdsTest, RefusesAChecksumMismatchAndReportsEachMissingFile) {
  std::string good = "good\n";
  std::string lock =
      Sha256Hex(good) + "  good.yaml  " + Upstream("good.yaml", good) + "\n" +
      Sha256Hex("expected\n") + "  bad.yaml  " +
      Upstream("bad.yaml", "tampered\n") + "\n" + Sha256Hex("x") +
      "  gone.yaml  file://" + dir_.Sub("absent.yaml") + "\n";
  testutil::RunResult r = Fetch(lock);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.yaml: SHA-256 mismatch"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("gone.yaml: download failed"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("2 of 3 CRD files missing"), std::string::npos);
  EXPECT_TRUE(fs::exists(Cache() + "/good.yaml"));
  EXPECT_FALSE(fs::exists(Cache() + "/bad.yaml"));
  EXPECT_FALSE(fs::exists(Cache() + "/bad.yaml.part"));
  EXPECT_FALSE(fs::exists(Cache() + "/.complete"));
  // The locator does not use it, and says why.
  EXPECT_NE(CacheLine().find("is incomplete"), std::string::npos);
}

TEST_F(FetchCrdsTest, PathsStayInsideTheCache) {
  std::string lock =
      Sha256Hex("x") + "  ../escape.yaml  " + Upstream("x.yaml", "x") + "\n";
  testutil::RunResult r = Fetch(lock);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(fs::exists(dir_.Sub("escape.yaml")));
}

TEST(CrdLocatorTest, MissingMessageNamesEveryPlaceAndTheFix) {
  std::string m = testing::MissingCrdsMessage();
  EXPECT_NE(m.find("$CAPIGITOPS_CRDS"), std::string::npos);
  EXPECT_NE(m.find("shared/capi-crds"), std::string::npos);
  EXPECT_NE(m.find(testing::CrdCacheDir()), std::string::npos);
  EXPECT_NE(m.find("scripts/fetch-crds.sh"), std::string::npos);
}

}  // namespace
}  // namespace capigitops
