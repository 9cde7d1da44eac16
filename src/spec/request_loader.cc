// clusters/<name>.yaml: decoding and validating one ClusterRequest.
#include <algorithm>
#include <set>

#include "capigitops/duration.h"
#include "capigitops/field_reader.h"
#include "capigitops/loader.h"
#include "spec/idle_decode.h"
#include "spec/pool_checks.h"
#include "spec/provider_settings.h"
#include "util/k8s_names.h"

namespace capigitops {
namespace {

constexpr size_t kMaxClusterName = 40;
// Template names are "<cluster>-<pool>-<hash>" and must fit in 63 characters.
constexpr size_t kMaxClusterPlusPool = 50;
// Node pools per cluster (each is a MachineDeployment and two templates).
constexpr size_t kMaxNodePools = 50;

bool ProviderHasSpot(Provider p) {
  return p == Provider::kGcp || p == Provider::kAws || p == Provider::kAzure;
}

class RequestDecoder {
 public:
  RequestDecoder(DecodeContext* ctx, const RepoConfig& config,
                 std::shared_ptr<const ProviderSettings> repo_settings,
                 ClusterRequest* req)
      : ctx_(ctx),
        config_(config),
        repo_settings_(std::move(repo_settings)),
        req_(req) {}

  void Decode(const yaml::Node& root) {
    FieldReader r(&root, "", ctx_);
    if (!r.ok()) return;
    CheckHeader(r, root);
    DecodeMetadata(r.Child("metadata"), root.mark);
    const yaml::Node* spec = r.Child("spec");
    if (spec == nullptr) {
      ctx_->Error(root.mark, "spec", "required field is missing");
    } else {
      DecodeSpec(*spec);
    }
    r.Finish();
  }

 private:
  void CheckHeader(FieldReader& r, const yaml::Node& root) {
    std::string api_version, kind;
    if (r.String("apiVersion", &api_version, true,
                 "use capigitops.io/v1alpha1") &&
        api_version != "capigitops.io/v1alpha1") {
      ctx_->Error(
          root.Find("apiVersion")->mark, "apiVersion",
          "expected capigitops.io/v1alpha1, got \"" + api_version + "\"");
    }
    if (r.String("kind", &kind, true, "use ClusterRequest") &&
        kind != "ClusterRequest") {
      ctx_->Error(root.Find("kind")->mark, "kind",
                  "expected ClusterRequest, got \"" + kind + "\"");
    }
  }

  void DecodeMetadata(const yaml::Node* node, const yaml::Mark& root_mark) {
    if (node == nullptr) {
      ctx_->Error(root_mark, "metadata", "required field is missing");
      return;
    }
    FieldReader m(node, "metadata", ctx_);
    if (m.String("name", &req_->name, true) &&
        !IsDnsLabel(req_->name, kMaxClusterName)) {
      ctx_->Error(node->Find("name")->mark, "metadata.name",
                  "\"" + req_->name +
                      "\" is not a valid cluster name: use at most 40 "
                      "lower-case letters, digits and '-', starting with a "
                      "letter and ending with a letter or digit");
    }
    DecodeLabels(m, "labels", &req_->labels);
    for (const auto& [key, value] : req_->labels) {
      if (key.rfind("addons.capigitops.io/", 0) != 0) continue;
      ctx_->Error(req_->MarkOf("metadata.labels." + key),
                  "metadata.labels." + key,
                  "add-on labels are set by capi-gitops from the catalog: "
                  "choose add-ons with spec.addons {cni, extra}");
    }
    m.Finish();
  }

  void DecodeLabels(FieldReader& r, const std::string& key,
                    std::map<std::string, std::string>* out) {
    if (!r.StringMap(key, out)) return;
    for (const auto& [k, v] : *out) {
      yaml::Mark at = req_->MarkOf(r.Field(key) + "." + k);
      if (!IsLabelKey(k)) {
        ctx_->Error(at, r.Field(key), "\"" + k + "\" is not a valid label key");
      }
      if (!IsLabelValue(v)) {
        ctx_->Error(at, r.Field(key) + "." + k,
                    "\"" + v +
                        "\" is not a valid label value: at most 63 "
                        "letters, digits, '-', '_' or '.'");
      }
    }
  }

  void DecodeSpec(const yaml::Node& node) {
    FieldReader s(&node, "spec", ctx_);
    if (!s.ok()) return;
    if (s.String("owner", &req_->owner, true,
                 "name the team accountable for this cluster") &&
        (req_->owner.empty() || !IsLabelValue(req_->owner))) {
      ctx_->Error(node.Find("owner")->mark, "spec.owner",
                  "\"" + req_->owner +
                      "\" is not a valid owner: use at most 63 "
                      "letters, digits, '-', '_' or '.' (it becomes a label)");
    }
    std::string provider;
    bool have_provider = false;
    if (s.String("provider", &provider, true,
                 "one of gcp, aws, azure, vsphere, openstack, docker")) {
      if (auto p = ParseProvider(provider)) {
        req_->provider = *p;
        have_provider = true;
      } else {
        ctx_->Error(node.Find("provider")->mark, "spec.provider",
                    "unsupported provider \"" + provider +
                        "\": use one of gcp, aws, azure, vsphere, openstack, "
                        "docker");
      }
    }
    s.String("region", &req_->region);
    s.String("zone", &req_->zone);
    req_->kubernetes_version = config_.default_kubernetes_version;
    s.String("kubernetesVersion", &req_->kubernetes_version,
             config_.default_kubernetes_version.empty(),
             "e.g. v1.33.4, or set kubernetesVersion in capi-gitops.yaml");
    DecodeControlPlane(s.Child("controlPlane"), node.mark);
    DecodeNodePools(s.Child("nodePools"));
    DecodeTtl(s, node);
    s.Bool("deletionProtection", &req_->deletion_protection);
    DecodeIdle(s);
    DecodeAddons(s.Child("addons"));
    req_->settings = RequestSettings(repo_settings_);
    const yaml::Node* pc = s.Child("providerConfig");
    s.Finish();
    if (!have_provider) return;
    if (pc != nullptr) {
      DecodeProviderSettings(req_->provider, pc, "spec.providerConfig", ctx_,
                             &req_->settings.Mutable());
    }
    CheckProviderSettings(req_->provider, req_->settings,
                          req_->MarkOf("spec.provider"), ctx_);
    CheckProviderRules(node);
  }

  // Names only; whether the catalog has them is checked with the catalog
  // (CheckAddonChoice).
  void DecodeAddons(const yaml::Node* node) {
    if (node == nullptr) return;
    FieldReader a(node, "spec.addons", ctx_);
    if (a.String("cni", &req_->addons.cni) &&
        !IsDnsLabel(req_->addons.cni, 40)) {
      ctx_->Error(node->Find("cni")->mark, "spec.addons.cni",
                  "\"" + req_->addons.cni +
                      "\" is not an add-on name: name a cni add-on of the "
                      "catalog, e.g. calico");
    }
    a.StringList("extra", &req_->addons.extra);
    // Item marks, so catalog checks can point at the name.
    if (const yaml::Node* list = node->Find("extra"); list && list->IsSeq()) {
      for (size_t i = 0; i < list->seq.size(); ++i) {
        (*ctx_->marks)["spec.addons.extra[" + std::to_string(i) + "]"] =
            list->seq[i].mark;
      }
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < req_->addons.extra.size(); ++i) {
      const std::string& name = req_->addons.extra[i];
      std::string field = "spec.addons.extra[" + std::to_string(i) + "]";
      if (!seen.insert(name).second) {
        ctx_->Error(req_->MarkOf(field), field,
                    "\"" + name + "\" is listed twice");
      }
    }
    a.Finish();
  }

  void DecodeControlPlane(const yaml::Node* node, const yaml::Mark& spec_mark) {
    if (node == nullptr) {
      ctx_->Error(spec_mark, "spec.controlPlane",
                  "required field is missing: e.g. {replicas: 3, machineType: "
                  "n2-standard-4}");
      return;
    }
    FieldReader r(node, "spec.controlPlane", ctx_);
    ControlPlaneSpec& cp = req_->control_plane;
    if (r.Int("replicas", &cp.replicas, 1, 5) && cp.replicas % 2 == 0) {
      ctx_->Error(node->Find("replicas")->mark, "spec.controlPlane.replicas",
                  "must be 1, 3 or 5 (etcd needs an odd number), got " +
                      std::to_string(cp.replicas));
    }
    r.String("machineType", &cp.machine_type);
    r.Finish();
  }

  void DecodeNodePools(const yaml::Node* node) {
    if (node == nullptr) return;
    if (!node->IsSeq()) {
      ctx_->Error(node->mark, "spec.nodePools",
                  "expected a list of node pools, got " + node->Describe());
      return;
    }
    // 5,000 pools became 15,053 objects in one pass: a cap keeps one file
    // from flooding the management cluster.
    if (node->seq.size() > kMaxNodePools) {
      ctx_->Error(node->mark, "spec.nodePools",
                  "at most " + std::to_string(kMaxNodePools) +
                      " node pools per cluster, got " +
                      std::to_string(node->seq.size()) +
                      "; split the cluster or merge pools of the same "
                      "machine type");
      return;
    }
    std::set<std::string> names;
    for (size_t i = 0; i < node->seq.size(); ++i) {
      std::string path = "spec.nodePools[" + std::to_string(i) + "]";
      NodePool pool;
      DecodePool(node->seq[i], path, &pool);
      if (!pool.name.empty() && !names.insert(pool.name).second) {
        ctx_->Error(req_->MarkOf(path + ".name"), path + ".name",
                    "duplicate node pool name \"" + pool.name + "\"");
      }
      req_->node_pools.push_back(std::move(pool));
    }
  }

  void DecodePool(const yaml::Node& node, const std::string& path,
                  NodePool* pool) {
    FieldReader r(&node, path, ctx_);
    if (!r.ok()) return;
    if (r.String("name", &pool->name, true) &&
        (!IsDnsLabel(pool->name, 63) ||
         pool->name.size() + req_->name.size() > kMaxClusterPlusPool)) {
      ctx_->Error(
          node.Find("name")->mark, path + ".name",
          "\"" + pool->name +
              "\" is not a valid pool name: use "
              "lower-case letters, digits and '-'; cluster and pool names "
              "together may have at most 50 characters");
    } else if (IsReservedPoolName(pool->name)) {
      ctx_->Error(node.Find("name")->mark, path + ".name",
                  "\"" + pool->name +
                      "\" is reserved: the control plane's objects have that "
                      "name; call the pool e.g. \"workers\"");
    }
    r.String("machineType", &pool->machine_type);
    int replicas = 0;
    if (r.Int("replicas", &replicas, 0, 1000)) pool->replicas = replicas;
    if (const yaml::Node* as = r.Child("autoscaling")) {
      FieldReader a(as, path + ".autoscaling", ctx_);
      Autoscaling scaling;
      bool ok = a.Int("min", &scaling.min, 0, 1000, true);
      ok = a.Int("max", &scaling.max, 1, 1000, true) && ok;
      a.Finish();
      if (ok && scaling.max < scaling.min) {
        ctx_->Error(as->mark, path + ".autoscaling",
                    "max (" + std::to_string(scaling.max) +
                        ") must not be less than min (" +
                        std::to_string(scaling.min) + ")");
      }
      pool->autoscaling = scaling;
    }
    if (pool->replicas && pool->autoscaling) {
      ctx_->Error(node.Find("autoscaling")->mark, path,
                  "set either replicas or autoscaling, not both");
    } else if (!pool->replicas && !pool->autoscaling &&
               node.Find("replicas") == nullptr) {
      ctx_->Error(node.mark, path,
                  "set replicas (a fixed size) or autoscaling {min, max}");
      pool->replicas = 0;
    }
    r.Bool("spot", &pool->spot);
    int disk = 0;
    if (r.Int("diskGiB", &disk, 8, 65536)) pool->disk_gib = disk;
    if (const yaml::Node* acc = r.Child("accelerator")) {
      FieldReader a(acc, path + ".accelerator", ctx_);
      Accelerator accel;
      a.String("type", &accel.type, true, "e.g. nvidia-tesla-t4");
      a.Int("count", &accel.count, 1, 16, true);
      a.Finish();
      pool->accelerator = accel;
    }
    DecodeLabels(r, "labels", &pool->labels);
    for (const auto& [key, value] : pool->labels) {
      std::string problem = NodeLabelProblem(key);
      if (problem.empty()) continue;
      std::string field = path + ".labels." + key;
      ctx_->Error(req_->MarkOf(field), field, problem);
    }
    DecodeTaints(r.Child("taints"), path + ".taints", &pool->taints);
    r.Bool("gpuTaint", &pool->gpu_taint);
    r.Finish();
  }

  void DecodeTaints(const yaml::Node* node, const std::string& path,
                    std::vector<Taint>* out) {
    if (node == nullptr) return;
    if (!node->IsSeq()) {
      ctx_->Error(node->mark, path, "expected a list, got " + node->Describe());
      return;
    }
    for (size_t i = 0; i < node->seq.size(); ++i) {
      std::string p = path + "[" + std::to_string(i) + "]";
      FieldReader t(&node->seq[i], p, ctx_);
      Taint taint;
      if (t.String("key", &taint.key, true) && !IsLabelKey(taint.key)) {
        ctx_->Error(node->seq[i].Find("key")->mark, p + ".key",
                    "\"" + taint.key + "\" is not a valid taint key");
      }
      if (t.String("value", &taint.value) && !IsLabelValue(taint.value)) {
        ctx_->Error(node->seq[i].Find("value")->mark, p + ".value",
                    "\"" + taint.value + "\" is not a valid taint value");
      }
      if (t.String("effect", &taint.effect, true,
                   "NoSchedule, PreferNoSchedule or NoExecute") &&
          taint.effect != "NoSchedule" && taint.effect != "PreferNoSchedule" &&
          taint.effect != "NoExecute") {
        ctx_->Error(node->seq[i].Find("effect")->mark, p + ".effect",
                    "unsupported value \"" + taint.effect +
                        "\": use NoSchedule, PreferNoSchedule or NoExecute");
      }
      t.Finish();
      out->push_back(taint);
    }
  }

  void DecodeTtl(FieldReader& s, const yaml::Node& spec) {
    std::string ttl, expires;
    bool have_ttl = s.String("ttl", &ttl);
    bool have_expires = s.String("expiresAt", &expires);
    if (have_ttl && have_expires) {
      ctx_->Error(spec.Find("expiresAt")->mark, "spec.expiresAt",
                  "set either ttl or expiresAt, not both");
      return;
    }
    if (have_ttl) {
      req_->ttl.text = ttl;
      if (ttl == "never") {
        req_->ttl.kind = TtlKind::kNever;
      } else if (auto secs = ParseDuration(ttl)) {
        req_->ttl.kind = TtlKind::kDuration;
        req_->ttl.seconds = *secs;
      } else {
        ctx_->Error(spec.Find("ttl")->mark, "spec.ttl",
                    "\"" + ttl +
                        "\" is not a duration: use e.g. 90m, 4h, 7d "
                        "or never");
      }
    } else if (have_expires) {
      req_->ttl.text = expires;
      if (auto t = ParseRfc3339(expires)) {
        req_->ttl.kind = TtlKind::kExpiresAt;
        req_->ttl.expires_at = *t;
      } else {
        ctx_->Error(spec.Find("expiresAt")->mark, "spec.expiresAt",
                    "\"" + expires +
                        "\" is not an RFC 3339 time: use e.g. "
                        "2026-12-01T18:00:00Z");
      }
    }
  }

  // spec.idle replaces the repo default as a whole; spec.hibernate is the
  // switch an idle decision (or a person) flips.
  void DecodeIdle(FieldReader& s) {
    req_->idle = config_.idle.default_spec;
    if (const yaml::Node* idle = s.Child("idle")) {
      IdleSpec spec;
      if (DecodeIdleSpec(*idle, "spec.idle", ctx_, &spec, nullptr)) {
        req_->idle = spec;
      }
    }
    s.Bool("hibernate", &req_->hibernate);
  }

  // Rules that depend on the provider: regions, machine types, GPUs, spot.
  void CheckProviderRules(const yaml::Node& spec) {
    const Provider p = req_->provider;
    const char* name = ProviderName(p);
    if (p == Provider::kAws && req_->region.empty()) {
      req_->region = req_->settings->aws.region;
    }
    if (p == Provider::kAzure && req_->region.empty()) {
      req_->region = req_->settings->azure.location;
    }
    bool needs_region =
        p == Provider::kGcp || p == Provider::kAws || p == Provider::kAzure;
    if (needs_region && req_->region.empty()) {
      ctx_->Error(spec.mark, "spec.region",
                  std::string("required for provider ") + name);
    }
    if (p == Provider::kGcp && !req_->zone.empty() &&
        req_->zone.rfind(req_->region + "-", 0) != 0) {
      ctx_->Error(req_->MarkOf("spec.zone"), "spec.zone",
                  "zone \"" + req_->zone + "\" is not in region \"" +
                      req_->region + "\"");
    }
    // Azure failure domains are the zone numbers (AzureCluster
    // status.failureDomains: "1", "2", "3").
    if (p == Provider::kAzure && !req_->zone.empty() && req_->zone != "1" &&
        req_->zone != "2" && req_->zone != "3") {
      ctx_->Error(
          req_->MarkOf("spec.zone"), "spec.zone",
          "Azure zones are \"1\", \"2\" or \"3\", not \"" + req_->zone + "\"");
    }
    CheckMachineType(*req_, req_->control_plane.machine_type,
                     "spec.controlPlane", ctx_);
    for (size_t i = 0; i < req_->node_pools.size(); ++i) {
      CheckPool("spec.nodePools[" + std::to_string(i) + "]",
                &req_->node_pools[i]);
    }
  }

  void CheckPool(const std::string& path, NodePool* pool) {
    const Provider p = req_->provider;
    if (CheckMachineType(*req_, pool->machine_type, path, ctx_)) {
      CheckPoolGpus(*req_, path, pool, ctx_);
      CheckScaleFromZero(*req_, path, *pool, ctx_);
    }
    if (pool->spot && !ProviderHasSpot(p)) {
      ctx_->Error(req_->MarkOf(path + ".spot"), path + ".spot",
                  std::string("spot instances are not available on ") +
                      ProviderName(p) + ": remove spot");
    }
    if (!pool->accelerator) return;
    yaml::Mark at = req_->MarkOf(path + ".accelerator");
    if (p == Provider::kDocker) {
      ctx_->Error(at, path + ".accelerator",
                  "docker clusters cannot have GPUs: remove accelerator");
    }
    if (p == Provider::kGcp && req_->zone.empty()) {
      if (at.line == 0) at = req_->MarkOf(path + ".machineType");
      ctx_->Error(at, path + ".accelerator",
                  "GPUs on GCP are zonal: set spec.zone (e.g. " +
                      (req_->region.empty() ? "us-central1" : req_->region) +
                      "-c) so machines land where the GPU type exists");
    }
  }

  DecodeContext* ctx_;
  const RepoConfig& config_;
  std::shared_ptr<const ProviderSettings> repo_settings_;
  ClusterRequest* req_;
};

}  // namespace

std::optional<ClusterRequest> LoadClusterRequest(
    const std::string& file, std::string_view text, const RepoConfig& config,
    Diagnostics* diags, std::shared_ptr<const ProviderSettings> repo_settings) {
  if (repo_settings == nullptr) {
    repo_settings = std::make_shared<const ProviderSettings>(config.providers);
  }
  Diagnostics local;
  std::vector<yaml::Node> docs = yaml::ParseDocuments(text, file, &local);
  ClusterRequest req;
  req.file = file;
  if (!HasErrors(local)) {
    if (docs.size() != 1) {
      local.push_back({file, 1, 1, "",
                       "expected exactly one ClusterRequest document, found " +
                           std::to_string(docs.size())});
    } else {
      DecodeContext ctx{file, &local, &req.marks};
      RequestDecoder(&ctx, config, std::move(repo_settings), &req)
          .Decode(docs[0]);
    }
  }
  bool failed = HasErrors(local);
  diags->insert(diags->end(), local.begin(), local.end());
  if (failed) return std::nullopt;
  return req;
}

}  // namespace capigitops
