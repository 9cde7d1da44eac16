// The idle decision table, the status block and the one-line hibernate edit.
#include <gtest/gtest.h>

#include <string>

#include "capigitops/duration.h"
#include "capigitops/writeback.h"
#include "policy/test_requests.h"

namespace capigitops {
namespace {

int64_t IdleAt(const char* rfc3339) {
  std::optional<int64_t> t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(0);
}

// owner ml-research, idle after 30m (teardown unless set otherwise).
ClusterRequest Gpu(IdleAction action = IdleAction::kTeardown) {
  ClusterRequest r = testing::GpuTrainingRequest();
  r.name = "llm-train";
  r.file = "clusters/llm-train.yaml";
  IdleSpec idle;
  idle.after = 30 * 60;
  idle.after_text = "30m";
  idle.action = action;
  r.idle = idle;
  return r;
}

IdleObservation Idle() {
  IdleObservation o;
  o.readable = true;
  return o;
}

IdleObservation Busy(const std::string& what) {
  IdleObservation o = Idle();
  o.busy.push_back(what);
  return o;
}

IdleInput Input(const ClusterRequest& req, IdleObservation obs,
                const char* now) {
  IdleInput in;
  in.request = &req;
  in.observation = std::move(obs);
  in.usable = in.observation.readable;
  in.now = IdleAt(now);
  return in;
}

TEST(IdleDecisionTest, FirstIdleObservationStartsTheClock) {
  ClusterRequest req = Gpu();
  IdleDecision d = DecideIdle(Input(req, Idle(), "2026-12-03T10:00:00Z"));
  EXPECT_EQ(d.step, IdleStep::kSetIdleSince);
  EXPECT_EQ(d.state, "idle");
  EXPECT_EQ(d.idle_since, IdleAt("2026-12-03T10:00:00Z"));
  EXPECT_EQ(d.next, IdleStep::kTeardown);
  EXPECT_EQ(d.acts_at, IdleAt("2026-12-03T10:30:00Z"));
}

TEST(IdleDecisionTest, RunningOrPendingGpuPodOrActiveJobIsBusy) {
  ClusterRequest req = Gpu();
  for (const char* what : {"pod ml/train-0 requests nvidia.com/gpu (Running)",
                           "pod ml/train-1 requests nvidia.com/gpu (Pending)",
                           "job ml/prep is active"}) {
    IdleInput in = Input(req, Busy(what), "2026-12-03T11:00:00Z");
    in.idle_since = IdleAt("2026-12-03T10:00:00Z");  // long past `after`
    IdleDecision d = DecideIdle(in);
    EXPECT_EQ(d.step, IdleStep::kClearIdleSince) << what;
    EXPECT_EQ(d.state, "busy");
    EXPECT_FALSE(d.idle_since.has_value());
    EXPECT_EQ(d.reason, what);
    EXPECT_EQ(d.last_activity, IdleAt("2026-12-03T11:00:00Z"));
  }
}

TEST(IdleDecisionTest, FinishedJobsAndSystemPodsLeaveNothingBusy) {
  // The reader drops them (idle_signals_test); what is left is idle.
  ClusterRequest req = Gpu();
  IdleInput in = Input(req, Idle(), "2026-12-03T10:31:00Z");
  in.idle_since = IdleAt("2026-12-03T10:00:00Z");
  IdleDecision d = DecideIdle(in);
  EXPECT_EQ(d.step, IdleStep::kTeardown);
  EXPECT_EQ(d.reason,
            "no GPU pods or active Jobs since 2026-12-03T10:00Z (idle 30m, "
            "owner ml-research)");
  std::string message = IdleTeardownCommitMessage(req, d);
  EXPECT_EQ(message.substr(0, message.find('\n')),
            "idle: tear down llm-train: no GPU pods or active Jobs since "
            "2026-12-03T10:00Z (idle 30m, owner ml-research)");
}

TEST(IdleDecisionTest, UnreadableApiCountsAsBusyAndSaysWhy) {
  ClusterRequest req = Gpu();
  IdleObservation obs;
  obs.unreadable = "listing Pods: connection refused";
  IdleInput in = Input(req, obs, "2026-12-03T12:00:00Z");
  in.idle_since = IdleAt("2026-12-03T10:00:00Z");
  IdleDecision d = DecideIdle(in);
  EXPECT_EQ(d.step, IdleStep::kClearIdleSince);
  EXPECT_EQ(d.state, "unreadable");
  EXPECT_NE(d.reason.find("connection refused"), std::string::npos);
  EXPECT_EQ(IdleStatusBlock(d)["reason"], d.reason);
}

// "Usable" is the status file's (SummarizeUsability): nodes Ready, the CNI,
// CCM and GPU operator delivered, GPUs allocatable. Until then the clock
// does not run, however long nothing is busy, and the status says why.
TEST(IdleDecisionTest, NotYetUsableNeverStartsTheClock) {
  ClusterRequest req = Gpu();
  IdleInput in = Input(req, Idle(), "2026-12-03T10:00:00Z");
  in.usable = false;
  in.not_usable = "no GPUs allocatable: GPU operator not delivered";
  in.idle_since = IdleAt("2026-12-03T08:00:00Z");  // e.g. it was usable
  IdleDecision d = DecideIdle(in);
  EXPECT_EQ(d.step, IdleStep::kClearIdleSince);
  EXPECT_EQ(d.state, "not-usable");
  EXPECT_FALSE(d.idle_since.has_value());
  EXPECT_EQ(d.next, IdleStep::kNone);
  EXPECT_EQ(d.reason,
            "the clock starts once the cluster is usable (no GPUs "
            "allocatable: GPU operator not delivered)");
  nlohmann::json block = IdleStatusBlock(d);
  EXPECT_EQ(block["state"], "not-usable");
  EXPECT_EQ(block["reason"], d.reason);
  EXPECT_FALSE(block.contains("next"));
  in.idle_since.reset();
  EXPECT_EQ(DecideIdle(in).step, IdleStep::kNone);
  // Busy wins: a pending GPU pod on a not yet usable cluster is work.
  in.observation = Busy("pod ml/train-0 requests nvidia.com/gpu (Pending)");
  EXPECT_EQ(DecideIdle(in).state, "busy");
  // Usable again: the clock starts afresh, now.
  in = Input(req, Idle(), "2026-12-03T11:00:00Z");
  d = DecideIdle(in);
  EXPECT_EQ(d.idle_since, IdleAt("2026-12-03T11:00:00Z"));
}

TEST(IdleDecisionTest, ClockIsKeptAcrossRestarts) {
  // A new process (or leader) reads the annotation: the clock neither
  // restarts nor moves.
  ClusterRequest req = Gpu();
  IdleInput in = Input(req, Idle(), "2026-12-03T10:20:00Z");
  in.idle_since = IdleAt("2026-12-03T10:00:00Z");
  IdleDecision d = DecideIdle(in);
  EXPECT_EQ(d.step, IdleStep::kNone);
  EXPECT_EQ(d.idle_since, IdleAt("2026-12-03T10:00:00Z"));
  EXPECT_EQ(IdleSeconds(d, in.now), 20 * 60);
  // A clock from the future is not trusted to shorten or lengthen it.
  in.idle_since = IdleAt("2026-12-03T11:00:00Z");
  d = DecideIdle(in);
  EXPECT_EQ(d.step, IdleStep::kSetIdleSince);
  EXPECT_EQ(d.idle_since, in.now);
}

TEST(IdleDecisionTest, HibernateActionThenTeardownAfterCountsHibernation) {
  ClusterRequest req = Gpu(IdleAction::kHibernate);
  req.idle->teardown_after = 24 * 3600;
  req.idle->teardown_after_text = "24h";
  IdleInput in = Input(req, Idle(), "2026-12-03T10:30:00Z");
  in.idle_since = IdleAt("2026-12-03T10:00:00Z");
  IdleDecision d = DecideIdle(in);
  EXPECT_EQ(d.step, IdleStep::kHibernate);
  EXPECT_EQ(HibernateCommitMessage(req, d).substr(0, 26),
            "idle: hibernate llm-train:");

  req.hibernate = true;  // the commit landed
  in = Input(req, Idle(), "2026-12-03T10:35:00Z");
  in.idle_since = IdleAt("2026-12-03T10:00:00Z");
  d = DecideIdle(in);
  EXPECT_EQ(d.state, "hibernated");
  EXPECT_EQ(d.step, IdleStep::kClearIdleSince) << "no clock while hibernated";
  EXPECT_EQ(d.hibernated_since, IdleAt("2026-12-03T10:35:00Z"));
  EXPECT_EQ(d.acts_at, IdleAt("2026-12-04T10:35:00Z"));

  in = Input(req, Idle(), "2026-12-04T10:35:00Z");
  in.hibernated_since = IdleAt("2026-12-03T10:35:00Z");
  d = DecideIdle(in);
  EXPECT_EQ(d.step, IdleStep::kTeardown);
  EXPECT_NE(IdleTeardownCommitMessage(req, d).find("hibernated since"),
            std::string::npos);

  // Unreadable or busy: a hibernated cluster is not torn down either.
  IdleObservation unreadable;
  unreadable.unreadable = "timeout";
  in.observation = unreadable;
  EXPECT_EQ(DecideIdle(in).step, IdleStep::kNone);
  in.observation = Busy("job ml/x is active");
  EXPECT_EQ(DecideIdle(in).step, IdleStep::kNone);
}

TEST(IdleDecisionTest, ResumeClearsTheHibernationClock) {
  ClusterRequest req = Gpu(IdleAction::kHibernate);
  IdleInput in = Input(req, Busy("job ml/x is active"), "2026-12-03T12:00:00Z");
  in.hibernated_since = IdleAt("2026-12-03T10:35:00Z");
  IdleDecision d = DecideIdle(in);
  EXPECT_FALSE(d.hibernated_since.has_value());
  EXPECT_EQ(d.state, "busy");
}

TEST(IdleDecisionTest, DeletionProtectionKeepsAnIdleCluster) {
  ClusterRequest req = Gpu();
  req.deletion_protection = true;
  IdleInput in = Input(req, Idle(), "2026-12-03T11:00:00Z");
  in.idle_since = IdleAt("2026-12-03T10:00:00Z");
  IdleDecision d = DecideIdle(in);
  EXPECT_EQ(d.step, IdleStep::kNone);
  EXPECT_TRUE(d.kept);
  EXPECT_NE(d.reason.find("deletionProtection"), std::string::npos);
}

TEST(IdleDecisionTest, NoIdleSpecClearsALeftOverClock) {
  ClusterRequest req = Gpu();
  req.idle.reset();
  IdleInput in = Input(req, Idle(), "2026-12-03T11:00:00Z");
  in.idle_since = IdleAt("2026-12-03T10:00:00Z");
  IdleDecision d = DecideIdle(in);
  EXPECT_EQ(d.step, IdleStep::kClearIdleSince);
  EXPECT_EQ(d.state, "off");
}

TEST(IdleDecisionTest, BusyActivityIsStampedCoarsely) {
  ClusterRequest req = Gpu();
  IdleInput in = Input(req, Busy("job a/b is active"), "2026-12-03T10:02:00Z");
  in.last_activity = IdleAt("2026-12-03T10:00:00Z");
  EXPECT_EQ(DecideIdle(in).last_activity, IdleAt("2026-12-03T10:00:00Z"))
      << "within 5m: not rewritten every pass";
  in.now = IdleAt("2026-12-03T10:06:00Z");
  EXPECT_EQ(DecideIdle(in).last_activity, in.now);
}

TEST(IdleStatusBlockTest, OnlyFactsThatChangeWithTheState) {
  ClusterRequest req = Gpu();
  IdleInput in = Input(req, Idle(), "2026-12-03T10:10:00Z");
  in.idle_since = IdleAt("2026-12-03T10:00:00Z");
  in.last_activity = IdleAt("2026-12-03T09:58:00Z");
  nlohmann::json a = IdleStatusBlock(DecideIdle(in));
  in.now = IdleAt("2026-12-03T10:20:00Z");
  nlohmann::json b = IdleStatusBlock(DecideIdle(in));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a["idleSince"], "2026-12-03T10:00:00Z");
  EXPECT_EQ(a["lastActivity"], "2026-12-03T09:58:00Z");
  EXPECT_EQ(a["next"], "teardown at 2026-12-03T10:30:00Z");
  // Busy, two passes apart: the same block.
  in.observation = Busy("pod a/b requests nvidia.com/gpu (Running)");
  nlohmann::json c = IdleStatusBlock(DecideIdle(in));
  in.now = IdleAt("2026-12-03T10:21:00Z");
  in.observation = Busy("pod a/c requests nvidia.com/gpu (Pending)");
  EXPECT_EQ(c, IdleStatusBlock(DecideIdle(in)));
  EXPECT_EQ(c, nlohmann::json({{"state", "busy"}}));
}

TEST(SetHibernateLineTest, ChangesOnlyThatLine) {
  const std::string file =
      "# GPU training cluster\n"
      "apiVersion: capigitops.io/v1alpha1\n"
      "kind: ClusterRequest\n"
      "metadata:\n"
      "  name: a   # the name\n"
      "spec:\n"
      "    owner: ml   # team\n"
      "    hibernate: false  # flipped by idle\n"
      "    nodePools:\n"
      "    - {name: gpu, replicas: 2}\n";
  StatusOr<std::string> out = SetHibernateLine(file, true);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  std::string want = file;
  want.replace(want.find("hibernate: false"), 16, "hibernate: true");
  EXPECT_EQ(*out, want);
  // And back.
  StatusOr<std::string> back = SetHibernateLine(*out, false);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, file);
  EXPECT_EQ(*SetHibernateLine(file, false), file) << "already false";
}

TEST(SetHibernateLineTest, AddsTheLineUnderSpecAtItsIndentation) {
  const std::string file =
      "apiVersion: capigitops.io/v1alpha1\r\n"
      "kind: ClusterRequest\r\n"
      "spec:  # the request\r\n"
      "  # who pays\r\n"
      "  owner: ml\r\n"
      "  nodePools:\r\n"
      "  - name: gpu\r\n"
      "    hibernate: true\r\n";  // a pool key, not spec's
  StatusOr<std::string> out = SetHibernateLine(file, true);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out,
            "apiVersion: capigitops.io/v1alpha1\r\n"
            "kind: ClusterRequest\r\n"
            "spec:  # the request\r\n"
            "  hibernate: true\r\n"
            "  # who pays\r\n"
            "  owner: ml\r\n"
            "  nodePools:\r\n"
            "  - name: gpu\r\n"
            "    hibernate: true\r\n");
  EXPECT_EQ(*SetHibernateLine(file, false), file) << "absent is false";
}

TEST(SetHibernateLineTest, RefusesWhatItCannotEditSafely) {
  EXPECT_FALSE(SetHibernateLine("kind: ClusterRequest\n", true).ok());
  EXPECT_FALSE(SetHibernateLine("spec: {owner: ml}\n", true).ok());
  EXPECT_FALSE(SetHibernateLine("spec:\nkind: x\n", true).ok());
}

}  // namespace
}  // namespace capigitops
