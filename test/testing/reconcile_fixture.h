// The fixture of the in-process reconcile tests: the sample repository in a
// FakeGitSource, an empty FakeKubeApi as the management cluster, and one
// pass at a given time through either (or through a wrapper of them).
#ifndef CAPIGITOPS_TEST_TESTING_RECONCILE_FIXTURE_H_
#define CAPIGITOPS_TEST_TESTING_RECONCILE_FIXTURE_H_

#include <gtest/gtest.h>

#include <string>

#include "app/builtin_policies.h"
#include "capigitops/duration.h"
#include "capigitops/loader.h"
#include "capigitops/reconcile.h"
#include "git/fake_git_source.h"
#include "testing/fake_kube_api.h"
#include "testing/subprocess.h"

namespace capigitops::testing {

class ReconcileFixture : public ::testing::Test {
 protected:
  ReconcileFixture() {
    StatusOr<FileSet> files =
        ReadRepoDirectory(testutil::SourcePath("sample-repo"));
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    FakeGitSource::Changes changes;
    for (const auto& [path, text] : *files) changes[path] = text;
    git_.PushFiles(changes, "the sample repository");
  }

  // One pass at `now` (RFC 3339) through `git` and `kube`, by default the
  // fixture's own.
  PassResult Pass(const std::string& now, GitSource* git = nullptr,
                  KubeApi* kube = nullptr) {
    return Pass(Options(now), git, kube);
  }
  PassResult Pass(const ReconcileOptions& o, GitSource* git = nullptr,
                  KubeApi* kube = nullptr) {
    GitSource* source = git ? git : &git_;
    PassDeps deps{source, source, kube ? kube : &kube_, &BuiltinPolicyFiles()};
    return RunPass(deps, o);
  }
  // The options of a pass at `now`, to adjust before Pass(options).
  static ReconcileOptions Options(const std::string& now) {
    ReconcileOptions o;
    o.now = *ParseRfc3339(now);
    o.sync.now = o.now;
    o.sync.wait_seconds = 1;
    return o;
  }

  // The pass's notes, one a line.
  static std::string Notes(const PassResult& r) {
    std::string out;
    for (const PassNote& n : r.notes) out += n.text + "\n";
    return out;
  }

  static const ClusterPassResult* Find(const PassResult& r,
                                       const std::string& name) {
    for (const ClusterPassResult& c : r.clusters) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }

  nlohmann::json LiveCluster(const std::string& name) {
    return kube_.Stored("cluster.x-k8s.io/v1beta2", "Cluster", "capi-clusters",
                        name);
  }
  bool Live(const std::string& name) { return !LiveCluster(name).is_null(); }

  FakeGitSource git_;
  FakeKubeApi kube_;
};

}  // namespace capigitops::testing

#endif  // CAPIGITOPS_TEST_TESTING_RECONCILE_FIXTURE_H_
