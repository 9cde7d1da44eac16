// capi-gitops.yaml: the repository's configuration.
#include "capigitops/field_reader.h"
#include "capigitops/loader.h"
#include "spec/idle_decode.h"
#include "spec/notifications_decode.h"
#include "spec/provider_settings.h"
#include "util/k8s_names.h"

namespace capigitops {
namespace {

void DecodeConfig(const yaml::Node& root, DecodeContext* ctx, RepoConfig* c) {
  FieldReader r(&root, "", ctx);
  std::string api_version, kind;
  if (r.String("apiVersion", &api_version, true) &&
      api_version != "capigitops.io/v1alpha1") {
    ctx->Error(root.Find("apiVersion")->mark, "apiVersion",
               "expected capigitops.io/v1alpha1, got \"" + api_version + "\"");
  }
  if (r.String("kind", &kind, true) && kind != "RepoConfig") {
    ctx->Error(root.Find("kind")->mark, "kind",
               "expected RepoConfig, got \"" + kind + "\"");
  }
  if (r.String("namespace", &c->namespace_name) &&
      !IsDnsLabel(c->namespace_name, 63)) {
    ctx->Error(root.Find("namespace")->mark, "namespace",
               "\"" + c->namespace_name + "\" is not a valid namespace name");
  }
  r.String("kubernetesVersion", &c->default_kubernetes_version);

  FieldReader net(r.Child("clusterNetwork"), "clusterNetwork", ctx);
  net.String("podCIDR", &c->pod_cidr);
  net.String("serviceCIDR", &c->service_cidr);
  net.Finish();

  FieldReader paths(r.Child("paths"), "paths", ctx);
  paths.String("clusters", &c->clusters_path);
  paths.String("policies", &c->policies_path);
  paths.String("status", &c->status_path);
  paths.Finish();

  const yaml::Node* providers = r.Child("providers");
  FieldReader pr(providers, "providers", ctx);
  for (const std::string& name : ProviderNames()) {
    const yaml::Node* node = pr.Child(name);
    DecodeProviderSettings(*ParseProvider(name), node, pr.Field(name), ctx,
                           &c->providers);
  }
  pr.Finish();

  FieldReader addons(r.Child("addons"), "addons", ctx);
  if (addons.String("path", &c->addons_path) &&
      (c->addons_path.empty() || c->addons_path.front() == '/' ||
       c->addons_path.back() == '/')) {
    ctx->Error(root.Find("addons")->Find("path")->mark, "addons.path",
               "\"" + c->addons_path +
                   "\" is not a repository-relative directory: e.g. addons");
  }
  FieldReader defaults(addons.Child("defaults"), "addons.defaults", ctx);
  defaults.String("cni", &c->default_cni);
  defaults.Finish();
  FieldReader secrets(addons.Child("clusterSecrets"), "addons.clusterSecrets",
                      ctx);
  for (const std::string& name : ProviderNames()) {
    std::vector<std::string> names;
    if (!secrets.StringList(name, &names)) continue;
    for (const std::string& secret : names) {
      std::string expanded = secret;
      for (size_t at; (at = expanded.find("{cluster}")) != std::string::npos;)
        expanded.replace(at, 9, "a");
      if (!IsDns1123Subdomain(expanded)) {
        ctx->Error(secrets.mark(), secrets.Field(name),
                   "\"" + secret +
                       "\" is not a Secret name (\"{cluster}\" stands for "
                       "the cluster's name)");
      }
    }
    c->addon_cluster_secrets[*ParseProvider(name)] = names;
  }
  secrets.Finish();
  addons.Finish();

  FieldReader safety(r.Child("safety"), "safety", ctx);
  FieldReader budget(safety.Child("deletionBudget"), "safety.deletionBudget",
                     ctx);
  budget.Int("maxClusters", &c->deletion_budget.max_clusters, 0, 100000);
  budget.Int("maxPercent", &c->deletion_budget.max_percent, 0, 100);
  budget.Finish();
  safety.Finish();

  FieldReader wb(r.Child("writeBack"), "writeBack", ctx);
  FieldReader author(wb.Child("author"), "writeBack.author", ctx);
  author.String("name", &c->status_author_name);
  author.String("email", &c->status_author_email);
  author.Finish();
  wb.String("branch", &c->status_branch);
  wb.Finish();

  if (const yaml::Node* idle = r.Child("idle")) {
    IdleSpec spec;
    if (DecodeIdleSpec(*idle, "idle", ctx, &spec, &c->idle.ignore_namespaces) &&
        spec.after > 0) {
      c->idle.default_spec = spec;
    }
  }
  if (const yaml::Node* notifications = r.Child("notifications")) {
    DecodeNotifications(*notifications, ctx, &c->notifications);
  }
  r.Finish();
}

}  // namespace

bool LoadRepoConfig(const std::string& file, std::string_view text,
                    RepoConfig* config, Diagnostics* diags) {
  size_t before = diags->size();
  config->file = file;
  std::vector<yaml::Node> docs = yaml::ParseDocuments(text, file, diags);
  if (diags->size() == before) {
    if (docs.size() != 1) {
      diags->push_back({file, 1, 1, "",
                        "expected exactly one YAML document, found " +
                            std::to_string(docs.size())});
    } else {
      DecodeContext ctx{file, diags, nullptr};
      DecodeConfig(docs[0], &ctx, config);
    }
  }
  return !HasErrors(Diagnostics(diags->begin() + before, diags->end()));
}

}  // namespace capigitops
