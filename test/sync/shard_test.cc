// Which shard owns which cluster (shard.h): the hash is part of the
// deployed contract (changing it moves every cluster), so its values are
// pinned here, and `--shard I/N` is parsed strictly.
#include "capigitops/shard.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capigitops/inventory.h"

namespace capigitops {
namespace {

TEST(ShardHashTest, IsFnv1a64OfNamespaceSlashName) {
  // Reference values of FNV-1a 64 (offset basis 14695981039346656037,
  // prime 1099511628211) over the bytes "<ns>/<name>".
  EXPECT_EQ(ShardHash("a", "b"), 16582468340193742689ULL);
  EXPECT_EQ(ShardHash("capi-clusters", "dev-sandbox"), 2043138616124199012ULL);
  EXPECT_EQ(ShardHash("capi-clusters", "finetune-westeurope"),
            16611686418794845337ULL);
  EXPECT_EQ(ShardHash("capi-clusters", "dev-1"), 10411030899000493212ULL);
  // The namespace is part of the key: the same name elsewhere may move.
  EXPECT_NE(ShardHash("team-a", "dev-sandbox"),
            ShardHash("capi-clusters", "dev-sandbox"));
  // "a/b" + "c" and "a" + "b/c" are the same bytes; cluster names have no
  // slash, so that cannot happen between two real clusters.
  EXPECT_EQ(ShardHash("a/b", "c"), ShardHash("a", "b/c"));
}

TEST(ShardHashTest, ShardsArePinnedForTheSampleRepository) {
  struct Want {
    const char* name;
    int of2, of3;
  };
  for (const Want& w : std::vector<Want>{{"dev-sandbox", 0, 0},
                                         {"finetune-westeurope", 1, 2},
                                         {"inference-us-east1", 0, 1},
                                         {"llm-train-us-central1", 1, 2},
                                         {"sovereign-onprem", 1, 2}}) {
    EXPECT_EQ(ShardOf("capi-clusters", w.name, 2), w.of2) << w.name;
    EXPECT_EQ(ShardOf("capi-clusters", w.name, 3), w.of3) << w.name;
    EXPECT_EQ(ShardOf("capi-clusters", w.name, 1), 0) << w.name;
  }
}

TEST(ShardHashTest, ExactlyOneShardOwnsEachNameAndShardZeroTheCatalog) {
  for (int n = 1; n <= 5; ++n) {
    for (int c = 0; c < 200; ++c) {
      std::string name = "c-" + std::to_string(c);
      int owners = 0;
      for (int i = 0; i < n; ++i) owners += ShardOwns({i, n}, "ns", name);
      EXPECT_EQ(owners, 1) << name << " of " << n;
    }
    EXPECT_TRUE(ShardOwns({0, n}, "ns", kCatalogInventoryName));
    for (int i = 1; i < n; ++i)
      EXPECT_FALSE(ShardOwns({i, n}, "ns", kCatalogInventoryName));
  }
  // Not sharded: everything is this replica's.
  EXPECT_TRUE(ShardOwns(Shard{}, "ns", "anything"));
}

TEST(ShardHashTest, SpreadsNamesEvenly) {
  int counts[4] = {0, 0, 0, 0};
  for (int c = 0; c < 4000; ++c)
    counts[ShardOf("capi-clusters", "gpu-" + std::to_string(c), 4)]++;
  for (int n : counts) {
    EXPECT_GT(n, 850);
    EXPECT_LT(n, 1150);
  }
}

TEST(ParseShardTest, AcceptsIndexOfCount) {
  StatusOr<Shard> s = ParseShard("2/3");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->index, 2);
  EXPECT_EQ(s->count, 3);
  EXPECT_TRUE(s->sharded());
  EXPECT_EQ(s->ToString(), "2/3");
  StatusOr<Shard> one = ParseShard("0/1");
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one->sharded());
}

TEST(ParseShardTest, RejectsWhatIsNotIBelowN) {
  for (const char* bad :
       {"", "3", "/3", "1/", "3/3", "4/3", "-1/3", "0/0", "1/-2", "a/3", "1/b",
        "1/3/5", " 1/3", "1 /3", "0/99999999999999999999", "0/5000"}) {
    StatusOr<Shard> s = ParseShard(bad);
    EXPECT_FALSE(s.ok()) << bad;
    if (s.ok()) continue;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.status().message().find("--shard"), std::string::npos) << bad;
  }
  EXPECT_NE(ParseShard("3/3").status().message().find(
                "must be less than the number of shards 3"),
            std::string::npos);
}

TEST(ShardLeaseTest, EachShardHasALeaseOfItsOwn) {
  EXPECT_EQ(ShardLeaseName("capi-gitops", Shard{}), "capi-gitops");
  EXPECT_EQ(ShardLeaseName("capi-gitops", {1, 3}), "capi-gitops-shard-1-of-3");
  EXPECT_NE(ShardLeaseName("capi-gitops", {0, 2}),
            ShardLeaseName("capi-gitops", {0, 3}));
}

}  // namespace
}  // namespace capigitops
