// End to end: everything the renderer emits for sample-repo applies to
// capi-sandbox (loaded with the upstream CRDs) with kubectl 1.32, a second
// apply changes nothing, and every cluster becomes Provisioned and Available.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "capigitops/loader.h"
#include "capigitops/render.h"
#include "capigitops/yaml.h"
#include "sandbox/sandbox_process.h"

namespace capigitops::sandbox_test {
namespace {

struct Rendered {
  std::string yaml;  // every object as one multi-document stream
  std::string ns;
  std::vector<std::string> clusters;
};

Rendered RenderSampleRepo() {
  Rendered out;
  StatusOr<FileSet> files =
      ReadRepoDirectory(CAPIGITOPS_SOURCE_DIR "/sample-repo");
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  if (!files.ok()) return out;
  LoadedRepo repo = LoadRepo(*files);
  EXPECT_TRUE(repo.broken.empty());
  out.ns = repo.config.namespace_name;
  for (const ClusterRequest& req : repo.requests) {
    StatusOr<std::vector<nlohmann::json>> objects =
        Expand(req, repo.config, RenderOptions{});
    EXPECT_TRUE(objects.ok()) << objects.status().ToString();
    if (!objects.ok()) continue;
    for (const nlohmann::json& obj : *objects) {
      out.yaml += "---\n" + yaml::Emit(obj);
      if (obj.value("kind", "") == "Cluster") {
        out.clusters.push_back(obj["metadata"].value("name", ""));
      }
    }
  }
  return out;
}

TEST(SandboxSampleRepo, RenderedObjectsApplyAndClustersBecomeAvailable) {
  if (!Kubectl::Available()) GTEST_SKIP() << "kubectl 1.32 not installed";
  std::string crds = CapiCrdsDir();
  if (crds.empty()) GTEST_SKIP() << ::capigitops::testing::MissingCrdsMessage();
  Rendered rendered = RenderSampleRepo();
  ASSERT_FALSE(rendered.clusters.empty());

  std::string error;
  auto sandbox =
      SandboxProcess::Start({"--crds", crds, "--time-scale", "0"}, &error);
  ASSERT_NE(sandbox, nullptr) << error;
  Kubectl kubectl(*sandbox);
  // `kubectl create namespace` sends protobuf, which the sandbox does not
  // decode; a manifest goes as JSON.
  CommandResult ns = kubectl.Run(
      {"create", "-f", "-"},
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + rendered.ns +
          "\n");
  ASSERT_EQ(ns.exit_code, 0) << ns.err;

  CommandResult r =
      kubectl.Run({"apply", "--server-side", "-f", "-"}, rendered.yaml);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out << "\nsandbox log:\n"
                            << sandbox->log();

  auto all_available = [&] {
    for (const std::string& name : rendered.clusters) {
      CommandResult s = kubectl.Run(
          {"get", "-n", rendered.ns, "clusters.cluster.x-k8s.io/" + name, "-o",
           "jsonpath={.status.phase}/"
           "{.status.conditions[?(@.type==\"Available\")].status}"});
      if (s.out != "Provisioned/True") return false;
    }
    return true;
  };
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!all_available() && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  ASSERT_TRUE(all_available());

  // The simulator has settled; a second apply must not write anything.
  auto rv_of_all = [&] {
    return kubectl
        .Run({"get", "-n", rendered.ns,
              "clusters.cluster.x-k8s.io,machinedeployments.cluster.x-k8s.io,"
              "kubeadmcontrolplanes.controlplane.cluster.x-k8s.io",
              "-o", "jsonpath={.items[*].metadata.resourceVersion}"})
        .out;
  };
  std::string rvs = rv_of_all();
  r = kubectl.Run({"apply", "--server-side", "-f", "-"}, rendered.yaml);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(rv_of_all(), rvs);
}

}  // namespace
}  // namespace capigitops::sandbox_test
