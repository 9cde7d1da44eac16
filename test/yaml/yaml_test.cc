#include "capigitops/yaml.h"

#include <gtest/gtest.h>

namespace capigitops::yaml {
namespace {

std::vector<Node> Parse(const std::string& text, Diagnostics* diags) {
  return ParseDocuments(text, "a.yaml", diags);
}

TEST(YamlParseTest, KeepsMarksOfKeysAndValues) {
  Diagnostics diags;
  auto docs =
      Parse("spec:\n  nodePools:\n  - name: gpu\n    replicas: four\n", &diags);
  ASSERT_TRUE(diags.empty());
  ASSERT_EQ(docs.size(), 1u);
  const Node* pool = &docs[0].Find("spec")->Find("nodePools")->seq[0];
  const Node* replicas = pool->Find("replicas");
  ASSERT_NE(replicas, nullptr);
  EXPECT_EQ(replicas->mark.line, 4);
  EXPECT_EQ(replicas->mark.column, 15);
  EXPECT_EQ(replicas->Describe(), "\"four\"");
}

TEST(YamlParseTest, DuplicateKeyReportedAtSecondOccurrence) {
  Diagnostics diags;
  auto docs = Parse("a: 1\nb: 2\na: 3\n", &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].ToString(),
            "a.yaml:3:1: duplicate key \"a\": each key may appear only once in "
            "a map");
  EXPECT_EQ(ToJson(docs[0])["a"], 1);
}

TEST(YamlParseTest, SyntaxErrorHasPosition) {
  Diagnostics diags;
  auto docs = Parse("a: [1, 2\nb: 3\n", &diags);
  EXPECT_TRUE(docs.empty());
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_GT(diags[0].line, 0);
  EXPECT_NE(diags[0].message.find("invalid YAML"), std::string::npos);
}

TEST(YamlParseTest, AliasBombIsRejected) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'k'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + prev;
    bomb += "]\n";
    prev = c;
  }
  Diagnostics diags;
  auto docs = Parse(bomb, &diags);
  EXPECT_TRUE(docs.empty());
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_NE(diags[0].message.find("alias"), std::string::npos);
}

TEST(YamlParseTest, DeepNestingIsRejected) {
  for (const std::string& deep :
       {std::string(100000, '['), std::string(5000, '{'), [] {
          std::string s;
          for (int i = 0; i < 200; ++i) s += std::string(i, ' ') + "a:\n";
          return s;
        }()}) {
    Diagnostics diags;
    auto docs = Parse(deep, &diags);
    EXPECT_TRUE(docs.empty());
    ASSERT_FALSE(diags.empty());
  }
}

TEST(YamlParseTest, BinaryAndInvalidUtf8AreRejected) {
  Diagnostics diags;
  Parse(std::string("a: b\nc: \x01\x02\x03", 11), &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].line, 2);
  EXPECT_NE(diags[0].message.find("binary"), std::string::npos);
  diags.clear();
  Parse("a: caf\xC3\n", &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_NE(diags[0].message.find("UTF-8"), std::string::npos);
  diags.clear();
  Parse("name: caf\xC3\xA9\n", &diags);
  EXPECT_TRUE(diags.empty());
}

TEST(YamlParseTest, HugeDocumentIsRejected) {
  Diagnostics diags;
  Parse(std::string(2 << 20, '#'), &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_NE(diags[0].message.find("limit"), std::string::npos);
}

TEST(YamlConvertTest, CoreSchemaTypes) {
  Diagnostics diags;
  auto docs = Parse(
      "i: 12\nf: 1.5\nb: true\nn: ~\ns: \"12\"\nyes: yes\nhex: 0x1f\n", &diags);
  nlohmann::json j = ToJson(docs.at(0));
  EXPECT_EQ(j["i"], 12);
  EXPECT_EQ(j["f"], 1.5);
  EXPECT_EQ(j["b"], true);
  EXPECT_TRUE(j["n"].is_null());
  EXPECT_EQ(j["s"], "12");
  EXPECT_EQ(j["yes"], "yes");
  EXPECT_EQ(j["hex"], 31);
}

TEST(YamlEmitTest, RoundTripsAndQuotesAmbiguousStrings) {
  nlohmann::json v = {{"a", "yes"},
                      {"b", "12"},
                      {"c", "x: y"},
                      {"d", "- item"},
                      {"e", "line\nbreak"},
                      {"f", ""},
                      {"g", nlohmann::json::array({1, "on"})},
                      {"h", {{"k", {{"x", 1}}}}},
                      {"i", nlohmann::json::object()},
                      {"j", nlohmann::json::array({{{"p", 1}, {"q", {1, 2}}}})},
                      {"k", "4711"},
                      {"l", "1e3"},
                      {"m", "plain text"}};
  std::string text = Emit(v);
  Diagnostics diags;
  auto docs = Parse(text, &diags);
  ASSERT_TRUE(diags.empty()) << text;
  EXPECT_EQ(ToJson(docs.at(0)), v) << text;
  EXPECT_NE(text.find("a: \"yes\""), std::string::npos) << text;
  EXPECT_NE(text.find("m: plain text"), std::string::npos) << text;
}

TEST(YamlEmitTest, InjectionAttemptStaysAString) {
  nlohmann::json v = {{"name", "x\nkind: Secret\n---\napiVersion: v1"}};
  Diagnostics diags;
  auto docs = Parse(Emit(v), &diags);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(ToJson(docs[0]), v);
}

// The float check and the emitter's quoting are hand-written for speed; these
// pin them to the YAML 1.2 core schema rules they replaced.
TEST(YamlConvertTest, PlainScalarFloatsFollowTheCoreSchema) {
  for (const char* f : {"1.5", ".5", "-.5", "+1.", "1e3", "1E-3", "2.5e+10"}) {
    EXPECT_TRUE(PlainScalarToJson(f).is_number_float()) << f;
  }
  for (const char* s : {".", "+", "1e", "e3", "1.5.", "1.e", ".e1", "1x"}) {
    EXPECT_TRUE(PlainScalarToJson(s).is_string()) << s;
  }
}

TEST(YamlEmitTest, QuotesEveryStringAnotherReaderTypes) {
  for (const char* s :
       {"~", "null", "True", "FALSE", "0o17", "0b101", "0x1f", "1_000", "12:30",
        ".NaN", "-.inf", "+", "1.", "=", "e"}) {
    EXPECT_EQ(QuoteIfNeeded(s), std::string("\"") + s + "\"") << s;
  }
  for (const char* s : {"0o9x", "nulls", "o", "v1.33.4", "ture"}) {
    EXPECT_EQ(QuoteIfNeeded(s), s) << s;
  }
}

// Found by test/fuzz (status target): an API error message with bytes that
// are not UTF-8 made a status file that did not read back.
TEST(YamlEmitTest, InvalidUtf8BecomesAReplacementCharacterAndReadsBack) {
  nlohmann::json v = {{"lastError", "null \x91 ok \xc3\xa9"},
                      {"cut", "\xe2\x82"}};
  std::string text = Emit(v);
  Diagnostics diags;
  std::vector<Node> docs = ParseDocuments(text, "status/f.yaml", &diags);
  ASSERT_FALSE(HasErrors(diags)) << text;
  ASSERT_EQ(docs.size(), 1u);
  nlohmann::json back = ToJson(docs[0]);
  EXPECT_EQ(back["lastError"], "null \xef\xbf\xbd ok \xc3\xa9");
  EXPECT_EQ(back["cut"], "\xef\xbf\xbd\xef\xbf\xbd");
}

}  // namespace
}  // namespace capigitops::yaml
