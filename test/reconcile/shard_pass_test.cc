// Sharded passes (--shard I/N) against one management cluster (FakeKubeApi,
// capi-sandbox's request handler) and one bare Git remote, each shard with
// a libgit2 clone of its own, as the replicas of the StatefulSet have:
// every cluster is created exactly once, the shards' sets are disjoint and
// cover the repository, a removed cluster is pruned by its own shard only,
// a change of N moves clusters without deleting any, and every shard's
// status commits survive the others' pushes.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/builtin_policies.h"
#include "capigitops/duration.h"
#include "capigitops/loader.h"
#include "capigitops/reconcile.h"
#include "capigitops/shard.h"
#include "git/git_test_util.h"
#include "testing/fake_kube_api.h"
#include "testing/subprocess.h"

namespace capigitops {
namespace {

constexpr char kShardNs[] = "capi-clusters";
constexpr int kDevClusters = 7;  // dev-1 .. dev-7 besides the sample's five

// The sample repository plus seven small Docker clusters without a TTL, so
// that every shard of two and three has several.
std::map<std::string, std::string> RepoFiles() {
  StatusOr<FileSet> files =
      ReadRepoDirectory(testutil::SourcePath("sample-repo"));
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  std::map<std::string, std::string> out(files->begin(), files->end());
  std::string dev = out.at("clusters/dev-sandbox.yaml");
  dev.replace(dev.find("  ttl: 90m\n"), 11, "");
  for (int i = 1; i <= kDevClusters; ++i) {
    std::string text = dev;
    std::string name = "dev-" + std::to_string(i);
    text.replace(text.find("name: dev-sandbox"), 17, "name: " + name);
    out["clusters/" + name + ".yaml"] = text;
  }
  return out;
}

std::set<std::string> AllClusters() {
  std::set<std::string> names = {"dev-sandbox", "finetune-westeurope",
                                 "inference-us-east1", "llm-train-us-central1",
                                 "sovereign-onprem"};
  for (int i = 1; i <= kDevClusters; ++i)
    names.insert("dev-" + std::to_string(i));
  return names;
}

std::set<std::string> Named(const PassResult& r, ClusterOutcome outcome) {
  std::set<std::string> out;
  for (const ClusterPassResult& c : r.clusters) {
    if (c.outcome == outcome && !IsCatalogInventory(c.name)) out.insert(c.name);
  }
  return out;
}

std::string ShardNotes(const PassResult& r) {
  std::string out;
  for (const PassNote& n : r.notes) out += n.text + "\n";
  return out;
}

class ShardPassTest : public ::testing::Test {
 protected:
  ShardPassTest() : remote_(dir_.Sub("remote"), RepoFiles()) {}

  // Shard I of N's clone, made once, kept across passes (as a pod's).
  GitSource* Source(const Shard& s) {
    std::unique_ptr<GitSource>& source = sources_[s.ToString()];
    if (!source) {
      GitSourceOptions o;
      o.url = remote_.bare();
      o.cache_dir = dir_.Sub("cache-" + std::to_string(s.index) + "-of-" +
                             std::to_string(s.count));
      source = NewLibgit2Source(o);
    }
    return source.get();
  }

  PassResult Pass(const Shard& s, const std::string& now,
                  bool ttl_only = false) {
    ReconcileOptions o;
    o.now = *ParseRfc3339(now);
    o.sync.now = o.now;
    o.sync.wait_seconds = 1;
    o.shard = s;
    o.ttl_only = ttl_only;
    GitSource* git = Source(s);
    PassDeps deps{git, git, &kube_, &BuiltinPolicyFiles()};
    return RunPass(deps, o);
  }

  // One pass of every shard of `n`, all at once.
  std::vector<PassResult> PassAll(int n, const std::string& now) {
    for (int i = 0; i < n; ++i) Source({i, n});  // made before the threads
    std::vector<PassResult> results(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] { results[i] = Pass({i, n}, now); });
    }
    for (std::thread& t : threads) t.join();
    return results;
  }

  bool Live(const std::string& name) {
    return !kube_.Stored("cluster.x-k8s.io/v1beta2", "Cluster", kShardNs, name)
                .is_null();
  }
  bool InventoryLive(const std::string& name) {
    return !kube_
                .Stored("v1", "ConfigMap", kShardNs,
                        Inventory::ConfigMapName(name))
                .is_null();
  }
  // Real (not dry-run) requests of `verb` on Clusters, by name.
  std::map<std::string, int> ClusterWrites(const std::string& verb) {
    std::map<std::string, int> out;
    for (const FakeKubeApi::Request& r : kube_.log()) {
      if (r.verb == verb && r.kind == "Cluster" && !r.dry_run) out[r.name]++;
    }
    return out;
  }
  std::string StatusInGit(const std::string& name) {
    return remote_.Git("show main:status/" + name + ".yaml");
  }

  testing::TempDir dir_;
  testing::GitRemote remote_;
  FakeKubeApi kube_;
  std::map<std::string, std::unique_ptr<GitSource>> sources_;
};

// Every cluster is created exactly once, by the shard it hashes to; the
// shards' sets are disjoint and cover the repository; every status file
// (each written by its owner, all pushed at the same time) is in Git.
void ExpectShardsCoverTheRepo(int n, const std::vector<PassResult>& results,
                              const std::map<std::string, int>& applies) {
  std::set<std::string> seen;
  for (int i = 0; i < n; ++i) {
    const PassResult& r = results[i];
    EXPECT_EQ(r.outcome(), PassOutcome::kSuccess) << i << "\n" << ShardNotes(r);
    for (const ClusterPassResult& c : r.clusters) {
      if (IsCatalogInventory(c.name)) {
        EXPECT_EQ(i, 0) << "shard 0 owns the add-on catalog";
        continue;
      }
      EXPECT_EQ(ShardOf(kShardNs, c.name, n), i) << c.name;
      EXPECT_TRUE(seen.insert(c.name).second) << c.name << " in two shards";
    }
    EXPECT_EQ(Named(r, ClusterOutcome::kCreated).size(),
              r.clusters.size() - (i == 0 ? 1 : 0))
        << ShardNotes(r);
    EXPECT_FALSE(r.status_commit.empty()) << i;
  }
  EXPECT_EQ(seen, AllClusters());
  for (const std::string& name : AllClusters()) {
    auto a = applies.find(name);
    EXPECT_EQ(a == applies.end() ? 0 : a->second, 1) << name;
  }
}

class ShardCountTest : public ShardPassTest,
                       public ::testing::WithParamInterface<int> {};

TEST_P(ShardCountTest, EveryClusterIsCreatedOnceByItsOwnShard) {
  int n = GetParam();
  std::vector<PassResult> results = PassAll(n, "2026-11-27T08:00:00Z");
  ExpectShardsCoverTheRepo(n, results, ClusterWrites("apply"));
  for (const std::string& name : AllClusters()) {
    EXPECT_TRUE(Live(name)) << name;
    EXPECT_NE(StatusInGit(name).find("phase:"), std::string::npos)
        << name << ": a status commit was lost";
  }
  EXPECT_TRUE(InventoryLive(kCatalogInventoryName));
  // Each shard's status commit is in main's history.
  for (const PassResult& r : results) {
    EXPECT_EQ(remote_.Git("merge-base --is-ancestor " + r.status_commit +
                          " main && echo yes"),
              "yes");
  }
  // A second round changes nothing and deletes nothing anywhere.
  std::vector<PassResult> again = PassAll(n, "2026-11-27T08:05:00Z");
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(again[i].outcome(), PassOutcome::kSuccess)
        << ShardNotes(again[i]);
    EXPECT_FALSE(again[i].changed()) << ShardNotes(again[i]);
  }
  EXPECT_TRUE(ClusterWrites("delete").empty());
  EXPECT_EQ(kube_.Count("delete"), 0);
}

INSTANTIATE_TEST_SUITE_P(TwoAndThree, ShardCountTest, ::testing::Values(2, 3));

TEST_F(ShardPassTest, ARemovedClusterIsPrunedOnlyByItsOwnShard) {
  PassAll(2, "2026-11-27T08:00:00Z");
  ASSERT_EQ(ShardOf(kShardNs, "dev-4", 2), 1);
  remote_.Push({{"clusters/dev-4.yaml", std::nullopt}}, "drop dev-4");
  // Shard 0 sees a live inventory it does not own: not "removed".
  PassResult other = Pass({0, 2}, "2026-11-27T08:10:00Z");
  EXPECT_EQ(other.outcome(), PassOutcome::kSuccess) << ShardNotes(other);
  EXPECT_FALSE(other.changed()) << ShardNotes(other);
  EXPECT_TRUE(Live("dev-4"));
  EXPECT_TRUE(InventoryLive("dev-4"));
  EXPECT_NE(StatusInGit("dev-4"), "") << "only its owner removes its status";
  PassResult owner = Pass({1, 2}, "2026-11-27T08:10:00Z");
  EXPECT_EQ(owner.outcome(), PassOutcome::kSuccess) << ShardNotes(owner);
  EXPECT_EQ(Named(owner, ClusterOutcome::kDeleted),
            std::set<std::string>{"dev-4"});
  EXPECT_FALSE(Live("dev-4"));
  EXPECT_FALSE(InventoryLive("dev-4"));
  EXPECT_EQ(StatusInGit("dev-4"), "");
  std::map<std::string, int> deletes = ClusterWrites("delete");
  EXPECT_EQ(deletes, (std::map<std::string, int>{{"dev-4", 1}}));
}

TEST_F(ShardPassTest, ChangingTheShardCountMovesClustersWithoutDeletingAny) {
  PassAll(2, "2026-11-27T08:00:00Z");
  std::map<std::string, int> created = ClusterWrites("apply");
  // Clusters that change owner from 2 to 3 shards.
  std::set<std::string> moving;
  for (const std::string& name : AllClusters()) {
    if (ShardOf(kShardNs, name, 2) != ShardOf(kShardNs, name, 3))
      moving.insert(name);
  }
  ASSERT_GE(moving.size(), 4u);
  std::vector<PassResult> three = PassAll(3, "2026-11-27T08:10:00Z");
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(three[i].outcome(), PassOutcome::kSuccess)
        << ShardNotes(three[i]);
    // Adopted: its inventory and objects are found, none is created again.
    EXPECT_TRUE(Named(three[i], ClusterOutcome::kCreated).empty())
        << ShardNotes(three[i]);
    EXPECT_FALSE(three[i].changed()) << ShardNotes(three[i]);
    for (const std::string& name : Named(three[i], ClusterOutcome::kUnchanged))
      seen.insert(name);
  }
  EXPECT_EQ(seen, AllClusters());
  // A replica still on the old count (mid-rollout) deletes nothing either.
  PassResult old = Pass({1, 2}, "2026-11-27T08:11:00Z");
  EXPECT_FALSE(old.changed()) << ShardNotes(old);
  EXPECT_EQ(kube_.Count("delete"), 0);
  EXPECT_EQ(ClusterWrites("apply"), created) << "nothing was applied again";
  for (const std::string& name : AllClusters()) EXPECT_TRUE(Live(name)) << name;
  // The new owner of a moved cluster prunes it when its spec goes.
  std::string moved = *moving.begin();
  int owner = ShardOf(kShardNs, moved, 3);
  remote_.Push({{"clusters/" + moved + ".yaml", std::nullopt}},
               "drop " + moved);
  for (int i = 0; i < 3; ++i) {
    if (i == owner) continue;
    Pass({i, 3}, "2026-11-27T08:20:00Z");
    EXPECT_TRUE(Live(moved)) << "pruned by shard " << i;
  }
  PassResult r = Pass({owner, 3}, "2026-11-27T08:20:00Z");
  EXPECT_EQ(Named(r, ClusterOutcome::kDeleted), std::set<std::string>{moved})
      << ShardNotes(r);
  EXPECT_FALSE(Live(moved));
}

TEST_F(ShardPassTest, TtlTeardownIsTheOwningShardsAlone) {
  PassAll(2, "2026-11-27T08:00:00Z");
  ASSERT_EQ(ShardOf(kShardNs, "dev-sandbox", 2), 0);  // ttl: 90m
  PassResult other = Pass({1, 2}, "2026-11-27T10:00:00Z", true);
  EXPECT_TRUE(other.teardown_commits.empty()) << ShardNotes(other);
  EXPECT_TRUE(Live("dev-sandbox"));
  EXPECT_NE(remote_.Git("show main:clusters/dev-sandbox.yaml"), "");
  PassResult owner = Pass({0, 2}, "2026-11-27T10:00:00Z", true);
  EXPECT_EQ(owner.teardown_commits.size(), 1u) << ShardNotes(owner);
  EXPECT_FALSE(Live("dev-sandbox"));
  EXPECT_EQ(remote_.Git("show main:clusters/dev-sandbox.yaml"), "");
}

// The budget is counted per shard, of the whole repository's size: each
// shard may delete up to max(3, 25% of all 12 managed clusters) per pass.
TEST_F(ShardPassTest, TheDeletionBudgetIsPerShardOfTheWholeRepository) {
  PassAll(2, "2026-11-27T08:00:00Z");
  // Four of shard 0's clusters and two of shard 1's.
  std::vector<std::string> gone0 = {"dev-1", "dev-3", "dev-5", "dev-7"};
  std::vector<std::string> gone1 = {"dev-2", "dev-4"};
  std::map<std::string, std::optional<std::string>> removal;
  for (const auto* names : {&gone0, &gone1}) {
    for (const std::string& name : *names) {
      ASSERT_EQ(ShardOf(kShardNs, name, 2), names == &gone0 ? 0 : 1) << name;
      removal["clusters/" + name + ".yaml"] = std::nullopt;
    }
  }
  remote_.Push(removal, "drop six dev clusters");
  // One after the other, so that shard 0 reads all twelve inventories.
  std::vector<PassResult> r;
  r.push_back(Pass({0, 2}, "2026-11-27T08:10:00Z"));
  r.push_back(Pass({1, 2}, "2026-11-27T08:10:00Z"));
  EXPECT_EQ(r[0].outcome(), PassOutcome::kDeletionHeld) << ShardNotes(r[0]);
  EXPECT_NE(ShardNotes(r[0]).find("would delete 4 of 12 managed clusters"),
            std::string::npos)
      << ShardNotes(r[0]);
  for (const std::string& name : gone0) EXPECT_TRUE(Live(name)) << name;
  EXPECT_EQ(r[1].outcome(), PassOutcome::kSuccess) << ShardNotes(r[1]);
  for (const std::string& name : gone1) EXPECT_FALSE(Live(name)) << name;
}

}  // namespace
}  // namespace capigitops
