#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "capigitops/duration.h"
#include "capigitops/writeback.h"
#include "policy/test_requests.h"

namespace capigitops {
namespace {

int64_t At(const char* rfc3339) {
  std::optional<int64_t> t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(0);
}

// llm-train, owner ml-research, ttl 4h.
ClusterRequest LlmTrain() {
  ClusterRequest r = testing::GpuTrainingRequest();
  r.name = "llm-train";
  r.file = "clusters/llm-train.yaml";
  return r;
}

ClusterRequest WithExpiresAt(const char* when) {
  ClusterRequest r = LlmTrain();
  r.ttl.kind = TtlKind::kExpiresAt;
  r.ttl.seconds = 0;
  r.ttl.expires_at = At(when);
  r.ttl.text = when;
  return r;
}

TEST(WritebackTtlTest, DurationCountsFromCreation) {
  TtlDecision d = DecideTtl(LlmTrain(), At("2026-11-27T06:00:00Z"),
                            At("2026-11-27T08:30:00Z"));
  EXPECT_TRUE(d.has_expiry);
  EXPECT_EQ(d.expires_at, At("2026-11-27T10:00:00Z"));
  EXPECT_FALSE(d.expired);
  EXPECT_EQ(d.expires_in, 90 * 60);
  EXPECT_FALSE(d.kept);
}

TEST(WritebackTtlTest, ExpiresExactlyAtTheBoundary) {
  ClusterRequest req = LlmTrain();
  int64_t created = At("2026-11-27T06:00:00Z");
  TtlDecision before = DecideTtl(req, created, At("2026-11-27T09:59:59Z"));
  EXPECT_FALSE(before.expired);
  EXPECT_EQ(before.expires_in, 1);

  TtlDecision at = DecideTtl(req, created, At("2026-11-27T10:00:00Z"));
  EXPECT_TRUE(at.expired);
  EXPECT_EQ(at.expires_in, 0);

  TtlDecision after = DecideTtl(req, created, At("2026-11-28T10:00:00Z"));
  EXPECT_TRUE(after.expired);
  EXPECT_EQ(after.expires_in, 0);
  EXPECT_EQ(after.expires_at, At("2026-11-27T10:00:00Z"));
}

TEST(WritebackTtlTest, NotCreatedYetCountsFromNowAndIsNotExpired) {
  int64_t now = At("2026-11-27T08:00:00Z");
  TtlDecision d = DecideTtl(LlmTrain(), /*created_at=*/0, now);
  EXPECT_TRUE(d.has_expiry);
  EXPECT_FALSE(d.expired);
  EXPECT_EQ(d.expires_at, now + 4 * 3600);
  EXPECT_EQ(d.expires_in, 4 * 3600);
}

TEST(WritebackTtlTest, ExpiresAtIsFixedWhateverTheCreationTime) {
  ClusterRequest req = WithExpiresAt("2026-12-01T18:00:00Z");
  TtlDecision running =
      DecideTtl(req, At("2026-11-27T06:00:00Z"), At("2026-12-01T17:00:00Z"));
  EXPECT_TRUE(running.has_expiry);
  EXPECT_EQ(running.expires_at, At("2026-12-01T18:00:00Z"));
  EXPECT_FALSE(running.expired);
  EXPECT_EQ(running.expires_in, 3600);

  // A request whose time has passed before it was ever applied is expired.
  TtlDecision late = DecideTtl(req, 0, At("2026-12-02T00:00:00Z"));
  EXPECT_TRUE(late.expired);
  EXPECT_EQ(late.expires_in, 0);
}

TEST(WritebackTtlTest, NeverAndNoTtlHaveNoExpiry) {
  ClusterRequest never = LlmTrain();
  never.ttl = {TtlKind::kNever, 0, 0, "never"};
  ClusterRequest none = LlmTrain();
  none.ttl = {};
  int64_t created = At("2026-01-01T00:00:00Z");
  int64_t much_later = At("2030-01-01T00:00:00Z");
  for (const ClusterRequest& req : {never, none}) {
    TtlDecision d = DecideTtl(req, created, much_later);
    EXPECT_FALSE(d.has_expiry);
    EXPECT_FALSE(d.expired);
    EXPECT_FALSE(d.kept);
    EXPECT_FALSE(ExpiresSoon(d, 365 * 86400));
  }
}

TEST(WritebackTtlTest, DeletionProtectionKeepsAnExpiredCluster) {
  ClusterRequest req = LlmTrain();
  req.deletion_protection = true;
  int64_t created = At("2026-11-27T06:00:00Z");

  TtlDecision expired = DecideTtl(req, created, At("2026-11-27T11:00:00Z"));
  EXPECT_TRUE(expired.expired);
  EXPECT_TRUE(expired.kept);
  EXPECT_EQ(expired.kept_reason,
            "expired 2026-11-27T10:00Z (ttl 4h) but kept: deletionProtection "
            "is true; set deletionProtection: false to let the TTL tear it "
            "down, or extend the ttl");

  TtlDecision running = DecideTtl(req, created, At("2026-11-27T09:00:00Z"));
  EXPECT_FALSE(running.kept);
  EXPECT_TRUE(running.kept_reason.empty());

  req.deletion_protection = false;
  EXPECT_FALSE(DecideTtl(req, created, At("2026-11-27T11:00:00Z")).kept);
}

TEST(WritebackTtlTest, TeardownMessageForADurationTtl) {
  ClusterRequest req = LlmTrain();
  TtlDecision d =
      DecideTtl(req, At("2026-11-27T06:00:00Z"), At("2026-11-27T10:05:00Z"));
  ASSERT_TRUE(d.expired);
  EXPECT_EQ(TeardownCommitMessage(req, d),
            "ttl: tear down llm-train: expired 2026-11-27T10:00Z (ttl 4h, "
            "owner ml-research)\n"
            "\n"
            "clusters/llm-train.yaml removed by capi-gitops: its TTL expired. "
            "The cluster is deleted next (the Cluster first, its other "
            "objects after CAPI removed it).\n");
}

TEST(WritebackTtlTest, NewlineInAFileNameNeverReachesTheMessage) {
  ClusterRequest req = LlmTrain();
  req.file = "clusters/a\n\nSigned-off-by: mallory\r.yaml";
  TtlDecision d =
      DecideTtl(req, At("2026-11-27T06:00:00Z"), At("2026-11-27T10:05:00Z"));
  std::string msg = TeardownCommitMessage(req, d);
  EXPECT_EQ(msg.find("\nSigned-off-by"), std::string::npos) << msg;
  EXPECT_NE(msg.find("clusters/a\\x0a\\x0aSigned-off-by: mallory\\x0d.yaml"),
            std::string::npos)
      << msg;
  EXPECT_EQ(std::count(msg.begin(), msg.end(), '\n'), 3);
}

TEST(WritebackTtlTest, TeardownMessageForExpiresAtKeepsSeconds) {
  ClusterRequest req = WithExpiresAt("2026-12-01T18:00:30Z");
  TtlDecision d = DecideTtl(req, 0, At("2026-12-01T18:01:00Z"));
  ASSERT_TRUE(d.expired);
  std::string msg = TeardownCommitMessage(req, d);
  EXPECT_EQ(msg.substr(0, msg.find('\n')),
            "ttl: tear down llm-train: expired 2026-12-01T18:00:30Z "
            "(expiresAt 2026-12-01T18:00:30Z, owner ml-research)");
}

TEST(WritebackTtlTest, ExpiresSoonOnlyWithinTheWindowAndNotOnceExpired) {
  ClusterRequest req = LlmTrain();
  int64_t created = At("2026-11-27T06:00:00Z");
  TtlDecision hour_left = DecideTtl(req, created, At("2026-11-27T09:00:00Z"));
  EXPECT_TRUE(ExpiresSoon(hour_left, 3600));
  EXPECT_FALSE(ExpiresSoon(hour_left, 3599));
  TtlDecision expired = DecideTtl(req, created, At("2026-11-27T10:00:00Z"));
  EXPECT_FALSE(ExpiresSoon(expired, 3600));
}

TEST(WritebackTtlTest, ExpiresInIsBucketed) {
  auto in = [](int64_t seconds) {
    TtlDecision d;
    d.has_expiry = true;
    d.expires_in = seconds;
    return FormatExpiresIn(d);
  };
  EXPECT_EQ(in(3 * 3600 + 20 * 60), "3h");
  EXPECT_EQ(in(3 * 3600), "3h");
  EXPECT_EQ(in(3 * 3600 - 1), "2h");
  EXPECT_EQ(in(27 * 3600 + 59 * 60), "1d3h");
  EXPECT_EQ(in(3600 - 1), "50m");
  EXPECT_EQ(in(40 * 60 + 59), "40m");
  EXPECT_EQ(in(10 * 60), "10m");
  EXPECT_EQ(in(10 * 60 - 1), "under 10m");
  TtlDecision expired;
  expired.has_expiry = expired.expired = true;
  EXPECT_EQ(FormatExpiresIn(expired), "expired");
  EXPECT_EQ(FormatExpiresIn(TtlDecision{}), "");
}

}  // namespace
}  // namespace capigitops
