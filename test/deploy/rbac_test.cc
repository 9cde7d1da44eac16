// deploy/rbac.yaml and rbac-workloads.yaml: least privilege that still
// covers everything the code does. The covered kinds are not listed here by
// hand: they come from running the expander on every provider, so a new kind
// in src/render fails this test until a role grants it.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "capigitops/inventory.h"
#include "capigitops/loader.h"
#include "capigitops/render.h"
#include "deploy/manifests.h"
#include "testing/subprocess.h"

namespace capigitops::testutil {
namespace {

using json = nlohmann::json;
using GroupResource = std::pair<std::string, std::string>;

constexpr char kSystemNamespace[] = "capi-gitops-system";
// The namespaced Roles of rbac-workloads.yaml.
constexpr char kAutoscalersRole[] = "capi-gitops-cluster-autoscalers";
constexpr char kWorkloadStatusRole[] = "capi-gitops-workload-status";

// OpenStack has no cluster in sample-repo; this one goes through the same
// loader and validation as a user's file.
constexpr char kOpenstackRequest[] = R"(apiVersion: capigitops.io/v1alpha1
kind: ClusterRequest
metadata:
  name: rbac-probe-openstack
spec:
  owner: platform
  provider: openstack
  controlPlane: {replicas: 1, machineType: m1.large}
  nodePools:
  - name: workers
    machineType: m1.large
    replicas: 1
  ttl: 4h
)";

// Every (group, resource) of every object the expander emits for the
// sample repository plus the provider variants it does not show.
// `roles`, when given, gets every Role the expander emits (the autoscalers').
std::map<GroupResource, std::string> EmittedResources(
    std::vector<json>* roles = nullptr) {
  StatusOr<FileSet> files = ReadRepoDirectory(SourcePath("sample-repo"));
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  if (!files.ok()) return {};
  (*files)["clusters/rbac-probe-openstack.yaml"] = kOpenstackRequest;
  LoadedRepo repo = LoadRepo(*files);
  for (const Diagnostic& d : repo.diags) {
    EXPECT_NE(d.severity, Severity::kError) << d.ToString();
  }
  std::vector<ClusterRequest> requests = repo.requests;
  // Every AWS identity kind the settings allow.
  for (const ClusterRequest& r : repo.requests) {
    if (r.provider != Provider::kAws) continue;
    for (const char* kind :
         {"AWSClusterRoleIdentity", "AWSClusterStaticIdentity",
          "AWSClusterControllerIdentity"}) {
      ClusterRequest variant = r;
      variant.settings.Mutable().aws.identity_kind = kind;
      variant.settings.Mutable().aws.role_arn =
          "arn:aws:iam::123456789012:role/probe";
      variant.settings.Mutable().aws.secret_ref = "aws-static-credentials";
      requests.push_back(variant);
    }
  }
  std::map<GroupResource, std::string> out;  // -> an example "Kind/name"
  std::set<Provider> providers;
  for (const ClusterRequest& r : requests) {
    StatusOr<std::vector<json>> objects = Expand(r, repo.config, {});
    EXPECT_TRUE(objects.ok()) << r.name << ": " << objects.status().ToString();
    if (!objects.ok()) continue;
    providers.insert(r.provider);
    for (const json& o : *objects) {
      if (roles && o["kind"] == "Role") roles->push_back(o);
      out[{GroupOf(o["apiVersion"]), ResourceOf(o["kind"])}] =
          o["kind"].get<std::string>() + "/" +
          o["metadata"]["name"].get<std::string>();
    }
  }
  EXPECT_EQ(providers.size(), ProviderNames().size())
      << "expand a request of every provider";
  // The add-on catalog's objects.
  StatusOr<std::vector<json>> catalog =
      ExpandCatalog(repo.catalog, repo.config.namespace_name);
  EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
  EXPECT_FALSE(repo.catalog.empty()) << "sample-repo has a catalog";
  if (catalog.ok()) {
    for (const json& o : *catalog) {
      out[{GroupOf(o["apiVersion"]), ResourceOf(o["kind"])}] =
          o["kind"].get<std::string>() + "/" +
          o["metadata"]["name"].get<std::string>();
    }
  }
  return out;
}

// Kinds the target namespace's Roles grant instead of the ClusterRole: the
// inventory's and the catalog's ConfigMaps, the catalog's objects.
bool NamespacedOnly(const GroupResource& gr) {
  return gr == GroupResource{"", "configmaps"} ||
         gr == GroupResource{"addons.cluster.x-k8s.io", "helmchartproxies"} ||
         gr == GroupResource{"addons.cluster.x-k8s.io", "clusterresourcesets"};
}

class DeployRbacTest : public ::testing::Test {
 protected:
  void SetUp() override {
    objects_ = KustomizationObjects();
    cluster_role_ = FindObject(objects_, "ClusterRole", "capi-gitops");
    ASSERT_NE(cluster_role_, nullptr);
  }
  std::vector<Manifest> objects_;
  const json* cluster_role_ = nullptr;
};

// The ClusterRole, or for the autoscaler's objects the namespaced Role in
// the target namespace, grants what sync does with each emitted kind.
TEST_F(DeployRbacTest, RolesCoverEveryObjectTheExpanderEmits) {
  std::map<GroupResource, std::string> emitted = EmittedResources();
  ASSERT_GT(emitted.size(), 15u);
  const json* autoscalers = FindObject(objects_, "Role", kAutoscalersRole);
  const json* addons = FindObject(objects_, "Role", "capi-gitops-addons");
  const json* inventory = FindObject(objects_, "Role", "capi-gitops-inventory");
  ASSERT_NE(autoscalers, nullptr);
  ASSERT_NE(addons, nullptr);
  ASSERT_NE(inventory, nullptr);
  for (const auto& [gr, example] : emitted) {
    std::set<std::string> verbs =
        GrantedVerbs(*cluster_role_, gr.first, gr.second);
    for (const std::string& v :
         GrantedVerbs(*autoscalers, gr.first, gr.second)) {
      verbs.insert(v);
    }
    if (NamespacedOnly(gr)) {
      EXPECT_TRUE(GrantedVerbs(*cluster_role_, gr.first, gr.second).empty())
          << gr.second << " granted cluster-wide";
      for (const json* role : {addons, inventory}) {
        for (const std::string& v : GrantedVerbs(*role, gr.first, gr.second))
          verbs.insert(v);
      }
    }
    for (const char* verb :
         {"get", "list", "watch", "create", "patch", "delete"}) {
      EXPECT_TRUE(verbs.count(verb))
          << "no role grants " << verb << " on " << gr.second << "." << gr.first
          << " (emitted as " << example << ")";
    }
  }
  // Deployments, ServiceAccounts and RBAC only in the target namespace.
  for (const auto& [group, resource] : std::vector<GroupResource>{
           {"apps", "deployments"},
           {"", "serviceaccounts"},
           {"rbac.authorization.k8s.io", "roles"},
           {"rbac.authorization.k8s.io", "rolebindings"}}) {
    EXPECT_TRUE(GrantedVerbs(*cluster_role_, group, resource).empty())
        << resource;
  }
}

// The API server lets capi-gitops create the autoscaler's Role (and bind
// it) only if capi-gitops holds every permission in it: no `escalate` or
// `bind` needed, and none granted.
TEST_F(DeployRbacTest, CapiGitopsHoldsEveryPermissionTheAutoscalerRoleGrants) {
  std::vector<json> roles;
  EmittedResources(&roles);
  ASSERT_FALSE(roles.empty());
  const json* autoscalers = FindObject(objects_, "Role", kAutoscalersRole);
  ASSERT_NE(autoscalers, nullptr);
  StatusOr<FileSet> files = ReadRepoDirectory(SourcePath("sample-repo"));
  ASSERT_TRUE(files.ok());
  std::string ns = LoadRepo(*files).config.namespace_name;
  EXPECT_EQ((*autoscalers)["metadata"]["namespace"], ns);
  size_t checked = 0;
  for (const json& role : roles) {
    for (const json& rule : role["rules"]) {
      for (const json& group : rule["apiGroups"]) {
        for (const json& resource : rule["resources"]) {
          std::set<std::string> held =
              GrantedVerbs(*cluster_role_, group, resource);
          for (const std::string& v :
               GrantedVerbs(*autoscalers, group, resource)) {
            held.insert(v);
          }
          for (const json& verb : rule["verbs"]) {
            EXPECT_TRUE(held.count(verb))
                << role["metadata"]["name"] << ": " << verb << " " << resource
                << "." << group;
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 20u);
}

TEST_F(DeployRbacTest, WorkloadStatusRoleReadsSecretsByNameOnly) {
  const json* role = FindObject(objects_, "Role", kWorkloadStatusRole);
  ASSERT_NE(role, nullptr);
  StatusOr<FileSet> files = ReadRepoDirectory(SourcePath("sample-repo"));
  ASSERT_TRUE(files.ok());
  EXPECT_EQ((*role)["metadata"]["namespace"],
            LoadRepo(*files).config.namespace_name);
  EXPECT_EQ(GrantedVerbs(*role, "", "secrets"), (std::set<std::string>{"get"}));
  for (const char* resource :
       {"helmreleaseproxies", "clusterresourcesetbindings"}) {
    EXPECT_EQ(GrantedVerbs(*role, "addons.cluster.x-k8s.io", resource),
              (std::set<std::string>{"get", "list", "watch"}))
        << resource;
  }
}

TEST_F(DeployRbacTest, ClusterRoleWritesNothingTheExpanderDoesNotEmit) {
  std::map<GroupResource, std::string> emitted = EmittedResources();
  for (const json& rule : (*cluster_role_)["rules"]) {
    std::set<std::string> verbs(rule["verbs"].begin(), rule["verbs"].end());
    bool writes = verbs.count("create") || verbs.count("patch") ||
                  verbs.count("update") || verbs.count("delete");
    for (const json& group : rule["apiGroups"]) {
      for (const json& resource : rule["resources"]) {
        GroupResource gr{group, resource};
        if (writes) {
          EXPECT_TRUE(emitted.count(gr))
              << "ClusterRole may write " << gr.second << "." << gr.first
              << ", which capi-gitops never emits";
        } else {
          EXPECT_EQ(verbs, (std::set<std::string>{"get", "list", "watch"}))
              << gr.second;
        }
      }
    }
  }
  // Read only: the executor lists MachineSets so a rollout's template is
  // never pruned; CAPA's controller identity and the VSphereClusterIdentity
  // are referenced, never written.
  EXPECT_EQ(GrantedVerbs(*cluster_role_, "cluster.x-k8s.io", "machinesets"),
            (std::set<std::string>{"get", "list", "watch"}));
  EXPECT_EQ(GrantedVerbs(*cluster_role_, "infrastructure.cluster.x-k8s.io",
                         "awsclustercontrolleridentities"),
            (std::set<std::string>{"get", "list", "watch"}));
  EXPECT_EQ(GrantedVerbs(*cluster_role_, "infrastructure.cluster.x-k8s.io",
                         "vsphereclusteridentities"),
            (std::set<std::string>{"get", "list", "watch"}));
}

TEST_F(DeployRbacTest, NoWildcardsSecretsOrPrivilegeEscalation) {
  for (const Manifest& m : objects_) {
    std::string kind = m.object.value("kind", "");
    if (kind != "Role" && kind != "ClusterRole") continue;
    std::string id =
        kind + "/" + m.object["metadata"]["name"].get<std::string>();
    EXPECT_FALSE(m.object.contains("aggregationRule")) << id;
    for (const json& rule : m.object["rules"]) {
      EXPECT_FALSE(rule.contains("nonResourceURLs")) << id;
      EXPECT_FALSE(rule.contains("resourceNames")) << id;
      for (const char* field : {"apiGroups", "resources", "verbs"}) {
        ASSERT_TRUE(rule[field].is_array()) << id << " " << field;
        for (const json& v : rule[field]) {
          std::string s = v;
          EXPECT_EQ(s.find('*'), std::string::npos) << id << " " << field;
        }
      }
      for (const json& r : rule["resources"]) {
        std::string s = r;
        // Exceptions, each in one Role: reading kubeconfig Secrets by name,
        // and the scale subresource the autoscaler's Role grants.
        if (s == "secrets") {
          EXPECT_EQ(id, std::string("Role/") + kWorkloadStatusRole);
          EXPECT_EQ(rule["verbs"], json({"get"})) << id;
        }
        if (s.find('/') != std::string::npos) {
          EXPECT_EQ(id, std::string("Role/") + kAutoscalersRole)
              << id << ": subresource " << s;
          EXPECT_TRUE(s.ends_with("/scale")) << id << ": subresource " << s;
        }
      }
      for (const json& v : rule["verbs"]) {
        EXPECT_TRUE(v != "escalate" && v != "bind" && v != "impersonate")
            << id << ": " << v;
      }
    }
  }
}

TEST_F(DeployRbacTest, InventoryRoleGrantsConfigMapsInTheTargetNamespaceOnly) {
  StatusOr<FileSet> files = ReadRepoDirectory(SourcePath("sample-repo"));
  ASSERT_TRUE(files.ok());
  std::string ns = LoadRepo(*files).config.namespace_name;
  json cm = Inventory{}.ToConfigMap(ns);
  const json* role = FindObject(objects_, "Role", "capi-gitops-inventory");
  ASSERT_NE(role, nullptr);
  EXPECT_EQ((*role)["metadata"]["namespace"], cm["metadata"]["namespace"]);
  EXPECT_EQ(
      GrantedVerbs(*role, GroupOf(cm["apiVersion"]), ResourceOf(cm["kind"])),
      (std::set<std::string>{"get", "list", "watch", "create", "patch",
                             "update", "delete"}));
  // Nowhere else: not cluster-wide.
  EXPECT_TRUE(GrantedVerbs(*cluster_role_, "", "configmaps").empty());
}

TEST_F(DeployRbacTest, AddonsRoleGrantsTheCatalogKindsInTheTargetNamespace) {
  StatusOr<FileSet> files = ReadRepoDirectory(SourcePath("sample-repo"));
  ASSERT_TRUE(files.ok());
  std::string ns = LoadRepo(*files).config.namespace_name;
  const json* role = FindObject(objects_, "Role", "capi-gitops-addons");
  ASSERT_NE(role, nullptr);
  EXPECT_EQ((*role)["metadata"]["namespace"], ns);
  for (const char* resource : {"helmchartproxies", "clusterresourcesets"}) {
    EXPECT_EQ(GrantedVerbs(*role, "addons.cluster.x-k8s.io", resource),
              (std::set<std::string>{"get", "list", "watch", "create", "patch",
                                     "update", "delete"}))
        << resource;
  }
  // Nothing else, and the bindings include it.
  EXPECT_EQ((*role)["rules"].size(), 1u);
  EXPECT_NE(FindObject(objects_, "RoleBinding", "capi-gitops-addons"), nullptr);
}

TEST_F(DeployRbacTest, LeaderElectionRoleGrantsLeasesInTheSystemNamespace) {
  const json* role =
      FindObject(objects_, "Role", "capi-gitops-leader-election");
  ASSERT_NE(role, nullptr);
  EXPECT_EQ((*role)["metadata"]["namespace"], kSystemNamespace);
  EXPECT_EQ(GrantedVerbs(*role, "coordination.k8s.io", "leases"),
            (std::set<std::string>{"get", "create", "update"}));
}

TEST_F(DeployRbacTest, BindingsGrantExistingRolesToTheServiceAccount) {
  int bindings = 0;
  for (const Manifest& m : objects_) {
    std::string kind = m.object.value("kind", "");
    if (kind != "RoleBinding" && kind != "ClusterRoleBinding") continue;
    ++bindings;
    const json& ref = m.object["roleRef"];
    std::string id =
        kind + "/" + m.object["metadata"]["name"].get<std::string>();
    EXPECT_EQ(ref["apiGroup"], "rbac.authorization.k8s.io") << id;
    const json* role = FindObject(objects_, ref["kind"], ref["name"]);
    ASSERT_NE(role, nullptr) << id << " binds a missing " << ref.dump();
    if (kind == "ClusterRoleBinding") {
      EXPECT_EQ(ref["kind"], "ClusterRole") << id;
    }
    if (ref["kind"] == "Role") {
      EXPECT_EQ((*role)["metadata"]["namespace"],
                m.object["metadata"]["namespace"])
          << id << ": a Role binds only in its own namespace";
    }
    ASSERT_EQ(m.object["subjects"].size(), 1u) << id;
    const json& subject = m.object["subjects"][0];
    EXPECT_EQ(subject["kind"], "ServiceAccount") << id;
    EXPECT_EQ(subject["namespace"], kSystemNamespace) << id;
    const json* sa = FindObject(objects_, "ServiceAccount", subject["name"]);
    ASSERT_NE(sa, nullptr) << id;
    EXPECT_EQ((*sa)["metadata"]["namespace"], kSystemNamespace);
  }
  // The ClusterRole, the inventory, the add-on catalog, the Lease, the
  // autoscalers, the workload status and the events.
  EXPECT_EQ(bindings, 7);
}

// Events on Clusters (src/reconcile/events.cc) are all the RBAC they add:
// create and patch on core events, in the Clusters' namespace, and no other
// role touches events.
TEST_F(DeployRbacTest, EventsAddExactlyCreateAndPatchInTheTargetNamespace) {
  StatusOr<FileSet> files = ReadRepoDirectory(SourcePath("sample-repo"));
  ASSERT_TRUE(files.ok());
  const json* role = FindObject(objects_, "Role", "capi-gitops-events");
  ASSERT_NE(role, nullptr);
  EXPECT_EQ((*role)["metadata"]["namespace"],
            LoadRepo(*files).config.namespace_name);
  EXPECT_EQ((*role)["rules"].size(), 1u);
  EXPECT_EQ(GrantedVerbs(*role, "", "events"),
            (std::set<std::string>{"create", "patch"}));
  for (const Manifest& m : objects_) {
    std::string kind = m.object.value("kind", "");
    if ((kind != "Role" && kind != "ClusterRole") || &m.object == role)
      continue;
    for (const char* group : {"", "events.k8s.io"}) {
      EXPECT_TRUE(GrantedVerbs(m.object, group, "events").empty())
          << kind << "/" << m.object["metadata"]["name"];
    }
  }
  EXPECT_NE(FindObject(objects_, "RoleBinding", "capi-gitops-events"), nullptr);
  // The code sends what the rule allows: a POST, then a server-side apply
  // (PATCH) of lastTimestamp; never a GET, LIST, PUT or DELETE of events.
  std::string code = ReadSourceFile("src/reconcile/events.cc");
  EXPECT_NE(code.find("kube.Create(events"), std::string::npos);
  EXPECT_NE(code.find("kube.Apply(patch"), std::string::npos);
  for (const char* verb :
       {"kube.Get(", "kube.Replace(", "kube.Delete(", "List(*events"}) {
    EXPECT_EQ(code.find(verb), std::string::npos) << verb;
  }
}

// deploy/components/ci-plan-reader: the identity of `plan` in CI reads every
// kind plan lists (what the expander emits) and writes nothing.
TEST(DeployCiRoleTest, PlanReaderReadsEveryEmittedKindAndWritesNothing) {
  std::vector<std::string> errors;
  std::vector<Manifest> objects =
      ReadManifests("deploy/components/ci-plan-reader/rbac.yaml", &errors);
  ASSERT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  const json* cluster_role =
      FindObject(objects, "ClusterRole", "capi-gitops-plan");
  const json* role = FindObject(objects, "Role", "capi-gitops-plan");
  ASSERT_NE(cluster_role, nullptr);
  ASSERT_NE(role, nullptr);
  StatusOr<FileSet> files = ReadRepoDirectory(SourcePath("sample-repo"));
  ASSERT_TRUE(files.ok());
  EXPECT_EQ((*role)["metadata"]["namespace"],
            LoadRepo(*files).config.namespace_name);
  const std::set<std::string> read = {"get", "list", "watch"};
  std::map<GroupResource, std::string> emitted = EmittedResources();
  ASSERT_GT(emitted.size(), 15u);
  for (const auto& [gr, example] : emitted) {
    std::set<std::string> verbs =
        GrantedVerbs(*cluster_role, gr.first, gr.second);
    for (const std::string& v : GrantedVerbs(*role, gr.first, gr.second))
      verbs.insert(v);
    EXPECT_EQ(verbs, read) << gr.second << "." << gr.first << " (" << example
                           << ")";
  }
  // Nothing beyond those kinds, and only reads.
  for (const json* r : {cluster_role, role}) {
    for (const json& rule : (*r)["rules"]) {
      EXPECT_EQ(
          std::set<std::string>(rule["verbs"].begin(), rule["verbs"].end()),
          read);
      EXPECT_FALSE(rule.contains("nonResourceURLs"));
      for (const json& group : rule["apiGroups"]) {
        for (const json& resource : rule["resources"]) {
          EXPECT_TRUE(emitted.count({group, resource}))
              << "plan never reads " << resource << "." << group;
        }
      }
    }
  }
  // Bound to its own ServiceAccount, never to the controller's.
  int bindings = 0;
  for (const Manifest& m : objects) {
    std::string kind = m.object.value("kind", "");
    if (kind != "RoleBinding" && kind != "ClusterRoleBinding") continue;
    ++bindings;
    EXPECT_EQ(m.object["roleRef"]["name"], "capi-gitops-plan");
    ASSERT_EQ(m.object["subjects"].size(), 1u);
    EXPECT_EQ(m.object["subjects"][0]["name"], "capi-gitops-plan");
    EXPECT_EQ(m.object["subjects"][0]["namespace"], kSystemNamespace);
  }
  EXPECT_EQ(bindings, 2);
  EXPECT_NE(FindObject(objects, "ServiceAccount", "capi-gitops-plan"), nullptr);
}

}  // namespace
}  // namespace capigitops::testutil
