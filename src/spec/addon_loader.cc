// addons/<name>.yaml: decoding and validating one add-on of the catalog.
#include <regex>

#include "capigitops/addons.h"
#include "capigitops/field_reader.h"
#include "util/k8s_names.h"

namespace capigitops {
namespace {

// Add-on names become "<name>-<8 hex>" object names and the name part of the
// label key addons.capigitops.io/<name>.
constexpr size_t kMaxAddonName = 40;
// A ConfigMap holds at most 1 MiB; leave room for its metadata.
constexpr size_t kMaxManifestBytes = 900 * 1024;

// An exact version: 1.2.3 or v1.2.3, with an optional pre-release or build
// suffix. No ranges (^1.2, ~1.2, >=1), wildcards (1.x, *) or "latest": CAAPH
// passes them to Helm, which then moves to whatever is newest.
bool IsPinnedVersion(const std::string& v) {
  static const std::regex kSemver(
      R"(v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*))"
      R"((-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?)");
  return std::regex_match(v, kSemver);
}

std::string AddonStem(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string base = path.substr(slash == std::string::npos ? 0 : slash + 1);
  size_t dot = base.rfind('.');
  return dot == std::string::npos ? base : base.substr(0, dot);
}

std::string AddonDir(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

class AddonDecoder {
 public:
  AddonDecoder(DecodeContext* ctx, const FileSet& files, Addon* addon)
      : ctx_(ctx), files_(files), addon_(addon) {}

  void Decode(const yaml::Node& root) {
    FieldReader r(&root, "", ctx_);
    if (!r.ok()) return;
    std::string api_version, kind;
    if (r.String("apiVersion", &api_version, true,
                 "use capigitops.io/v1alpha1") &&
        api_version != "capigitops.io/v1alpha1") {
      ctx_->Error(
          root.Find("apiVersion")->mark, "apiVersion",
          "expected capigitops.io/v1alpha1, got \"" + api_version + "\"");
    }
    if (r.String("kind", &kind, true, "use Addon") && kind != "Addon") {
      ctx_->Error(root.Find("kind")->mark, "kind",
                  "expected Addon, got \"" + kind + "\"");
    }
    DecodeName(r.Child("metadata"), root.mark);
    const yaml::Node* spec = r.Child("spec");
    if (spec == nullptr) {
      ctx_->Error(root.mark, "spec", "required field is missing");
    } else {
      DecodeSpec(*spec);
    }
    r.Finish();
  }

 private:
  void DecodeName(const yaml::Node* node, const yaml::Mark& root_mark) {
    if (node == nullptr) {
      ctx_->Error(root_mark, "metadata", "required field is missing");
      return;
    }
    FieldReader m(node, "metadata", ctx_);
    if (m.String("name", &addon_->name, true)) {
      addon_->mark = node->Find("name")->mark;
      if (!IsDnsLabel(addon_->name, kMaxAddonName)) {
        ctx_->Error(addon_->mark, "metadata.name",
                    "\"" + addon_->name +
                        "\" is not a valid add-on name: use at most 40 "
                        "lower-case letters, digits and '-', starting with a "
                        "letter (it becomes the label key "
                        "addons.capigitops.io/<name>)");
      } else if (addon_->name == "addon" || addon_->name == "provides") {
        ctx_->Error(addon_->mark, "metadata.name",
                    "\"" + addon_->name +
                        "\" is reserved: addons.capigitops.io/" + addon_->name +
                        " labels the catalog's own objects; choose another "
                        "name");
      } else if (addon_->name != AddonStem(addon_->file)) {
        ctx_->Error(addon_->mark, "metadata.name",
                    "\"" + addon_->name +
                        "\" does not match the file name: rename the file "
                        "to " +
                        addon_->name + ".yaml or set metadata.name to \"" +
                        AddonStem(addon_->file) + "\"");
      }
    }
    m.Finish();
  }

  void DecodeSpec(const yaml::Node& node) {
    FieldReader s(&node, "spec", ctx_);
    if (!s.ok()) return;
    for (const char* key : {"clusterSelector", "selector"}) {
      if (const yaml::Node* sel = s.Child(key)) {
        ctx_->Error(sel->mark, std::string("spec.") + key,
                    "selectors are not written by hand: capi-gitops selects "
                    "Clusters labelled addons.capigitops.io/<add-on name>: "
                    "\"true\" (an empty HelmChartProxy selector would select "
                    "every Cluster); remove it");
      }
    }
    std::string provides;
    if (s.String("provides", &provides, true,
                 "one of cni, ccm, csi, gpu, other")) {
      if (auto p = ParseAddonProvides(provides)) {
        addon_->provides = *p;
      } else {
        ctx_->Error(node.Find("provides")->mark, "spec.provides",
                    "unsupported value \"" + provides +
                        "\": use one of cni, ccm, csi, gpu, other");
      }
    }
    DecodeProviders(s, node);
    const yaml::Node* helm = s.Child("helm");
    const yaml::Node* manifests = s.Child("manifests");
    if (helm != nullptr && manifests != nullptr) {
      ctx_->Error(manifests->mark, "spec.manifests",
                  "set either helm or manifests, not both");
    } else if (helm == nullptr && manifests == nullptr) {
      ctx_->Error(node.mark, "spec",
                  "set how the add-on is delivered: helm {repoURL, chart, "
                  "version, namespace, reconcileStrategy} or manifests "
                  "{files, inline}");
    } else if (helm != nullptr) {
      DecodeHelm(*helm);
    } else {
      DecodeManifests(*manifests);
    }
    s.Finish();
  }

  void DecodeProviders(FieldReader& s, const yaml::Node& spec) {
    std::vector<std::string> names;
    if (!s.StringList("providers", &names)) {
      if (spec.Find("providers") == nullptr) {
        ctx_->Error(spec.mark, "spec.providers",
                    "required field is missing: the providers whose clusters "
                    "may get it, e.g. [aws, azure]");
      }
      return;
    }
    const yaml::Node& list = *spec.Find("providers");
    if (names.empty()) {
      ctx_->Error(list.mark, "spec.providers",
                  "must name at least one provider");
    }
    for (size_t i = 0; i < names.size(); ++i) {
      std::string field = "spec.providers[" + std::to_string(i) + "]";
      auto p = ParseProvider(names[i]);
      if (!p) {
        ctx_->Error(list.seq[i].mark, field,
                    "unknown provider \"" + names[i] +
                        "\": use gcp, aws, azure, vsphere, openstack or "
                        "docker");
        continue;
      }
      bool cloud_only = addon_->provides == AddonProvides::kCcm ||
                        addon_->provides == AddonProvides::kCsi ||
                        addon_->provides == AddonProvides::kGpu;
      if (*p == Provider::kDocker && cloud_only) {
        ctx_->Error(list.seq[i].mark, field,
                    std::string("docker clusters get no ") +
                        AddonProvidesName(addon_->provides) +
                        " add-on (CAPD sets providerIDs itself and has no "
                        "GPUs): remove docker");
        continue;
      }
      addon_->providers.insert(*p);
    }
  }

  void DecodeHelm(const yaml::Node& node) {
    FieldReader h(&node, "spec.helm", ctx_);
    if (!h.ok()) return;
    HelmDelivery d;
    if (h.String("repoURL", &d.repo_url, true,
                 "e.g. https://docs.tigera.io/calico/charts") &&
        d.repo_url.rfind("https://", 0) != 0 &&
        d.repo_url.rfind("oci://", 0) != 0) {
      ctx_->Error(node.Find("repoURL")->mark, "spec.helm.repoURL",
                  "\"" + d.repo_url + "\" is not an https:// or oci:// URL");
    }
    h.String("chart", &d.chart, true, "e.g. tigera-operator");
    if (h.String("version", &d.version, true,
                 "pin the exact chart version, e.g. v3.29.1: without one "
                 "CAAPH follows the newest chart") &&
        !IsPinnedVersion(d.version)) {
      ctx_->Error(node.Find("version")->mark, "spec.helm.version",
                  "\"" + d.version +
                      "\" is not a pinned chart version: use an exact "
                      "version such as 1.2.3 or v1.2.3, not a range or "
                      "latest, so every cluster gets the chart that was "
                      "reviewed");
    }
    if (h.String("releaseName", &d.release_name) &&
        !IsDns1123Label(d.release_name, 53)) {
      ctx_->Error(node.Find("releaseName")->mark, "spec.helm.releaseName",
                  "\"" + d.release_name +
                      "\" is not a valid Helm release name (at most 53 "
                      "lower-case letters, digits and '-')");
    }
    if (h.String("namespace", &d.namespace_name, true,
                 "the release namespace in the workload cluster, e.g. "
                 "tigera-operator") &&
        !IsDns1123Label(d.namespace_name)) {
      ctx_->Error(node.Find("namespace")->mark, "spec.helm.namespace",
                  "\"" + d.namespace_name + "\" is not a valid namespace");
    }
    h.String("values", &d.values);
    std::string strategy;
    if (h.String("reconcileStrategy", &strategy, true,
                 "InstallOnce or Continuous: say whether a chart change "
                 "upgrades live clusters (Continuous) or not (InstallOnce)")) {
      if (strategy == "InstallOnce") {
        d.strategy = ReconcileStrategy::kInstallOnce;
      } else if (strategy == "Continuous") {
        d.strategy = ReconcileStrategy::kContinuous;
      } else {
        ctx_->Error(node.Find("reconcileStrategy")->mark,
                    "spec.helm.reconcileStrategy",
                    "unsupported value \"" + strategy +
                        "\": use InstallOnce or Continuous");
      }
    }
    h.Finish();
    addon_->helm = std::move(d);
  }

  void DecodeManifests(const yaml::Node& node) {
    FieldReader m(&node, "spec.manifests", ctx_);
    if (!m.ok()) return;
    std::vector<std::string> paths;
    m.StringList("files", &paths);
    const yaml::Node* list = node.Find("files");
    for (size_t i = 0; i < paths.size(); ++i) {
      std::string field = "spec.manifests.files[" + std::to_string(i) + "]";
      yaml::Mark at = list->seq[i].mark;
      // Relative to the add-on file's directory, never outside it.
      std::string path = AddonDir(addon_->file) + "/" + paths[i];
      if (paths[i].empty() || paths[i].front() == '/' ||
          paths[i].find("..") != std::string::npos ||
          paths[i].find('/') == std::string::npos) {
        ctx_->Error(at, field,
                    "\"" + paths[i] +
                        "\" must be a path below a subdirectory of the "
                        "catalog, e.g. calico/calico.yaml");
        continue;
      }
      auto f = files_.find(path);
      if (f == files_.end()) {
        ctx_->Error(at, field,
                    path +
                        " does not exist (manifest files are .yaml, .yml "
                        "or .json files below the catalog directory)");
        continue;
      }
      AddManifest(path, path.substr(path.rfind('/') + 1), f->second, at, field);
    }
    std::string inline_text;
    if (m.String("inline", &inline_text)) {
      AddManifest(addon_->file + "#inline", addon_->name + ".yaml", inline_text,
                  node.Find("inline")->mark, "spec.manifests.inline");
    }
    std::string strategy = "ApplyOnce";
    if (m.String("strategy", &strategy) && strategy != "ApplyOnce") {
      ctx_->Error(node.Find("strategy")->mark, "spec.manifests.strategy",
                  "only ApplyOnce is supported: ClusterResourceSet's "
                  "Reconcile never deletes what a manifest drops; deliver "
                  "manifests that change with a Helm chart instead");
    }
    m.Finish();
    if (addon_->manifests.empty() && !HasErrors(*ctx_->diags)) {
      ctx_->Error(node.mark, "spec.manifests",
                  "name at least one manifest: files or inline");
    }
  }

  // Each manifest must be YAML whose documents are Kubernetes objects: the
  // ClusterResourceSet controller would otherwise fail on every cluster.
  void AddManifest(const std::string& source, const std::string& key,
                   const std::string& text, const yaml::Mark& at,
                   const std::string& field) {
    if (text.size() > kMaxManifestBytes) {
      ctx_->Error(at, field,
                  source + " is " + std::to_string(text.size() / 1024) +
                      " KiB: a ConfigMap holds at most 1 MiB; split it "
                      "into several files");
      return;
    }
    Diagnostics parse;
    std::vector<yaml::Node> docs = yaml::ParseDocuments(text, source, &parse);
    if (HasErrors(parse)) {
      ctx_->Error(at, field, "is not valid YAML: " + parse[0].ToString());
      return;
    }
    for (size_t i = 0; i < docs.size(); ++i) {
      if (docs[i].IsNull()) continue;
      if (!docs[i].IsMap() || docs[i].Find("apiVersion") == nullptr ||
          docs[i].Find("kind") == nullptr) {
        ctx_->Error(at, field,
                    source + " document " + std::to_string(i + 1) +
                        " is not a Kubernetes object (no apiVersion and "
                        "kind)");
        return;
      }
    }
    for (const AddonManifest& m : addon_->manifests) {
      if (m.key == key) {
        ctx_->Error(at, field,
                    "two manifests named " + key +
                        ": their ConfigMap keys would collide; rename one");
        return;
      }
    }
    addon_->manifests.push_back({source, key, text});
  }

  DecodeContext* ctx_;
  const FileSet& files_;
  Addon* addon_;
};

}  // namespace

std::optional<Addon> LoadAddon(const std::string& file, std::string_view text,
                               const FileSet& files, Diagnostics* diags) {
  Diagnostics local;
  std::vector<yaml::Node> docs = yaml::ParseDocuments(text, file, &local);
  Addon addon;
  addon.file = file;
  if (!HasErrors(local)) {
    if (docs.size() != 1) {
      local.push_back({file, 1, 1, "",
                       "expected exactly one Addon document, found " +
                           std::to_string(docs.size())});
    } else {
      DecodeContext ctx{file, &local, nullptr};
      AddonDecoder(&ctx, files, &addon).Decode(docs[0]);
    }
  }
  bool failed = HasErrors(local);
  diags->insert(diags->end(), local.begin(), local.end());
  if (failed) return std::nullopt;
  return addon;
}

}  // namespace capigitops
