// The fake must behave like the real source where callers can tell: the
// same scenario runs against both.
#include "git/fake_git_source.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "git/git_test_util.h"
#include "git/racing_source.h"

namespace capigitops {
namespace {

using testing::FakeGitSource;

// One backend: a source plus a way to push as "someone else".
struct Backend {
  std::unique_ptr<GitSource> source;
  std::function<std::string(const FakeGitSource::Changes&)> push_other;
  std::function<void(std::function<void(int)>)> set_before_push;
};

class GitSourceContractTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    FileSet initial = {{"clusters/a.yaml", "a\n"}, {"status/a.yaml", "s\n"}};
    if (GetParam()) {
      auto fake = std::make_unique<FakeGitSource>();
      FakeGitSource* raw = fake.get();
      raw->PushFiles({initial.begin(), initial.end()}, "initial");
      backend_.push_other = [raw](const FakeGitSource::Changes& c) {
        return raw->PushFiles(c, "other");
      };
      backend_.set_before_push = [raw](std::function<void(int)> f) {
        raw->before_push = std::move(f);
      };
      backend_.source = std::move(fake);
    } else {
      remote_ = std::make_unique<testing::GitRemote>(dir_.Sub("r"), initial);
      options_.url = remote_->bare();
      options_.cache_dir = dir_.Sub("cache");
      backend_.push_other = [this](const FakeGitSource::Changes& c) {
        return remote_->Push(c, "other");
      };
      backend_.set_before_push = [this](std::function<void(int)> f) {
        backend_.source = testing::NewRacingSource(options_, std::move(f));
      };
      backend_.source = NewLibgit2Source(options_);
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::GitRemote> remote_;
  GitSourceOptions options_;
  Backend backend_;
};

const std::vector<std::string> kPrefixes = {"clusters", "status"};

TEST_P(GitSourceContractTest, FetchFollowsOtherPushes) {
  StatusOr<Snapshot> a = backend_.source->Fetch(kPrefixes);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->files.size(), 2u);
  backend_.push_other({{"status/a.yaml", "s2\n"}});
  StatusOr<Snapshot> b = backend_.source->Fetch(kPrefixes);
  ASSERT_TRUE(b.ok());
  EXPECT_NE(b->commit, a->commit);
  EXPECT_EQ(b->files.at("status/a.yaml"), "s2\n");
  backend_.push_other({{"clusters/b.yaml", "b\n"}});
  StatusOr<Snapshot> c = backend_.source->Fetch(kPrefixes);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->commit, b->commit);
  EXPECT_EQ(c->files.at("clusters/b.yaml"), "b\n");
}

TEST_P(GitSourceContractTest, NoOpCommitAndRaceRetry) {
  CommitRequest req;
  req.branch = "main";
  req.message = "status";
  req.changes = {{"status/a.yaml", "s\n"},
                 {"status/absent.yaml", std::nullopt}};
  StatusOr<std::string> none = backend_.source->CommitAndPush(req);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(*none, "");

  std::string other;
  backend_.set_before_push([&](int attempt) {
    if (attempt == 0) other = backend_.push_other({{"clusters/h.yaml", "h\n"}});
  });
  req.changes = {{"status/a.yaml", "s3\n"}};
  StatusOr<std::string> sha = backend_.source->CommitAndPush(req);
  ASSERT_TRUE(sha.ok()) << sha.status().ToString();
  StatusOr<Snapshot> snap = backend_.source->Fetch(kPrefixes);
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->commit, *sha);
  EXPECT_EQ(snap->files.at("clusters/h.yaml"), "h\n");
  EXPECT_EQ(snap->files.at("status/a.yaml"), "s3\n");
}

INSTANTIATE_TEST_SUITE_P(GitBackends, GitSourceContractTest,
                         ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Fake" : "Libgit2";
                         });

TEST(GitFakeSourceTest, UnavailableIsReturnedNotAnEmptySnapshot) {
  FakeGitSource fake;
  fake.PushFiles({{"clusters/a.yaml", "a\n"}}, "initial");
  fake.unavailable = Status::Unavailable("fetching fake: connection refused");
  EXPECT_EQ(fake.Fetch({}).status().code(), StatusCode::kUnavailable);
  FakeGitSource empty;
  EXPECT_EQ(empty.Fetch({}).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace capigitops
