// The cluster-autoscaler of one cluster, run on the management cluster in
// the cluster's namespace: a Deployment, its ServiceAccount, and a Role and
// RoleBinding that let it scale this namespace's MachineDeployments.
//
// The shape is the clusterapi provider's "autoscaler running in management
// cluster using service account credentials, with separate workload cluster"
// (kubernetes/autoscaler cluster-autoscaler/cloudprovider/clusterapi/
// README.md): the management cluster through the pod's service account, the
// workload cluster (Nodes, Pods, its leader-election Lease) through
// `--kubeconfig`, CAPI's `<cluster>-kubeconfig` Secret mounted as it is. No
// management credential ever lands in the workload cluster.
#include <algorithm>
#include <cctype>
#include <string>

#include "render/common.h"

namespace capigitops::render {
namespace {

constexpr char kImage[] = "registry.k8s.io/autoscaling/cluster-autoscaler";
constexpr char kAppLabel[] = "app.kubernetes.io/name";
constexpr char kAppName[] = "cluster-autoscaler";
constexpr char kKubeconfigDir[] = "/etc/kubernetes/workload";
constexpr char kRbacApiVersion[] = "rbac.authorization.k8s.io/v1";

// The newest cluster-autoscaler release of each Kubernetes minor. Upstream
// versions the autoscaler "to match Kubernetes minor releases exactly" and
// recommends "the _latest_ Cluster Autoscaler release that corresponds to
// the minor version of Kubernetes that their cluster is running"
// (kubernetes/autoscaler cluster-autoscaler/README.md, "Releases"). The
// patch versions are the release tags cluster-autoscaler-1.<minor>.<patch>
// of kubernetes/autoscaler as of commit 55c37cd5 (2026-08-22); the images
// are published as registry.k8s.io/autoscaling/cluster-autoscaler:v<tag>.
struct MinorRelease {
  int minor;
  const char* tag;
};
constexpr MinorRelease kReleases[] = {
    {30, "v1.30.7"}, {31, "v1.31.5"}, {32, "v1.32.7"}, {33, "v1.33.6"},
    {34, "v1.34.5"}, {35, "v1.35.2"}, {36, "v1.36.1"},
};

// The minor of "v1.33.4" (33), or -1.
int KubernetesMinor(const std::string& version) {
  size_t dot = version.find('.');
  if (dot == std::string::npos) return -1;
  int minor = 0;
  size_t i = dot + 1;
  if (i >= version.size() ||
      !std::isdigit(static_cast<unsigned char>(version[i])))
    return -1;
  for (; i < version.size() &&
         std::isdigit(static_cast<unsigned char>(version[i]));
       ++i) {
    minor = minor * 10 + (version[i] - '0');
    if (minor > 1000) return -1;
  }
  return minor;
}

// The cluster's minor exactly; outside the table, the nearest release (a
// cluster newer than the table gets the newest autoscaler we know of, an
// older one the oldest): the cluster itself is valid either way.
const char* ImageTag(const std::string& version) {
  int minor = KubernetesMinor(version);
  const MinorRelease* best = &kReleases[std::size(kReleases) - 1];
  if (minor >= 0 && minor <= kReleases[0].minor) best = &kReleases[0];
  for (const MinorRelease& r : kReleases) {
    if (r.minor == minor) best = &r;
  }
  return best->tag;
}

// "awsmachinetemplates" for "AWSMachineTemplate".
std::string Plural(const std::string& kind) {
  std::string plural = kind + "s";
  std::transform(plural.begin(), plural.end(), plural.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return plural;
}

nlohmann::json Rule(const std::string& group,
                    std::initializer_list<std::string> resources,
                    std::initializer_list<std::string> verbs) {
  return {{"apiGroups", {group}},
          {"resources", nlohmann::json(resources)},
          {"verbs", nlohmann::json(verbs)}};
}

// What the clusterapi provider does on the management cluster, as the
// upstream chart's namespaced Role grants it for this shape
// (cluster-autoscaler/charts/cluster-autoscaler/templates/role.yaml,
// clusterAPIMode kubeconfig-incluster): informers on the scalable kinds and
// Machines, `update` on a Machine to mark it for deletion, the scale
// subresource to resize. Plus the provider's machine templates, which it
// reads for a group at zero ("RBAC changes for scaling from zero" in the
// clusterapi README); without them its informer never syncs and the
// scale-up from zero waits forever.
nlohmann::json RoleRules(const ProviderOps& ops) {
  return nlohmann::json::array(
      {Rule(kClusterGroup,
            {"machinedeployments", "machinepools", "machines", "machinesets"},
            {"get", "list", "update", "watch"}),
       Rule(kClusterGroup, {"machinedeployments/scale", "machinepools/scale"},
            {"get", "patch", "update"}),
       Rule(kInfraGroup, {Plural(ops.machine_template_kind)},
            {"get", "list", "watch"})});
}

nlohmann::json Container(const RenderContext& ctx) {
  const std::string& name = ctx.req.name;
  nlohmann::json args = nlohmann::json::array(
      {"--cloud-provider=clusterapi",
       "--node-group-auto-discovery=clusterapi:namespace=" + ctx.ns +
           ",clusterName=" + name,
       std::string("--kubeconfig=") + kKubeconfigDir + "/value",
       "--clusterapi-cloud-config-authoritative",
       // A node CAPI has not yet labelled is not ready for pods; as CAPI's
       // own e2e runs it (test/e2e/data/autoscaler/*.yaml).
       "--startup-taint=node.cluster.x-k8s.io/uninitialized"});
  return {
      {"name", kAppName},
      {"image", std::string(kImage) + ":" + ImageTag(ctx.version)},
      {"command", {"/cluster-autoscaler"}},
      {"args", std::move(args)},
      {"volumeMounts",
       {{{"name", "workload-kubeconfig"},
         {"mountPath", kKubeconfigDir},
         {"readOnly", true}}}},
      {"securityContext",
       {{"allowPrivilegeEscalation", false},
        {"readOnlyRootFilesystem", true},
        {"runAsNonRoot", true},
        // distroless/static:nonroot's user (the image's Dockerfile), given
        // as a number so the kubelet can check runAsNonRoot.
        {"runAsUser", 65532},
        {"capabilities", {{"drop", {"ALL"}}}}}},
  };
}

nlohmann::json DeploymentObject(const RenderContext& ctx,
                                const std::string& name,
                                const nlohmann::json& labels) {
  nlohmann::json obj = NewObject("apps/v1", "Deployment", name, ctx.ns, labels);
  nlohmann::json selector = {{kAppLabel, kAppName},
                             {kClusterLabel, ctx.req.name}};
  nlohmann::json pod = nlohmann::json::object();
  pod["serviceAccountName"] = name;
  pod["terminationGracePeriodSeconds"] = 10;
  pod["containers"] = nlohmann::json::array({Container(ctx)});
  // Only `value`: the Secret is CAPI's, and nothing else in it is needed.
  pod["volumes"] = {{{"name", "workload-kubeconfig"},
                     {"secret",
                      {{"secretName", ctx.req.name + "-kubeconfig"},
                       {"items", {{{"key", "value"}, {"path", "value"}}}}}}}};
  obj["spec"] = {
      {"replicas", 1},
      {"selector", {{"matchLabels", selector}}},
      {"template",
       {{"metadata", {{"labels", selector}}}, {"spec", std::move(pod)}}}};
  return obj;
}

}  // namespace

bool HasAutoscaledPool(const ClusterRequest& req) {
  return std::any_of(
      req.node_pools.begin(), req.node_pools.end(),
      [](const NodePool& p) { return p.autoscaling.has_value(); });
}

std::vector<nlohmann::json> ClusterAutoscalerObjects(const RenderContext& ctx,
                                                     const ProviderOps& ops) {
  if (!HasAutoscaledPool(ctx.req)) return {};
  std::string name = BoundedName(ctx.req.name, kAppName);
  nlohmann::json labels = BaseLabels(ctx.req);
  labels[kAppLabel] = kAppName;

  nlohmann::json account =
      NewObject("v1", "ServiceAccount", name, ctx.ns, labels);
  nlohmann::json role =
      NewObject(kRbacApiVersion, "Role", name, ctx.ns, labels);
  role["rules"] = RoleRules(ops);
  nlohmann::json binding =
      NewObject(kRbacApiVersion, "RoleBinding", name, ctx.ns, labels);
  binding["roleRef"] = {{"apiGroup", "rbac.authorization.k8s.io"},
                        {"kind", "Role"},
                        {"name", name}};
  binding["subjects"] = {
      {{"kind", "ServiceAccount"}, {"name", name}, {"namespace", ctx.ns}}};
  // Moved in one by one: a braced list would copy each object.
  std::vector<nlohmann::json> objects;
  objects.reserve(4);
  objects.push_back(std::move(account));
  objects.push_back(std::move(role));
  objects.push_back(std::move(binding));
  objects.push_back(DeploymentObject(ctx, name, labels));
  return objects;
}

}  // namespace capigitops::render
