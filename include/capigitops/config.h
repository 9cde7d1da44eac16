// RepoConfig: capi-gitops.yaml at the root of a cluster-definition repo.
// Everything provider-specific that teams should not repeat in every spec.
#ifndef CAPIGITOPS_CONFIG_H_
#define CAPIGITOPS_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace capigitops {

enum class Provider { kGcp, kAws, kAzure, kVsphere, kOpenstack, kDocker };

// "gcp", "aws", "azure", "vsphere", "openstack", "docker".
const char* ProviderName(Provider p);
std::optional<Provider> ParseProvider(std::string_view name);
std::vector<std::string> ProviderNames();

// A machine type the repository declares (providers.<p>.machineTypes.<type>):
// one the built-in shape table does not know, such as an OpenStack flavor.
// CPU and memory let a pool of it scale up from zero; gpus and gpuType say
// which GPUs the type brings.
struct DeclaredMachineType {
  int cpus = 0;            // 0: not declared
  int64_t memory_mib = 0;  // 0: not declared
  int gpus = 0;
  std::string gpu_type;  // e.g. nvidia-tesla-t4; set when gpus > 0
};

using DeclaredMachineTypes = std::map<std::string, DeclaredMachineType>;

// The service account GCE machines run as, and its OAuth scopes.
struct GcpServiceAccount {
  std::string email;  // empty: CAPG's default (project default SA, full scope)
  std::vector<std::string> scopes;  // empty: the role's default scopes
};

struct GcpSettings {
  std::string project;
  std::string network = "default";
  std::string image;         // full image reference; wins over image_family
  std::string image_family;  // e.g. projects/p/global/images/family/capi-1-33
  std::string disk_type = "pd-ssd";
  // Dedicated service accounts; unset, CAPG runs every machine as the
  // project's default compute account with the cloud-platform scope.
  GcpServiceAccount control_plane_service_account;
  GcpServiceAccount node_service_account;
  DeclaredMachineTypes machine_types;
};

struct AwsSettings {
  std::string region;  // default region when a spec names none
  // AWSClusterControllerIdentity (singleton "default"), AWSClusterRoleIdentity
  // or AWSClusterStaticIdentity.
  std::string identity_kind = "AWSClusterControllerIdentity";
  std::string identity_name = "default";
  std::string role_arn;    // AWSClusterRoleIdentity
  std::string secret_ref;  // AWSClusterStaticIdentity
  std::string ssh_key_name;
  std::string ami;  // ami-...; empty: CAPA's image lookup
  std::string control_plane_instance_profile =
      "control-plane.cluster-api-provider-aws.sigs.k8s.io";
  std::string node_instance_profile =
      "nodes.cluster-api-provider-aws.sigs.k8s.io";
  DeclaredMachineTypes machine_types;
};

struct AzureSettings {
  std::string subscription_id;
  std::string location;        // default when a spec names no region
  std::string resource_group;  // empty: the cluster name
  std::string identity_name = "cluster-identity";
  std::string identity_type = "WorkloadIdentity";
  std::string client_id;
  std::string tenant_id;
  std::string client_secret_name;  // for ServicePrincipal identities
  std::string ssh_public_key;      // base64, as CAPZ expects
  // Resource ID of the user-assigned identity the control plane's cloud
  // provider authenticates with (azure.json); empty: none.
  std::string control_plane_identity_id;
  DeclaredMachineTypes machine_types;
};

struct VsphereSize {
  int cpus = 2;
  int memory_mib = 4096;
  int disk_gib = 40;
};

struct VspherePciDevice {
  int vendor_id = 0;         // e.g. 4318 (0x10DE, NVIDIA)
  int device_id = 0;         // e.g. 7864 (0x1EB8, T4)
  std::string vgpu_profile;  // alternative to ids: e.g. grid_t4-16c
};

struct VsphereSettings {
  std::string server;
  std::string thumbprint;
  std::string datacenter;
  std::string datastore;
  std::string folder;
  std::string resource_pool;
  std::string template_name;  // VM template holding the node image
  std::string network;
  // A cluster-scoped VSphereClusterIdentity the platform team created once
  // (its Secret in CAPV's namespace, allowedNamespaces selecting ours).
  std::string identity_name;
  // Legacy: a Secret in the clusters' namespace. CAPV takes ownership of it
  // and deletes it with the first cluster (provider-review.md A4).
  std::string credentials_secret;
  std::string control_plane_endpoint;        // kube-vip address, optional
  std::map<std::string, VsphereSize> sizes;  // size name -> shape
  std::map<std::string, VspherePciDevice> accelerators;  // type -> device
};

struct OpenstackSettings {
  // Infrastructure API version of the installed CAPO release: v1beta1 (the
  // only one v0.14.x serves) or v1beta2 (CAPO >= v0.15).
  std::string api_version = "v1beta1";
  std::string cloud;          // entry in clouds.yaml
  std::string clouds_secret;  // Secret holding clouds.yaml
  std::string image;          // image name
  std::string external_network_id;
  std::string ssh_key_name;
  std::vector<std::string> dns_nameservers;  // of the subnet CAPO creates
  // Flavors are site-specific: every flavor a spec names is declared here.
  DeclaredMachineTypes machine_types;
};

struct DockerSettings {
  std::string custom_image;  // kindest/node image; empty: CAPD's default
};

struct ProviderSettings {
  GcpSettings gcp;
  AwsSettings aws;
  AzureSettings azure;
  VsphereSettings vsphere;
  OpenstackSettings openstack;
  DockerSettings docker;
};

struct DeletionBudget {
  int max_clusters = 3;  // at most this many clusters per pass ...
  int max_percent = 25;  // ... or this share of managed ones, if larger
};

// Idle teardown or hibernation (spec.idle, and capi-gitops.yaml's default).
enum class IdleAction { kTeardown, kHibernate };
const char* IdleActionName(IdleAction a);  // "teardown", "hibernate"

struct IdleSpec {
  int64_t after = 0;       // seconds without GPU work before acting
  std::string after_text;  // as written: "30m"
  IdleAction action = IdleAction::kTeardown;
  // hibernate: tear the cluster down after this long hibernated; 0 = never.
  int64_t teardown_after = 0;
  std::string teardown_after_text;
};

// Namespaces whose Pods and Jobs never count as GPU work.
struct IdleSettings {
  std::optional<IdleSpec> default_spec;        // for requests without spec.idle
  std::vector<std::string> ignore_namespaces;  // added to the built-in ones
};

// notifications.webhooks[]: where lifecycle notifications go. The URL is a
// secret (a Slack incoming webhook's path is its credential): only the
// Secret that holds it is named here, in the controller's namespace.
enum class WebhookFormat { kSlack, kGeneric };
const char* WebhookFormatName(WebhookFormat f);  // "slack", "generic"

struct NotificationWebhook {
  std::string name;  // for logs and errors, never the URL
  WebhookFormat format = WebhookFormat::kGeneric;
  std::string secret_name;  // secretRef.name
  std::string secret_key;   // secretRef.key: the data key holding the URL
};

// The notifications block: webhooks, and the lead times of the reminders
// before a TTL or idle teardown (longest first, seconds).
struct NotificationSettings {
  std::vector<NotificationWebhook> webhooks;
  std::vector<int64_t> lead_times = {2 * 3600, 30 * 60};
};

struct RepoConfig {
  std::string file = "capi-gitops.yaml";
  std::string namespace_name = "capi-clusters";  // where all objects go
  std::string clusters_path = "clusters";
  std::string policies_path = "policies";
  std::string status_path = "status";
  // The add-on catalog (addons.h): addons.path, and the CNI add-on every
  // cluster gets unless its spec names another (addons.defaults.cni).
  std::string addons_path = "addons";
  std::string default_cni;
  // addons.clusterSecrets.<provider>: Secrets (type
  // addons.cluster.x-k8s.io/resource-set, created by the platform in the
  // namespace) a per-cluster ClusterResourceSet applies into each workload
  // cluster of that provider: vSphere CPI/CSI credentials, OpenStack
  // cloud.conf. "{cluster}" in a name is the cluster's name. capi-gitops
  // names them, never writes them.
  std::map<Provider, std::vector<std::string>> addon_cluster_secrets;
  std::string default_kubernetes_version;   // used when a spec names none
  std::string pod_cidr = "192.168.0.0/16";  // Cluster clusterNetwork
  std::string service_cidr = "10.96.0.0/12";
  ProviderSettings providers;
  DeletionBudget deletion_budget;
  std::string status_author_name = "capi-gitops";
  std::string status_author_email = "capi-gitops@localhost";
  std::string status_branch;  // empty: the spec branch
  IdleSettings idle;          // capi-gitops.yaml's idle block
  NotificationSettings notifications;
};

}  // namespace capigitops

#endif  // CAPIGITOPS_CONFIG_H_
