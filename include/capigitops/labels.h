// The labels and annotations by which capi-gitops marks and finds what it
// owns in the management cluster. Owned by sync (as Flux's ssa package owns
// its owner labels): render writes them, sync, the reconciler and status read
// them, and none of those needs the others' headers for a key.
#ifndef CAPIGITOPS_LABELS_H_
#define CAPIGITOPS_LABELS_H_

namespace capigitops {

// On every object capi-gitops applies; planning LISTs each kind by it.
inline constexpr char kManagedByLabel[] = "app.kubernetes.io/managed-by";
inline constexpr char kManagedByValue[] = "capi-gitops";
// kManagedByLabel=kManagedByValue, as a label selector.
inline constexpr char kManagedBySelector[] =
    "app.kubernetes.io/managed-by=capi-gitops";
inline constexpr char kClusterLabel[] = "capigitops.io/cluster";
inline constexpr char kOwnerLabel[] = "capigitops.io/owner";
// CAPI's own: every member object of a cluster carries its name.
inline constexpr char kCapiClusterNameLabel[] = "cluster.x-k8s.io/cluster-name";

// On the Cluster.
inline constexpr char kRevisionAnnotation[] = "capigitops.io/revision";
inline constexpr char kTtlAnnotation[] = "capigitops.io/ttl";
inline constexpr char kExpiresAtAnnotation[] = "capigitops.io/expires-at";
inline constexpr char kSourceFileAnnotation[] = "capigitops.io/source-file";
inline constexpr char kDeletionProtectionAnnotation[] =
    "capigitops.io/deletion-protection";
inline constexpr char kCreatedAtAnnotation[] = "capigitops.io/created-at";

// Add-ons (addons.h). On a Cluster, addons.capigitops.io/<add-on>: "true"
// selects that add-on's HelmChartProxy or ClusterResourceSet; every catalog
// object carries the add-on's name and what it provides (cni, ccm, csi, gpu,
// other), which capi-sandbox and status read.
inline constexpr char kAddonLabelPrefix[] = "addons.capigitops.io/";
inline constexpr char kAddonNameLabel[] = "addons.capigitops.io/addon";
inline constexpr char kAddonProvidesLabel[] = "addons.capigitops.io/provides";

// On the inventory ConfigMaps (kInventoryLabel=true).
inline constexpr char kInventoryLabel[] = "capigitops.io/inventory";

}  // namespace capigitops

#endif  // CAPIGITOPS_LABELS_H_
