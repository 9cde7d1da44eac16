// ParseCrd, LoadCrdDirectory and CrdRegistry.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "capigitops/schema.h"
#include "schema/crd_testing.h"

namespace capigitops::schema {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using testing::Describe;
using testing::Doc;

TEST(ParseCrdTest, ReadsTheRealClusterCrd) {
  SKIP_WITHOUT_CRDS();
  fs::path file = fs::path(testing::CrdDir()) / "cluster-api" /
                  "cluster.x-k8s.io_clusters.yaml";
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  Diagnostics diags;
  auto docs = yaml::ParseDocuments(
      text.str(), file.string(), &diags,
      {.max_bytes = 8u << 20, .max_depth = 1024, .max_nodes = 10000000});
  ASSERT_EQ(docs.size(), 1u) << (diags.empty() ? "" : diags[0].ToString());
  StatusOr<Crd> crd = ParseCrd(yaml::ToJson(docs[0]));
  ASSERT_TRUE(crd.ok()) << crd.status().ToString();

  EXPECT_EQ(crd->group, "cluster.x-k8s.io");
  EXPECT_EQ(crd->kind, "Cluster");
  EXPECT_EQ(crd->list_kind, "ClusterList");
  EXPECT_EQ(crd->plural, "clusters");
  EXPECT_EQ(crd->singular, "cluster");
  EXPECT_EQ(crd->scope, "Namespaced");
  EXPECT_EQ(crd->short_names, std::vector<std::string>{"cl"});
  EXPECT_EQ(crd->categories, std::vector<std::string>{"cluster-api"});
  ASSERT_EQ(crd->versions.size(), 2u);
  const CrdVersion* v1beta1 = crd->FindVersion("v1beta1");
  ASSERT_NE(v1beta1, nullptr);
  EXPECT_TRUE(v1beta1->served);
  EXPECT_TRUE(v1beta1->deprecated);
  EXPECT_FALSE(v1beta1->storage);
  ASSERT_NE(crd->StorageVersion(), nullptr);
  EXPECT_EQ(crd->StorageVersion()->name, "v1beta2");
  EXPECT_TRUE(crd->StorageVersion()->served);
  EXPECT_FALSE(crd->StorageVersion()->deprecated);
  EXPECT_TRUE(crd->StorageVersion()->status_subresource);
  EXPECT_TRUE(crd->StorageVersion()->schema["properties"].contains("spec"));
  EXPECT_EQ(crd->raw["metadata"]["name"], "clusters.cluster.x-k8s.io");
  EXPECT_EQ(crd->FindVersion("v1alpha3"), nullptr);
}

const char kMinimalCrd[] = R"(
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
)";

TEST(ParseCrdTest, RejectsWhatIsNotAUsableCrd) {
  json crd = Doc(kMinimalCrd);
  ASSERT_TRUE(ParseCrd(crd).ok());

  json no_storage = crd;
  no_storage["spec"]["versions"][0]["storage"] = false;
  EXPECT_NE(ParseCrd(no_storage).status().message().find("storage"),
            std::string::npos);

  json no_schema = crd;
  no_schema["spec"]["versions"][0].erase("schema");
  EXPECT_FALSE(ParseCrd(no_schema).ok());

  json no_group = crd;
  no_group["spec"].erase("group");
  EXPECT_EQ(ParseCrd(no_group).status().message(),
            "spec.group: Required value");

  json beta = crd;
  beta["apiVersion"] = "apiextensions.k8s.io/v1beta1";
  EXPECT_FALSE(ParseCrd(beta).ok());
  EXPECT_FALSE(ParseCrd(json{{"kind", "ConfigMap"}}).ok());
  EXPECT_FALSE(ParseCrd(json::array()).ok());
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("schema_test_" + std::to_string(::getpid()) + "_" +
             std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  void Write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel) << text;
  }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

std::string CrdYaml(const std::string& group, const std::string& kind) {
  json crd = Doc(kMinimalCrd);
  crd["spec"]["group"] = group;
  crd["spec"]["names"]["kind"] = kind;
  return yaml::Emit(crd);
}

TEST(LoadCrdDirectoryTest, ReadsManifestsRecursivelyInSortedOrder) {
  TempDir dir;
  dir.Write("b/z.yaml", CrdYaml("b.example.com", "Zed"));
  dir.Write("a.yml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
            "---\n" +
                CrdYaml("a.example.com", "Alpha"));
  dir.Write("c.json", Doc(CrdYaml("c.example.com", "Gamma")).dump());
  dir.Write("notes.txt", "not: [valid");
  StatusOr<std::vector<Crd>> crds = LoadCrdDirectory(dir.path());
  ASSERT_TRUE(crds.ok()) << crds.status().ToString();
  ASSERT_EQ(crds->size(), 3u);
  EXPECT_EQ((*crds)[0].kind, "Alpha");
  EXPECT_EQ((*crds)[1].kind, "Zed");  // "b/z.yaml" sorts before "c.json"
  EXPECT_EQ((*crds)[2].kind, "Gamma");
}

TEST(LoadCrdDirectoryTest, ErrorsNameTheFile) {
  EXPECT_TRUE(LoadCrdDirectory("/nonexistent/crds").status().IsNotFound());
  TempDir dir;
  dir.Write("broken.yaml", "a: [1, 2\n");
  Status s = LoadCrdDirectory(dir.path()).status();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("broken.yaml"), std::string::npos) << s.message();

  TempDir bad;
  json crd = Doc(kMinimalCrd);
  crd["spec"].erase("names");
  bad.Write("bad.yaml", yaml::Emit(crd));
  s = LoadCrdDirectory(bad.path()).status();
  EXPECT_NE(s.message().find("bad.yaml: spec.names.kind"), std::string::npos)
      << s.message();
}

TEST(LoadCrdDirectoryTest, LoadsEveryUpstreamProvider) {
  SKIP_WITHOUT_CRDS();
  const CrdRegistry& crds = testing::UpstreamCrds();
  for (auto [group, kind] : std::vector<std::pair<const char*, const char*>>{
           {"cluster.x-k8s.io", "Cluster"},
           {"cluster.x-k8s.io", "MachineDeployment"},
           {"controlplane.cluster.x-k8s.io", "KubeadmControlPlane"},
           {"bootstrap.cluster.x-k8s.io", "KubeadmConfigTemplate"},
           {"infrastructure.cluster.x-k8s.io", "GCPMachineTemplate"},
           {"infrastructure.cluster.x-k8s.io", "AWSMachineTemplate"},
           {"infrastructure.cluster.x-k8s.io", "AzureMachineTemplate"},
           {"infrastructure.cluster.x-k8s.io", "VSphereMachineTemplate"},
           {"infrastructure.cluster.x-k8s.io", "OpenStackMachineTemplate"},
           {"addons.cluster.x-k8s.io", "HelmChartProxy"}}) {
    const Crd* crd = crds.Find(group, kind);
    ASSERT_NE(crd, nullptr) << group << "/" << kind;
    EXPECT_NE(crd->StorageVersion(), nullptr) << kind;
  }
}

TEST(CrdRegistryTest, AddReplacesSameGroupAndKind) {
  CrdRegistry registry;
  StatusOr<Crd> first = ParseCrd(Doc(kMinimalCrd));
  ASSERT_TRUE(first.ok());
  registry.Add(*first);
  json changed = Doc(kMinimalCrd);
  changed["spec"]["versions"][0]["name"] = "v2";
  registry.Add(*ParseCrd(changed));
  ASSERT_EQ(registry.crds().size(), 1u);
  EXPECT_NE(registry.Find("example.com", "Widget")->FindVersion("v2"), nullptr);
  EXPECT_EQ(registry.Find("example.com", "Gadget"), nullptr);
  EXPECT_EQ(registry.Find("other.com", "Widget"), nullptr);
}

TEST(CrdRegistryTest, ValidatesAgainstTheNamedVersion) {
  CrdRegistry registry;
  registry.Add(*ParseCrd(Doc(kMinimalCrd)));
  json widget =
      Doc("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
          "spec: {size: big}\n");
  std::vector<SchemaError> errors = registry.ValidateObject(widget);
  ASSERT_EQ(errors.size(), 1u) << Describe(errors);
  EXPECT_EQ(errors[0].field, "spec.size");

  json no_kind = widget;
  no_kind.erase("kind");
  errors = registry.ValidateObject(no_kind);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].ToString(), "kind: Required value");
}

TEST(CrdRegistryTest, UnknownKindAndVersionAreErrors) {
  CrdRegistry registry;
  registry.Add(*ParseCrd(Doc(kMinimalCrd)));
  json gadget =
      Doc("apiVersion: example.com/v1\nkind: Gadget\n"
          "metadata: {name: g}\n");
  std::vector<SchemaError> errors = registry.ValidateObject(gadget);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "kind");
  EXPECT_EQ(errors[0].type, "FieldValueNotSupported");
  EXPECT_NE(errors[0].message.find(
                "no matches for kind \"Gadget\" in version \"example.com/v1\""),
            std::string::npos)
      << errors[0].message;

  json v9 =
      Doc("apiVersion: example.com/v9\nkind: Widget\n"
          "metadata: {name: w}\n");
  errors = registry.ValidateObject(v9);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "apiVersion");
  EXPECT_NE(errors[0].message.find("supported values: \"example.com/v1\""),
            std::string::npos)
      << errors[0].message;
}

TEST(CrdRegistryTest, UnservedUpstreamVersionIsAnError) {
  SKIP_WITHOUT_CRDS();
  // CAPA keeps v1beta1 in the CRD with served: false.
  json aws = Doc(R"(
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: AWSMachineTemplate
metadata: {name: m, namespace: fleet}
spec: {template: {spec: {instanceType: m5.large}}}
)");
  std::vector<SchemaError> errors = testing::UpstreamCrds().ValidateObject(aws);
  ASSERT_EQ(errors.size(), 1u) << Describe(errors);
  EXPECT_EQ(errors[0].field, "apiVersion");
  EXPECT_EQ(errors[0].type, "FieldValueNotSupported");
  EXPECT_NE(errors[0].message.find("not served"), std::string::npos)
      << errors[0].message;
  EXPECT_NE(
      errors[0].message.find("\"infrastructure.cluster.x-k8s.io/v1beta2\""),
      std::string::npos);

  aws["apiVersion"] = "infrastructure.cluster.x-k8s.io/v1beta2";
  errors = testing::UpstreamCrds().ValidateObject(aws);
  EXPECT_TRUE(errors.empty()) << Describe(errors);
}

}  // namespace
}  // namespace capigitops::schema
