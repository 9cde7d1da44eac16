// The CLI's flag layer (app/flags.h): declarations on a FlagSet, plain Args
// out, cxxopts' parse errors as InvalidArgument.
#include "app/flags.h"

#include <gtest/gtest.h>

#include <vector>

namespace capigitops {
namespace {

FlagSet Declared() {
  FlagSet f;
  f.add_options("common")("h,help", "show this help");
  f.add_options()("repo-dir", "repository directory",
                  flags::value<std::string>()->default_value("."))(
      "wait", "seconds", flags::value<int>()->default_value("120"))(
      "jitter", "fraction", flags::value<double>()->default_value("0.1"))(
      "cluster", "one cluster", flags::value<std::string>())("prune", "delete")(
      "dry-run", "change nothing")("only", "clusters",
                                   flags::value<std::vector<std::string>>())(
      "revision", "commit", flags::value<std::string>()->default_value(""))(
      "max-age", "how old", flags::value<std::string>())(
      "now", "the time", flags::value<std::string>()->arg_help("RFC3339"));
  f.parse_positional({"repo-dir"});
  f.positional_help("[REPO_DIR]");
  return f;
}

StatusOr<Args> Parse(std::vector<const char*> argv) {
  argv.insert(argv.begin(), "plan");
  return ParseFlags(Declared(), "capi-gitops plan", "diff", argv.size(),
                    argv.data());
}

TEST(FlagsTest, DefaultsAreValuesButNotCounted) {
  StatusOr<Args> a = Parse({});
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->count("repo-dir"), 0u);
  EXPECT_EQ((*a)["repo-dir"].as<std::string>(), ".");
  EXPECT_EQ((*a)["wait"].as<int>(), 120);
  EXPECT_DOUBLE_EQ((*a)["jitter"].as<double>(), 0.1);
  EXPECT_EQ(a->count("cluster"), 0u);
  EXPECT_THROW((*a)["cluster"].as<std::string>(), std::logic_error);
  EXPECT_EQ(a->count("prune"), 0u);
}

TEST(FlagsTest, GivenFlagsAndThePositional) {
  StatusOr<Args> a =
      Parse({"repo", "--wait=5", "--cluster", "c1", "--prune", "-h"});
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ((*a)["repo-dir"].as<std::string>(), "repo");
  EXPECT_EQ(a->count("repo-dir"), 1u);
  EXPECT_EQ((*a)["wait"].as<int>(), 5);
  EXPECT_EQ((*a)["cluster"].as<std::string>(), "c1");
  EXPECT_EQ(a->count("prune"), 1u);
  EXPECT_EQ(a->count("help"), 1u);
}

TEST(FlagsTest, UsageErrorsAreInvalidArgument) {
  for (std::vector<const char*> argv : {std::vector<const char*>{"--wait=soon"},
                                        {"--no-such-flag"},
                                        {"--cluster"}}) {
    StatusOr<Args> a = Parse(argv);
    ASSERT_FALSE(a.ok()) << argv[0];
    EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(a.status().message().empty());
  }
}

TEST(FlagsTest, HelpListsGroupsAndPositional) {
  std::string help = FlagHelp(Declared(), "capi-gitops plan", "diff");
  EXPECT_NE(help.find("[REPO_DIR]"), std::string::npos) << help;
  EXPECT_NE(help.find("common options"), std::string::npos) << help;
  EXPECT_NE(help.find("--wait"), std::string::npos) << help;
}

TEST(FlagsTest, FlagTyposGetTheClosestFlag) {
  StatusOr<Args> a = Parse({"--dryrun"});
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a.status().message(),
            "unknown flag --dryrun, did you mean --dry-run?");
  a = Parse({"repo", "--wait", "3", "--prnue=yes"});
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().message(),
            "unknown flag --prnue, did you mean --prune?");
  // A single dash is a common slip for two.
  a = Parse({"-dry-run"});
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().message(),
            "unknown flag -dry-run, did you mean --dry-run?");
  // Nothing close: no guess.
  a = Parse({"--frobnicate-everything"});
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().message(), "unknown flag --frobnicate-everything");
}

TEST(FlagsTest, ListFlagsRepeatAndSplitCommas) {
  StatusOr<Args> a = Parse({"--only", "a,b", "--only", "c", "--only=,d,"});
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ((*a)["only"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"a", "b", "c", "d"}));
  a = Parse({});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE((*a)["only"].as<std::vector<std::string>>().empty());
  EXPECT_EQ((*a)["revision"].as<std::string>(), "");  // empty default
  EXPECT_TRUE(a->declared("only"));
  EXPECT_FALSE(a->declared("selector"));
}

TEST(FlagsTest, HelpHasTypedPlaceholdersAndNoEmptyDefaults) {
  FlagSet f = Declared();
  f.examples("capi-gitops plan\ncapi-gitops plan ./repo --prune");
  std::string help = FlagHelp(f, "capi-gitops plan", "diff");
  EXPECT_NE(help.find("--wait SECONDS"), std::string::npos) << help;
  EXPECT_NE(help.find("--revision COMMIT"), std::string::npos) << help;
  EXPECT_NE(help.find("--now RFC3339"), std::string::npos) << help;
  EXPECT_NE(help.find("--max-age MAX_AGE"), std::string::npos) << help;
  EXPECT_NE(help.find("(default: 120)"), std::string::npos) << help;
  EXPECT_EQ(help.find(" arg "), std::string::npos) << help;
  EXPECT_EQ(help.find("(default: \"\")"), std::string::npos) << help;
  EXPECT_NE(help.find("Examples:\n  capi-gitops plan\n  capi-gitops plan "
                      "./repo --prune\n"),
            std::string::npos)
      << help;
}

}  // namespace
}  // namespace capigitops
