// maxLifetime in a plan of the repository: the cluster's createdAt comes
// from its status file (status/<name>.yaml), so an extension pull request
// is checked against the cluster's whole life, not from today (issue #14).
#include <gtest/gtest.h>

#include "app/builtin_policies.h"
#include "capigitops/duration.h"
#include "capigitops/loader.h"
#include "capigitops/reconcile.h"
#include "testing/subprocess.h"

namespace capigitops {
namespace {

const ClusterResult& Finetune(const Evaluation& ev) {
  for (const ClusterResult& c : ev.clusters) {
    if (c.request.name == "finetune-westeurope") return c;
  }
  ADD_FAILURE() << "finetune-westeurope not evaluated";
  return ev.clusters.front();
}

TEST(EvaluateLifetimeTest, MaxLifetimeCountsFromTheStatusFilesCreatedAt) {
  StatusOr<FileSet> read =
      ReadRepoDirectory(testutil::SourcePath("sample-repo"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  FileSet files = *read;
  files["policies/lifetime.yaml"] =
      "apiVersion: capigitops.io/v1alpha1\nkind: Policy\n"
      "metadata: {name: lifetime}\nspec:\n  rules:\n"
      "  - {name: cap, maxLifetime: 10d, action: enforce}\n";
  EvaluateOptions options;
  // finetune-westeurope expires 2026-12-04T18:00:00Z: 7d10h from now.
  options.now = *ParseRfc3339("2026-11-27T08:00:00Z");
  Evaluation fresh = Evaluate(files, BuiltinPolicyFiles(), options);
  EXPECT_FALSE(Finetune(fresh).denied);

  // Created on 2026-11-20: 14d18h of life by its expiry.
  files["status/finetune-westeurope.yaml"] =
      "cluster:\n  name: finetune-westeurope\n  phase: Provisioned\n"
      "  createdAt: 2026-11-20T00:00:00Z\n";
  Evaluation old = Evaluate(files, BuiltinPolicyFiles(), options);
  const ClusterResult& r = Finetune(old);
  EXPECT_TRUE(r.denied);
  bool named = false;
  for (const Verdict& v : r.verdicts) {
    named |= v.message.find("from createdAt 2026-11-20T00:00:00Z") !=
             std::string::npos;
  }
  EXPECT_TRUE(named);
}

}  // namespace
}  // namespace capigitops
