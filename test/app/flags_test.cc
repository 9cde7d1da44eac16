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
      "cluster", "one cluster", flags::value<std::string>())("prune", "delete");
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

}  // namespace
}  // namespace capigitops
