// Evaluate: files in, per cluster the request, cost, verdicts and objects.
#include <algorithm>

#include "capigitops/duration.h"
#include "capigitops/reconcile.h"
#include "capigitops/render.h"
#include "util/parallel.h"

namespace capigitops {
namespace {

bool IsUnder(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() + 1 &&
         path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

// The files of `dir`, for the policy module's loader (which tells policies
// from price tables by their kind).
FileSet FilesUnder(const FileSet& files, const std::string& dir) {
  FileSet out;
  for (const auto& [path, text] : files) {
    if (IsUnder(path, dir)) out.emplace(path, text);
  }
  return out;
}

std::optional<double> TtlHoursOverride(const ClusterRequest& req, int64_t now) {
  if (req.ttl.kind != TtlKind::kExpiresAt) return std::nullopt;
  return std::max<double>(0,
                          static_cast<double>(req.ttl.expires_at - now) / 3600);
}

// The createdAt the cluster's status file records (status/<name>.yaml,
// written by the reconciler when it created the cluster), for maxLifetime:
// an extension PR is checked against the cluster's whole life. Unset when
// the file or the line is absent (a cluster not created yet, or status
// committed to another branch).
std::optional<int64_t> CreatedAtFromStatus(const FileSet& files,
                                           const std::string& status_path,
                                           const std::string& name) {
  auto f = files.find(status_path + "/" + name + ".yaml");
  if (f == files.end()) return std::nullopt;
  const std::string& text = f->second;
  const std::string key = "\n  createdAt: ";
  size_t at = text.find(key);
  if (at == std::string::npos) return std::nullopt;
  size_t begin = at + key.size();
  size_t end = text.find('\n', begin);
  std::string value = text.substr(begin, end - begin);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    value = value.substr(1, value.size() - 2);
  return ParseRfc3339(value);
}

// A request allowed by policy into its objects, or its render_error.
void ExpandInto(const RepoConfig& config, const AddonCatalog& catalog,
                const EvaluateOptions& options, const std::string& ns,
                ClusterResult* r) {
  if (r->denied) return;
  auto objects =
      Expand(r->request, config, RenderOptions{options.revision, ns, &catalog});
  if (objects.ok()) {
    r->objects = std::move(objects).value();
  } else {
    r->render_error = objects.status().message();
  }
}

void EvaluateCluster(ClusterRequest req, const RepoConfig& config,
                     const AddonCatalog& catalog,
                     const std::vector<Policy>& policies,
                     const PriceTable& prices, const EvaluateOptions& options,
                     const std::string& ns, std::optional<int64_t> created_at,
                     ClusterResult* r) {
  r->request = std::move(req);
  const ClusterRequest& request = r->request;
  r->cost =
      EstimateCost(request, prices, TtlHoursOverride(request, options.now));
  PolicyContext context;
  if (options.now != 0) context.now = options.now;
  context.created_at = created_at;
  r->verdicts = EvaluatePolicies(request, policies, r->cost, context);
  r->denied = IsDenied(r->verdicts);
  if (options.render) ExpandInto(config, catalog, options, ns, r);
}

}  // namespace

Evaluation Evaluate(const FileSet& files, const FileSet& builtin,
                    const EvaluateOptions& options) {
  Evaluation ev;
  ev.repo = LoadRepo(files);
  ev.ns = options.ns.empty() ? ev.repo.config.namespace_name : options.ns;
  // Built-in files first, then the repo's, so repo prices override.
  PolicyBundle bundle;
  LoadPolicyFiles(FilesUnder(builtin, "policies"), &bundle, &ev.repo.diags);
  LoadPolicyFiles(options.policies != nullptr
                      ? *options.policies
                      : FilesUnder(files, ev.repo.config.policies_path),
                  &bundle, &ev.repo.diags);
  const std::vector<Policy>& policies = bundle.policies;
  ev.prices = bundle.prices;
  const PriceTable& prices = ev.prices;
  ev.has_errors = HasErrors(ev.repo.diags);
  ev.blocked = ev.repo.broken;

  // Each cluster's cost, verdicts and objects depend only on its request
  // and the shared, read-only policies, prices and config: compute them in
  // parallel into their slots, then collect the verdicts in name order.
  // The requests move into their results: one copy of each (a request
  // carries its provider settings and field marks, some KiB each).
  std::vector<ClusterRequest> requests = std::move(ev.repo.requests);
  ev.repo.requests.clear();
  ev.clusters.resize(requests.size());
  ParallelFor(requests.size(), [&](size_t i) {
    std::optional<int64_t> created_at = CreatedAtFromStatus(
        files, ev.repo.config.status_path, requests[i].name);
    EvaluateCluster(std::move(requests[i]), ev.repo.config, ev.repo.catalog,
                    policies, prices, options, ev.ns, created_at,
                    &ev.clusters[i]);
  });
  if (options.render) {
    auto catalog = ExpandCatalog(ev.repo.catalog, ev.ns);
    if (catalog.ok()) {
      ev.catalog_objects = std::move(catalog).value();
    } else {
      ev.catalog_error = catalog.status().message();
      ev.has_errors = true;
    }
  }
  for (const ClusterResult& r : ev.clusters) {
    if (r.denied || !r.render_error.empty()) {
      ev.blocked.insert(r.request.name);
      ev.has_errors = true;
    }
  }
  return ev;
}

void RenderCluster(const Evaluation& ev, const EvaluateOptions& options,
                   ClusterResult* r) {
  ExpandInto(ev.repo.config, ev.repo.catalog, options, ev.ns, r);
}

void RemoveClusters(const std::set<std::string>& names, Evaluation* ev) {
  std::erase_if(ev->clusters, [&](const ClusterResult& c) {
    return names.count(c.request.name) > 0;
  });
}

}  // namespace capigitops
