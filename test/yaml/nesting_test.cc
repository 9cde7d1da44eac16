// Deep nesting is an error at the place it goes too deep, never a stack
// overflow, and text that only looks nested (quotes, comments, block
// scalars, plain scalars) is read as text.
#include "yaml/nesting.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "testing/deep_text.h"
#include "yaml/fast_scan.h"

namespace capigitops::yaml {
namespace {

using testutil::kDeep;
using testutil::Repeat;

// One parse; returns its diagnostics as "file:line:col: message" lines.
std::string ParseErrors(const std::string& text, size_t* docs = nullptr) {
  Diagnostics diags;
  std::vector<Node> parsed = ParseDocuments(text, "a.yaml", &diags);
  if (docs != nullptr) *docs = parsed.size();
  std::string out;
  for (const Diagnostic& d : diags) out += d.ToString() + "\n";
  return out;
}

std::string TooDeepAt(int line, int column) {
  return "a.yaml:" + std::to_string(line) + ":" + std::to_string(column) +
         ": " + NestingMessage(64) + "\n";
}

int Depth(const Node& n) {
  int deepest = 0;
  for (const auto& kv : n.map) deepest = std::max(deepest, Depth(kv.second));
  for (const Node& item : n.seq) deepest = std::max(deepest, Depth(item));
  return deepest + (n.IsMap() || n.IsSeq() ? 1 : 0);
}

TEST(NestingTest, HostileFlowShapesAreAFileLineColumnError) {
  // "spec: {owner: " holds two levels, so the 63rd bracket is the 65th.
  const std::string prefix = "spec: {owner: ";
  const int over = static_cast<int>(prefix.size()) + 62 + 1;
  for (const char* open : {"[", "{", "[{", "{["}) {
    std::string body = Repeat(open, kDeep / 2);
    std::string close = body;
    for (char& c : close) c = c == '[' ? ']' : '}';
    std::reverse(close.begin(), close.end());
    for (const std::string& text :
         {prefix + body, prefix + body + close + "}\n"}) {
      EXPECT_EQ(ParseErrors(text), TooDeepAt(1, over)) << open;
      Diagnostics diags;
      EXPECT_TRUE(ParseDocumentsWithYamlCpp(text, "a.yaml", &diags).empty());
    }
  }
  // A document that is nothing but brackets, and one on a later line.
  EXPECT_EQ(ParseErrors(Repeat("[", kDeep)), TooDeepAt(1, 65));
  EXPECT_EQ(ParseErrors("a: 1\nb:\n  " + Repeat("{", kDeep)),
            TooDeepAt(3, 2 + 64));
  // Flow collections spread over lines nest just as deep.
  EXPECT_EQ(ParseErrors("a: " + Repeat("[\n", kDeep)), TooDeepAt(64, 1));
}

TEST(NestingTest, HostileBlockShapesAreErrorsToo) {
  EXPECT_EQ(ParseErrors(Repeat("- ", kDeep) + "x\n"), TooDeepAt(1, 129));
  EXPECT_EQ(ParseErrors("a:\n" + Repeat("- ", kDeep) + "x\n"),
            TooDeepAt(2, 127));
  std::string keys;
  for (int i = 0; i < 70; ++i) keys += std::string(i, ' ') + "k:\n";
  EXPECT_EQ(ParseErrors(keys + std::string(70, ' ') + "v: 1\n"),
            TooDeepAt(65, 65));
}

TEST(NestingTest, BracketsInTextAreNotNesting) {
  const std::string deep = Repeat("[{", kDeep / 2);
  for (const std::string& text : {
           "spec: \"" + deep + "\"\n",
           "spec: '" + deep + "'\n",
           "spec: {owner: \"" + deep + "\"}\n",
           "spec: [a, '" + deep + "', b]\n",
           "spec: \"a\\\"" + deep + "\"\n",
           "spec: 'it''s " + deep + "'\n",
           "spec: \"" + deep + "\n  " + deep + "\"\n",
           "spec: |\n  " + deep + "\n  " + deep + "\n",
           "spec: >-\n  " + deep + "\n\n  " + deep + "\n",
           "spec:\n- |2\n   " + deep + "\n",
           "- >\n " + deep + "\n",
           "# " + deep + "\nspec: 1 # " + deep + "\n",
           "spec: x" + deep + "\n",
           "spec: some text\n  " + deep + "\n",
           "spec: some text\n  \"" + deep + "\n",
       }) {
    EXPECT_EQ(FindDeepNesting(text, 64), std::nullopt) << text.substr(0, 40);
    size_t docs = 0;
    std::string errors = ParseErrors(text, &docs);
    EXPECT_EQ(errors.find("nesting deeper"), std::string::npos) << errors;
  }
  // A block scalar ends where the indentation does; what follows counts.
  std::string after = "a: |\n  " + deep + "\nb: " + deep + "\n";
  EXPECT_EQ(ParseErrors(after), TooDeepAt(3, 3 + 64));
  std::string quoted = "a: \"x\"\nb: " + deep + "\n";
  EXPECT_EQ(ParseErrors(quoted), TooDeepAt(2, 3 + 64));
  // Not a quote: the plain scalar a"b ends at the bracket in flow context.
  std::string flow = "a: [x\"" + deep + "]\n";
  EXPECT_TRUE(FindDeepNesting(flow, 64).has_value());
}

// Nested `depth` levels deep in flow style and in block style.
std::string Flow(int depth) {
  return "a: " + Repeat("[", depth - 1) + "x" + Repeat("]", depth - 1) + "\n";
}
std::string Block(int depth) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += std::string(2 * i, ' ') + "k:\n";
  return out + std::string(2 * depth, ' ') + "- x\n";  // one more level
}

TEST(NestingTest, TheLimitIsSixtyFourLevels) {
  size_t docs = 0;
  EXPECT_EQ(ParseErrors(Flow(64), &docs), "");
  EXPECT_EQ(docs, 1u);
  EXPECT_EQ(ParseErrors(Flow(65)), TooDeepAt(1, 4 + 63));
  EXPECT_EQ(ParseErrors(Block(63), &docs), "");
  EXPECT_EQ(docs, 1u);
  EXPECT_EQ(ParseErrors(Block(64)), TooDeepAt(65, 129));
  // The scan and the tree builder agree on what a level is.
  Diagnostics diags;
  EXPECT_EQ(Depth(ParseDocuments(Flow(64), "a.yaml", &diags).at(0)), 64);
  EXPECT_EQ(Depth(ParseDocuments(Block(63), "a.yaml", &diags).at(0)), 64);
  // A caller's own limit is the one enforced and named.
  Limits limits;
  limits.max_depth = 3;
  ParseDocuments("a: [[x]]\n", "a.yaml", &diags, limits);
  EXPECT_TRUE(diags.empty());
  ParseDocuments("a: [[[x]]]\n", "a.yaml", &diags, limits);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].ToString(), "a.yaml:1:6: " + NestingMessage(3));
}

TEST(NestingTest, AliasesCannotNestPastTheLimit) {
  std::string anchor = "a: &x " + Repeat("[", 40) + Repeat("]", 40) + "\n";
  std::string use = "b: " + Repeat("[", 20) + "*x" + Repeat("]", 20) + "\n";
  EXPECT_EQ(ParseErrors(anchor + use), "");
  use = "b: " + Repeat("[", 30) + "*x" + Repeat("]", 30) + "\n";
  EXPECT_EQ(ParseErrors(anchor + use), TooDeepAt(2, 34));
}

TEST(NestingTest, FastScannerStopsAtItsDepth) {
  std::vector<ScanEvent> events;
  std::string deep = "a: " + Repeat("[", kDeep) + Repeat("]", kDeep) + "\n";
  EXPECT_FALSE(FastScan(deep, &events, 64));
  EXPECT_TRUE(events.empty());
  EXPECT_TRUE(FastScan(Flow(64), &events, 64));
  EXPECT_FALSE(FastScan(Flow(65), &events, 64));
  std::string unclosed = "a: {b: " + Repeat("{c: ", kDeep) + "\n";
  EXPECT_FALSE(FastScan(unclosed, &events, 64));
}

TEST(NestingTest, JsonDepth) {
  EXPECT_EQ(FindDeepJsonNesting(R"({"a": [1, {"b": "[[[["}]})", 3),
            std::nullopt);
  std::optional<Mark> at = FindDeepJsonNesting("{\"a\":\n [[", 2);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->line, 2);
  EXPECT_EQ(at->column, 3);
  EXPECT_TRUE(FindDeepJsonNesting(Repeat("[", kDeep), 100).has_value());
  EXPECT_EQ(FindDeepJsonNesting(R"(["\"[[[", "\\"])", 1), std::nullopt);
}

// On real files the scan is exact: it passes each at its own depth and
// rejects it one level lower (files with aliases can only be passed).
void ExpectExactOn(const std::string& text, const std::string& name) {
  Diagnostics diags;
  Limits wide;
  wide.max_depth = 100000;
  wide.max_bytes = 64 << 20;
  wide.max_nodes = 100000000;
  std::vector<Node> docs = ParseDocumentsWithYamlCpp(text, name, &diags, wide);
  if (!diags.empty() || docs.empty()) return;  // broken on purpose
  int depth = 0;
  for (const Node& doc : docs) depth = std::max(depth, Depth(doc));
  EXPECT_EQ(FindDeepNesting(text, depth), std::nullopt) << name;
  if (depth > 0 && text.find('*') == std::string::npos) {
    EXPECT_TRUE(FindDeepNesting(text, depth - 1).has_value()) << name;
  }
}

TEST(NestingTest, ExactOnEveryYamlFileInTheProjectAndTheCrds) {
  namespace fs = std::filesystem;
  std::vector<fs::path> roots;
  for (const char* dir :
       {"sample-repo", "policies", "test", "docs", "deploy"}) {
    roots.push_back(fs::path(CAPIGITOPS_SOURCE_DIR) / dir);
  }
  if (const char* crds = std::getenv("CAPIGITOPS_CRDS")) roots.push_back(crds);
  size_t files = 0;
  for (const fs::path& root : roots) {
    if (!fs::exists(root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".yaml" && ext != ".yml")) {
        continue;
      }
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      ExpectExactOn(text.str(), entry.path().string());
      ++files;
    }
  }
  EXPECT_GT(files, 20u);
}

}  // namespace
}  // namespace capigitops::yaml
