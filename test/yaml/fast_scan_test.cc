// The fast path must build exactly the trees (marks included) and
// diagnostics yaml-cpp does, for every input it accepts.
#include "yaml/fast_scan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace capigitops::yaml {
namespace {

void ExpectSameNode(const Node& a, const Node& b, const std::string& where) {
  ASSERT_EQ(a.kind, b.kind) << where;
  EXPECT_EQ(a.mark.line, b.mark.line) << where << " " << a.scalar;
  EXPECT_EQ(a.mark.column, b.mark.column) << where << " " << a.scalar;
  EXPECT_EQ(a.scalar, b.scalar) << where;
  EXPECT_EQ(a.quoted, b.quoted) << where << " " << a.scalar;
  ASSERT_EQ(a.map.size(), b.map.size()) << where;
  for (size_t i = 0; i < a.map.size(); ++i) {
    ExpectSameNode(a.map[i].first, b.map[i].first, where);
    ExpectSameNode(a.map[i].second, b.map[i].second,
                   where + "." + a.map[i].first.scalar);
  }
  ASSERT_EQ(a.seq.size(), b.seq.size()) << where;
  for (size_t i = 0; i < a.seq.size(); ++i) {
    ExpectSameNode(a.seq[i], b.seq[i], where + "[" + std::to_string(i) + "]");
  }
}

// Returns whether the fast scanner took `text`.
bool ExpectSameParse(const std::string& text, const std::string& name) {
  std::vector<ScanEvent> events;
  bool fast = FastScan(text, &events);
  Diagnostics fast_diags, slow_diags;
  std::vector<Node> a = ParseDocuments(text, name, &fast_diags);
  std::vector<Node> b = ParseDocumentsWithYamlCpp(text, name, &slow_diags);
  EXPECT_EQ(a.size(), b.size()) << name;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    ExpectSameNode(a[i], b[i], name);
  }
  EXPECT_EQ(fast_diags.size(), slow_diags.size()) << name;
  for (size_t i = 0; i < std::min(fast_diags.size(), slow_diags.size()); ++i) {
    EXPECT_EQ(fast_diags[i].ToString(), slow_diags[i].ToString()) << name;
  }
  return fast;
}

TEST(FastScanTest, SameTreesAsYamlCppForEveryYamlFileInTheProject) {
  namespace fs = std::filesystem;
  size_t files = 0, fast = 0;
  for (const char* dir :
       {"sample-repo", "policies", "test", "docs", "deploy"}) {
    fs::path root = fs::path(CAPIGITOPS_SOURCE_DIR) / dir;
    if (!fs::exists(root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".yaml" && ext != ".yml"))
        continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      ++files;
      fast += ExpectSameParse(text.str(), entry.path().string()) ? 1 : 0;
    }
  }
  EXPECT_GT(files, 10u);
  EXPECT_GT(fast, 0u);  // the sample specs at least take the fast path
  std::cout << fast << " of " << files << " files took the fast path\n";
}

// Every sample spec with one byte deleted, or one of the characters that
// change YAML's reading inserted, at every third position.
TEST(FastScanTest, SameTreesForMutatedSampleSpecs) {
  namespace fs = std::filesystem;
  fs::path root = fs::path(CAPIGITOPS_SOURCE_DIR) / "sample-repo/clusters";
  for (const auto& entry : fs::directory_iterator(root)) {
    std::ifstream in(entry.path());
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    for (size_t i = 0; i < text.size(); i += 3) {
      std::string deleted = text;
      deleted.erase(i, 1);
      ExpectSameParse(deleted,
                      entry.path().string() + " -" + std::to_string(i));
      for (char c : {':', ' ', '-', '#', '"', '\n', '{', ',', '&', '~'}) {
        std::string inserted = text;
        inserted.insert(i, 1, c);
        ExpectSameParse(inserted,
                        entry.path().string() + " +" + std::to_string(i) + c);
      }
      if (HasFailure()) return;
    }
  }
}

TEST(FastScanTest, SameTreesForEdgeCases) {
  const char* cases[] = {
      "a: 1\nb: [x, \"y\", {c: d}]\n",
      "a:\n- x\n- {k: v}\nb: c\n",
      "a:\n  - name: p\n    x: 1\n  - name: q\nz: 2 # c\n",
      "a: {}\nb: []\nc: \"\"\n",
      "a: x y  \nb: 'q'\n",
      "a: b: c\n",
      "a:\n  b\n",
      "a: [x,]\n",
      "a: {k: v\n",
      "a: 1\na: 2\n",
      "null: 1\n",
      "a: ~\n",
      "a: &x 1\nb: *x\n",
      "a: \"x\\ty\"\n",
      "a: x\n  y\n",
      "- a\n- b: c\n  d: e\n",
      "a:\n- - x\n",
      "a: \"x\" y\n",
      "a: x #c\n#d\n\nb: y\n",
      "k: http://x\n",
      "a: [x, [y, z]]\n",
      "a:\n-\n",
      "a:\n",
      "a: 1\n---\nb: 2\n",
      "  a: 1\n",
      "a:   \"s p\"   # c\n",
  };
  for (const char* c : cases) ExpectSameParse(c, c);
}

}  // namespace
}  // namespace capigitops::yaml
