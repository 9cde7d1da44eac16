// RE2 pattern support: translation, matching semantics, hostile patterns.
#include "schema/pattern.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "schema/crd_testing.h"

namespace capigitops::schema {
namespace {

using json = nlohmann::json;

bool Matches(const std::string& pattern, const std::string& value) {
  std::optional<bool> m = MatchesPattern(pattern, value);
  EXPECT_TRUE(m.has_value()) << "pattern not usable: " << pattern;
  return m.value_or(false);
}

TEST(PatternTest, SearchesAnywhereLikeGoMatchString) {
  EXPECT_TRUE(Matches("b+", "abbbc"));
  EXPECT_FALSE(Matches("^b", "abc"));
  EXPECT_TRUE(Matches("c$", "abc"));
  EXPECT_FALSE(Matches("^[^,]+$", "a,b"));
  EXPECT_TRUE(Matches("^[^,]+$", "a;b"));
  EXPECT_TRUE(Matches("^https://", "https://example.com"));
  EXPECT_FALSE(Matches("^https://", "http://example.com"));
}

TEST(PatternTest, TranslatesRe2Syntax) {
  EXPECT_TRUE(Matches(R"(\Aab\z)", "ab"));
  EXPECT_FALSE(Matches(R"(\Aab\z)", "abc"));
  EXPECT_TRUE(Matches("(?P<word>[[:alpha:]]+)-(?:x)", "abc-x"));
  EXPECT_TRUE(Matches("(?i)^abc$", "ABC"));
  EXPECT_TRUE(Matches("(?s)^a.b$", "a\nb"));
  EXPECT_TRUE(Matches(R"(^\Qa.b\E$)", "a.b"));
  EXPECT_FALSE(Matches(R"(^\Qa.b\E$)", "axb"));
  EXPECT_TRUE(Matches("^a{,2}$", "a{,2}"));  // RE2 reads this brace literally
  EXPECT_TRUE(Matches("^[]a]+$", "]a"));
  EXPECT_TRUE(Matches(R"(^[[:word:]]+$)", "a_1"));
}

TEST(PatternTest, GoPatternsFromCapgWork) {
  // A literal '[' inside a class, as CAPG writes it.
  const std::string sa =
      "[-_[A-Za-z0-9]+@[-_[A-Za-z0-9]+.iam.gserviceaccount.com";
  EXPECT_TRUE(Matches(sa, "capg@my-project.iam.gserviceaccount.com"));
  EXPECT_FALSE(Matches(sa, "capg@my-project.example.com"));
  const std::string quantity =
      R"(^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$)";
  EXPECT_TRUE(Matches(quantity, "120Gi"));
  EXPECT_TRUE(Matches(quantity, "500m"));
  EXPECT_FALSE(Matches(quantity, "lots"));
  // Escaped brackets, braces and \s inside a class (CAPZ tags).
  const std::string tag =
      R"(^[a-zA-Z0-9]([0-9A-Za-z_.@%=+:,*#&()\[\]{}\-\s]{0,61}[a-zA-Z0-9])?$)";
  EXPECT_TRUE(Matches(tag, "my tag [x]{1}-2"));
  EXPECT_FALSE(Matches(tag, "my tag!"));
  EXPECT_FALSE(Matches(tag, std::string(64, 'a')));
  const std::string cidr =
      R"(^(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?:\/([0-9]|[1-2][0-9]|3[0-2]))?$|^([a-fA-F0-9:]+:+)+[a-fA-F0-9]+\/[0-9]{1,3}$)";
  EXPECT_TRUE(Matches(cidr, "10.0.0.0/16"));
  EXPECT_TRUE(Matches(cidr, "fd00::1/64"));
  EXPECT_FALSE(Matches(cidr, "10.0.0.0/33"));
}

TEST(PatternTest, UnsupportedPatternsAreSkippedNotFatal) {
  for (const char* p :
       {R"(\pL+)", R"(\p{Greek})", "(?m)^a$", "(?=a)", "a{2000}", R"((a)\1)",
        "[abc", "(a", "(?<=a)b", "(?i:a)"}) {
    EXPECT_FALSE(MatchesPattern(p, "aaa").has_value()) << p;
  }
}

TEST(PatternTest, NoBlowUpOnHostileInput) {
  // Exponential for a backtracking matcher; linear for the BFS executor.
  std::string as(5000, 'a');
  EXPECT_FALSE(Matches("^(a*)*b$", as));
  EXPECT_FALSE(Matches("^(a|aa)+$", as + "b"));
  // A long value must not recurse per character.
  EXPECT_TRUE(Matches("^[^,]+$", std::string(100000, 'x')));
  // Too long to match cheaply: skipped.
  EXPECT_FALSE(MatchesPattern("^[^,]+$", std::string(1 << 20, 'x')));
}

TEST(PatternTest, NonAsciiValuesAreMatchedAsBytes) {
  EXPECT_TRUE(Matches("^[^,]+$", "grüße"));
  EXPECT_FALSE(Matches("^[a-z]+$", "grüße"));
}

TEST(PatternTest, CacheIsSafeAcrossThreads) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&wrong, t] {
      for (int i = 0; i < 200; ++i) {
        // Distinct patterns per round so threads race on inserting them.
        std::string p = "^x" + std::to_string(i) + "-[a-z]+$";
        std::string v = "x" + std::to_string(i) + (t % 2 ? "-abc" : "-ABC");
        if (MatchesPattern(p, v) != std::optional<bool>(t % 2 == 1)) ++wrong;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

void CollectPatterns(const json& node, std::set<std::string>* out) {
  if (node.is_object()) {
    for (const auto& item : node.items()) {
      // "pattern" as a keyword, not a property named "pattern".
      if (item.key() == "pattern" && item.value().is_string()) {
        out->insert(item.value().get<std::string>());
      }
      CollectPatterns(item.value(), out);
    }
  } else if (node.is_array()) {
    for (const json& v : node) CollectPatterns(v, out);
  }
}

TEST(PatternTest, EveryPatternInTheUpstreamCrdsCompiles) {
  SKIP_WITHOUT_CRDS();
  std::set<std::string> patterns;
  for (const Crd& crd : testing::UpstreamCrds().crds()) {
    for (const CrdVersion& v : crd.versions)
      CollectPatterns(v.schema, &patterns);
  }
  ASSERT_FALSE(patterns.empty());
  for (const std::string& p : patterns) {
    EXPECT_TRUE(MatchesPattern(p, "x").has_value()) << "cannot use: " << p;
  }
}

}  // namespace
}  // namespace capigitops::schema
