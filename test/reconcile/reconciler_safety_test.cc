// Reconcile safety in-process (FakeGitSource, FakeKubeApi, the sample
// repository): a TTL teardown is re-decided against the commit it lands on,
// a missing clusters directory is an error and never "no clusters", TTL
// teardowns stay within the deletion budget, and only the paths the config
// names are read, each capped.
#include <gtest/gtest.h>

#include <functional>

#include "capigitops/reconcile.h"
#include "git/fake_git_source.h"
#include "testing/forwarding_kube_api.h"
#include "testing/reconcile_fixture.h"

namespace capigitops {
namespace {

using testing::FakeGitSource;

constexpr char kDev[] = "clusters/dev-sandbox.yaml";              // ttl 90m
constexpr char kTrain[] = "clusters/llm-train-us-central1.yaml";  // ttl 4h

// Forwards to `inner`; runs `before_commit` before each CommitAndPush (after
// the pass has fetched and decided) and records the bytes it was given.
class HookedGitSource : public GitSource {
 public:
  explicit HookedGitSource(GitSource& inner) : inner_(inner) {}
  std::function<void()> before_commit;
  size_t bytes_read = 0;

  StatusOr<Snapshot> Fetch(const std::vector<std::string>& prefixes) override {
    return Count(inner_.Fetch(prefixes));
  }
  StatusOr<Snapshot> ReadCommit(
      const std::string& commit,
      const std::vector<std::string>& prefixes) override {
    return Count(inner_.ReadCommit(commit, prefixes));
  }
  StatusOr<std::string> CommitAndPush(const CommitRequest& req) override {
    if (before_commit) before_commit();
    return inner_.CommitAndPush(req);
  }

 private:
  StatusOr<Snapshot> Count(StatusOr<Snapshot> snap) {
    if (snap.ok()) {
      for (const auto& [path, text] : snap->files) bytes_read += text.size();
    }
    return snap;
  }
  GitSource& inner_;
};

// A management cluster where the identity may list Clusters in its
// namespace only (a namespaced Role): the cluster-wide LIST is forbidden.
class NamespacedOnlyKubeApi : public testing::ForwardingKubeApi {
 public:
  using ForwardingKubeApi::ForwardingKubeApi;
  int forbidden = 0;

  StatusOr<std::vector<nlohmann::json>> List(
      const ResourceInfo& r, const std::string& ns,
      const std::string& selector) override {
    if (ns.empty() && r.namespaced) {
      ++forbidden;
      return Status::PermissionDenied("403 Forbidden: list " + r.kind);
    }
    return ForwardingKubeApi::List(r, ns, selector);
  }
};

class ReconcilerSafetyTest : public testing::ReconcileFixture {
 protected:
  // The sample's config with `from` replaced by `to`.
  std::string Config(const std::string& from, const std::string& to) {
    std::string c = git_.Files().at("capi-gitops.yaml");
    size_t at = c.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return c.replace(at, from.size(), to);
  }
};

TEST_F(ReconcilerSafetyTest, TeardownIsDroppedWhenThePushedSpecKeepsIt) {
  ASSERT_EQ(Pass("2026-11-27T08:00:00Z").outcome(), PassOutcome::kSuccess);
  std::string keep = git_.Files().at(kDev);
  keep.replace(keep.find("ttl: 90m"), 8,
               "ttl: 30d\n  deletionProtection: true");
  // A person pushes while the pass runs, after it decided: the teardown
  // would be rebuilt on top of this push.
  git_.before_push = [&](int attempt) {
    if (attempt == 0) git_.PushFiles({{kDev, keep}}, "keep dev-sandbox");
  };
  PassResult r = Pass("2026-11-27T10:00:00Z");
  EXPECT_TRUE(r.teardown_commits.empty()) << Notes(r);
  EXPECT_TRUE(Live("dev-sandbox")) << Notes(r);
  EXPECT_EQ(git_.Files().at(kDev), keep) << "the person's spec stays";
  EXPECT_NE(Notes(r).find("dev-sandbox: teardown dropped"), std::string::npos)
      << Notes(r);
  // The next pass decides on the new spec: kept.
  git_.before_push = nullptr;
  PassResult next = Pass("2026-11-27T10:05:00Z");
  EXPECT_TRUE(next.teardown_commits.empty()) << Notes(next);
  EXPECT_TRUE(Live("dev-sandbox"));
}

TEST_F(ReconcilerSafetyTest, TeardownIsDroppedWhenTheSpecChangedBeforeIt) {
  ASSERT_EQ(Pass("2026-11-27T08:00:00Z").outcome(), PassOutcome::kSuccess);
  HookedGitSource hooked(git_);
  std::string longer = git_.Files().at(kDev);
  longer.replace(longer.find("ttl: 90m"), 8, "ttl: 30d");
  hooked.before_commit = [&] {
    if (git_.Files().at(kDev) != longer) {
      git_.PushFiles({{kDev, longer}}, "extend dev-sandbox");
    }
  };
  PassResult r = Pass("2026-11-27T10:00:00Z", &hooked);
  EXPECT_TRUE(r.teardown_commits.empty()) << Notes(r);
  EXPECT_TRUE(Live("dev-sandbox"));
  EXPECT_EQ(git_.Files().at(kDev), longer);
}

TEST_F(ReconcilerSafetyTest, UnrelatedPushStillLetsTheTeardownLand) {
  ASSERT_EQ(Pass("2026-11-27T08:00:00Z").outcome(), PassOutcome::kSuccess);
  git_.before_push = [&](int attempt) {
    if (attempt == 0) git_.PushFiles({{"docs/x.md", "x\n"}}, "docs");
  };
  PassResult r = Pass("2026-11-27T10:00:00Z");
  EXPECT_EQ(r.teardown_commits.size(), 1u) << Notes(r);
  EXPECT_FALSE(Live("dev-sandbox"));
}

TEST_F(ReconcilerSafetyTest, MissingClustersDirectoryIsAnErrorNotEmpty) {
  ASSERT_EQ(Pass("2026-11-27T08:00:00Z").outcome(), PassOutcome::kSuccess);
  git_.PushFiles(
      {{"capi-gitops.yaml", Config("clusters: clusters", "clusters: specs")}},
      "wrong paths.clusters");
  int writes = kube_.StoredWrites();
  int pushes = git_.push_count;
  PassResult r = Pass("2026-11-27T08:10:00Z");
  EXPECT_EQ(r.outcome(), PassOutcome::kSourceError) << Notes(r);
  EXPECT_NE(r.source.message().find("no directory specs/"), std::string::npos)
      << r.source.ToString();
  EXPECT_EQ(kube_.StoredWrites(), writes) << "nothing was deleted";
  EXPECT_EQ(git_.push_count, pushes);
  EXPECT_TRUE(Live("dev-sandbox"));
}

TEST_F(ReconcilerSafetyTest, DeletedConfigThatNamedAnotherPathIsAnError) {
  // The repository keeps its specs in specs/, as its config says.
  FakeGitSource::Changes move;
  for (const auto& [path, text] : git_.Files()) {
    if (path.rfind("clusters/", 0) == 0) {
      move[path] = std::nullopt;
      move["specs/" + path.substr(9)] = text;
    }
  }
  move["capi-gitops.yaml"] = Config("clusters: clusters", "clusters: specs");
  git_.PushFiles(move, "specs/");
  ASSERT_EQ(Pass("2026-11-27T08:00:00Z").outcome(), PassOutcome::kSuccess);
  ASSERT_TRUE(Live("dev-sandbox"));
  git_.PushFiles({{"capi-gitops.yaml", std::nullopt}}, "delete the config");
  int writes = kube_.StoredWrites();
  PassResult r = Pass("2026-11-27T08:10:00Z");
  EXPECT_EQ(r.outcome(), PassOutcome::kSourceError) << Notes(r);
  EXPECT_NE(r.source.message().find("there is no capi-gitops.yaml"),
            std::string::npos)
      << r.source.ToString();
  EXPECT_EQ(kube_.StoredWrites(), writes);
  EXPECT_TRUE(Live("dev-sandbox"));
}

TEST_F(ReconcilerSafetyTest, TtlTeardownsBeyondTheBudgetWaitForLaterPasses) {
  git_.PushFiles(
      {{"capi-gitops.yaml", Config("{maxClusters: 3, maxPercent: 25}",
                                   "{maxClusters: 1, maxPercent: 0}")}},
      "budget 1");
  ASSERT_EQ(Pass("2026-11-27T08:00:00Z").outcome(), PassOutcome::kSuccess);
  // A day later both the 90m and the 4h TTL are over; the budget is one.
  PassResult r = Pass("2026-11-28T08:00:00Z");
  ASSERT_EQ(r.teardown_commits.size(), 1u) << Notes(r);
  EXPECT_EQ(git_.Files().count(kDev), 0u) << "the earliest expiry goes first";
  EXPECT_EQ(git_.Files().count(kTrain), 1u)
      << "no spec is removed whose deletion would be held";
  EXPECT_FALSE(Live("dev-sandbox"));
  EXPECT_TRUE(Live("llm-train-us-central1"));
  EXPECT_NE(Notes(r).find("llm-train-us-central1: expired at"),
            std::string::npos)
      << Notes(r);
  EXPECT_NE(Notes(r).find("waits for a later pass"), std::string::npos);
  PassResult next = Pass("2026-11-28T08:05:00Z");
  ASSERT_EQ(next.teardown_commits.size(), 1u) << Notes(next);
  EXPECT_EQ(git_.Files().count(kTrain), 0u);
  EXPECT_FALSE(Live("llm-train-us-central1"));
}

TEST_F(ReconcilerSafetyTest, PendingDeletionsUseTheBudgetFirst) {
  git_.PushFiles(
      {{"capi-gitops.yaml", Config("{maxClusters: 3, maxPercent: 25}",
                                   "{maxClusters: 1, maxPercent: 0}")}},
      "budget 1");
  ASSERT_EQ(Pass("2026-11-27T08:00:00Z").outcome(), PassOutcome::kSuccess);
  git_.PushFiles({{"clusters/inference-us-east1.yaml", std::nullopt}},
                 "remove inference");
  PassResult r = Pass("2026-11-27T10:00:00Z");
  EXPECT_TRUE(r.teardown_commits.empty()) << Notes(r);
  EXPECT_EQ(git_.Files().count(kDev), 1u);
  EXPECT_FALSE(Live("inference-us-east1"));
  EXPECT_TRUE(Live("dev-sandbox"));
}

TEST_F(ReconcilerSafetyTest, OnlyTheNamedPathsAreReadAndBigFilesBlockAlone) {
  std::string big(8u << 20, 'x');
  FakeGitSource::Changes bomb;
  for (int i = 0; i < 4; ++i) bomb["docs/big" + std::to_string(i)] = big;
  bomb["clusters/huge.yaml"] = big;
  git_.PushFiles(bomb, "large files");
  HookedGitSource hooked(git_);
  PassResult r = Pass("2026-11-27T08:00:00Z", &hooked);
  EXPECT_EQ(r.outcome(), PassOutcome::kInvalid) << Notes(r);
  EXPECT_LT(hooked.bytes_read, size_t{2} << 20)
      << "docs/ is never read and clusters/huge.yaml only up to the cap";
  EXPECT_TRUE(Live("dev-sandbox")) << "the other clusters are applied";
  EXPECT_TRUE(Live("inference-us-east1"));
}

TEST_F(ReconcilerSafetyTest, NamespaceChangeIsHeldNotDuplicated) {
  ASSERT_EQ(Pass("2026-11-27T08:00:00Z").outcome(), PassOutcome::kSuccess);
  git_.PushFiles({{"capi-gitops.yaml", Config("namespace: capi-clusters",
                                              "namespace: ml-clusters")}},
                 "move to ml-clusters");
  PassResult r = Pass("2026-11-27T08:10:00Z");
  std::string notes = Notes(r);
  EXPECT_NE(notes.find("dev-sandbox: blocked: namespace change held: it is "
                       "live in namespace \"capi-clusters\""),
            std::string::npos)
      << notes;
  EXPECT_NE(notes.find("set namespace: capi-clusters again"),
            std::string::npos);
  EXPECT_TRUE(kube_
                  .Stored("cluster.x-k8s.io/v1beta2", "Cluster", "ml-clusters",
                          "dev-sandbox")
                  .is_null())
      << "no second copy";
  EXPECT_TRUE(Live("dev-sandbox")) << "and the first one stays";
  EXPECT_TRUE(Live("llm-train-us-central1"));
  // Back to the old namespace: everything is as it was.
  git_.PushFiles({{"capi-gitops.yaml", Config("namespace: ml-clusters",
                                              "namespace: capi-clusters")}},
                 "back");
  PassResult back = Pass("2026-11-27T08:20:00Z");
  EXPECT_EQ(back.outcome(), PassOutcome::kSuccess) << Notes(back);
}

TEST_F(ReconcilerSafetyTest, ClustersListedInTheNamespaceWhenThatIsAllowed) {
  NamespacedOnlyKubeApi narrow(kube_);
  PassResult r = Pass("2026-11-27T08:00:00Z", nullptr, &narrow);
  EXPECT_EQ(r.outcome(), PassOutcome::kSuccess) << Notes(r);
  EXPECT_GE(narrow.forbidden, 1);
  EXPECT_TRUE(Live("dev-sandbox"));
}

// A copy of a cluster in another namespace (made before namespace changes
// were held) uses the same cluster-scoped AWS identity: deleting the other
// copy keeps it.
TEST_F(ReconcilerSafetyTest, ClusterScopedIdentityOfACopyIsKept) {
  ASSERT_EQ(Pass("2026-11-27T08:00:00Z").outcome(), PassOutcome::kSuccess);
  StatusOr<ResourceInfo> kind = kube_.Resolve(
      "infrastructure.cluster.x-k8s.io/v1beta2", "AWSClusterRoleIdentity");
  ASSERT_TRUE(kind.ok());
  auto identities = [&] {
    StatusOr<std::vector<nlohmann::json>> all = kube_.List(*kind, "", "");
    return all.ok() ? all->size() : size_t{999};
  };
  ASSERT_EQ(identities(), 1u);
  nlohmann::json copy = kube_.Stored("cluster.x-k8s.io/v1beta2", "Cluster",
                                     "capi-clusters", "inference-us-east1");
  ASSERT_FALSE(copy.is_null());
  nlohmann::json meta = {{"name", "inference-us-east1"},
                         {"namespace", "old-clusters"},
                         {"labels", copy["metadata"]["labels"]}};
  kube_.Seed({{"apiVersion", "v1"},
              {"kind", "Namespace"},
              {"metadata", {{"name", "old-clusters"}}}});
  kube_.Seed({{"apiVersion", copy["apiVersion"]},
              {"kind", "Cluster"},
              {"metadata", meta},
              {"spec", copy["spec"]}});
  git_.PushFiles({{"clusters/inference-us-east1.yaml", std::nullopt}},
                 "remove inference-us-east1");
  PassResult r = Pass("2026-11-27T08:10:00Z");
  EXPECT_FALSE(Live("inference-us-east1")) << Notes(r);
  EXPECT_EQ(identities(), 1u)
      << "the copy in old-clusters still uses it: " << Notes(r);
}

}  // namespace
}  // namespace capigitops
