// The one mapping from a pass's result to the process exit code
// (docs/exit-codes.md).
#include <gtest/gtest.h>

#include "app/cli.h"
#include "capigitops/reconcile.h"

namespace capigitops {
namespace {

PassResult WithHeldDeletion() {
  PassResult r;
  ClusterPassResult held;
  held.name = "sovereign";
  held.outcome = ClusterOutcome::kHeld;
  r.clusters.push_back(held);
  return r;
}

TEST(ExitCodeTest, AHeldDeletionHasItsOwnCode) {
  EXPECT_EQ(ExitCodeFor(PassResult{}), 0);
  PassResult r = WithHeldDeletion();
  EXPECT_EQ(ExitCodeFor(r), kExitDeletionHeld);
  EXPECT_EQ(kExitDeletionHeld, 6);
  // No other code means the same.
  for (int other : {kExitOk, kExitInvalid, kExitUsage, kExitSourceError,
                    kExitApiError, kExitApplyFailed}) {
    EXPECT_NE(other, kExitDeletionHeld);
  }
}

TEST(ExitCodeTest, InvalidInputAndErrorsComeBeforeAHeldDeletion) {
  PassResult r = WithHeldDeletion();
  r.invalid = true;  // often why deletions are held: fixing it releases them
  EXPECT_EQ(ExitCodeFor(r), kExitInvalid);
  r.git_write = Status::Conflict("push rejected");
  EXPECT_EQ(ExitCodeFor(r), kExitSourceError);
}

}  // namespace
}  // namespace capigitops
