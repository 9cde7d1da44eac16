// `--shard I/N` on reconcile, ttl and run: parsed into ReconcileOptions, a
// usage error otherwise, and one Git clone per shard by default.
#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "app/flags.h"
#include "app/pass_setup.h"
#include "testing/subprocess.h"

namespace capigitops {
namespace {

struct Parsed {
  bool ok = false;
  ReconcileOptions ro;
  std::string err;
  Args args;
};

Parsed ParseReconcile(std::vector<const char*> argv) {
  argv.insert(argv.begin(), "reconcile");
  FlagSet flags;
  AddSourceOptions(&flags);
  StatusOr<Args> args = ParseFlags(flags, "capi-gitops reconcile", "",
                                   static_cast<int>(argv.size()), argv.data());
  EXPECT_TRUE(args.ok()) << args.status().message();
  Parsed p;
  if (!args.ok()) return p;
  std::ostringstream out, err;
  CommandIo io;
  io.out = &out;
  io.err = &err;
  bool now_pinned = false;
  p.ok = ParseReconcileOptions(*args, io, false, &p.ro, &now_pinned);
  p.err = err.str();
  p.args = *args;
  return p;
}

TEST(ShardFlagTest, NotShardedWithoutTheFlag) {
  Parsed p = ParseReconcile({"--repo", "r"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_FALSE(p.ro.shard.sharded());
  EXPECT_EQ(p.ro.shard.index, 0);
}

TEST(ShardFlagTest, SetsTheShardOfThePass) {
  Parsed p = ParseReconcile({"--repo", "r", "--shard", "1/3"});
  ASSERT_TRUE(p.ok) << p.err;
  EXPECT_EQ(p.ro.shard.index, 1);
  EXPECT_EQ(p.ro.shard.count, 3);
}

TEST(ShardFlagTest, ABadValueIsAUsageError) {
  for (const char* bad : {"3/3", "1", "x/2", "0/0"}) {
    Parsed p = ParseReconcile({"--repo", "r", "--shard", bad});
    EXPECT_FALSE(p.ok) << bad;
    EXPECT_NE(p.err.find("--shard"), std::string::npos) << p.err;
  }
}

TEST(ShardFlagTest, EachShardClonesIntoADirectoryOfItsOwn) {
  Parsed a = ParseReconcile({"--repo", "https://git.example/r.git"});
  Parsed b =
      ParseReconcile({"--repo", "https://git.example/r.git", "--shard", "0/2"});
  Parsed c =
      ParseReconcile({"--repo", "https://git.example/r.git", "--shard", "1/2"});
  std::string da = SourceOptions(a.args, "main").cache_dir;
  std::string db = SourceOptions(b.args, "main").cache_dir;
  std::string dc = SourceOptions(c.args, "main").cache_dir;
  EXPECT_NE(da, db);
  EXPECT_NE(db, dc);
  EXPECT_NE(db.find("shard-0-2"), std::string::npos) << db;
}

// The binary: exit code 2 and the reason, before any Git or API access.
TEST(ShardFlagTest, EveryShardedCommandRejectsAnIndexOutOfRange) {
  for (const char* command : {"reconcile", "ttl", "run"}) {
    auto r = testutil::RunProcess({testutil::BinaryPath("capi-gitops"), command,
                                   "--repo", "/nonexistent", "--shard", "2/2"});
    EXPECT_EQ(r.exit_code, 2) << command << r.out << r.err;
    EXPECT_NE(r.err.find("must be less than the number of shards 2"),
              std::string::npos)
        << command << r.err;
  }
}

}  // namespace
}  // namespace capigitops
