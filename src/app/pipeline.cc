#include "app/pipeline.h"

#include <algorithm>

#include "capigitops/render.h"
#include "util/parallel.h"

namespace capigitops {
namespace {

bool IsPriceFile(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string base = path.substr(slash == std::string::npos ? 0 : slash + 1);
  return base == "prices.yaml" || base == "prices.yml";
}

bool IsUnder(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() + 1 &&
         path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

// Built-in files first, then the repo's, so repo prices override.
void LoadPolicyFiles(const FileSet& files, const std::string& dir,
                     std::vector<Policy>* policies, PriceTable* prices,
                     Diagnostics* diags) {
  for (const auto& [path, text] : files) {
    if (!IsUnder(path, dir)) continue;
    if (IsPriceFile(path)) {
      Diagnostics d = LoadPriceTable(path, text, prices);
      diags->insert(diags->end(), d.begin(), d.end());
    } else {
      LoadPolicies(path, text, policies, diags);
    }
  }
}

std::optional<double> TtlHoursOverride(const ClusterRequest& req, int64_t now) {
  if (req.ttl.kind != TtlKind::kExpiresAt) return std::nullopt;
  return std::max<double>(0,
                          static_cast<double>(req.ttl.expires_at - now) / 3600);
}

void EvaluateCluster(const ClusterRequest& req, const RepoConfig& config,
                     const std::vector<Policy>& policies,
                     const PriceTable& prices, const EvaluateOptions& options,
                     ClusterResult* r) {
  r->request = req;
  r->cost = EstimateCost(req, prices, TtlHoursOverride(req, options.now));
  PolicyContext context;
  if (options.now != 0) context.now = options.now;
  r->verdicts = EvaluatePolicies(req, policies, r->cost, context);
  r->denied = IsDenied(r->verdicts);
  if (options.render && !r->denied) {
    auto objects = Expand(req, config, RenderOptions{options.revision});
    if (objects.ok()) {
      r->objects = std::move(objects).value();
    } else {
      r->render_error = objects.status().message();
    }
  }
}

}  // namespace

Evaluation Evaluate(const FileSet& files, const FileSet& builtin,
                    const EvaluateOptions& options) {
  Evaluation ev;
  ev.repo = LoadRepo(files);
  std::vector<Policy> policies;
  PriceTable prices;
  LoadPolicyFiles(builtin, "policies", &policies, &prices, &ev.repo.diags);
  LoadPolicyFiles(files, ev.repo.config.policies_path, &policies, &prices,
                  &ev.repo.diags);
  ev.has_errors = HasErrors(ev.repo.diags);
  ev.blocked = ev.repo.broken;

  // Each cluster's cost, verdicts and objects depend only on its request
  // and the shared, read-only policies, prices and config: compute them in
  // parallel into their slots, then collect the verdicts in name order.
  const std::vector<ClusterRequest>& requests = ev.repo.requests;
  ev.clusters.resize(requests.size());
  ParallelFor(requests.size(), [&](size_t i) {
    EvaluateCluster(requests[i], ev.repo.config, policies, prices, options,
                    &ev.clusters[i]);
  });
  for (const ClusterResult& r : ev.clusters) {
    if (r.denied || !r.render_error.empty()) {
      ev.blocked.insert(r.request.name);
      ev.has_errors = true;
    }
  }
  return ev;
}

}  // namespace capigitops
