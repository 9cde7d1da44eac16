#include "app/cluster_filter.h"

#include <filesystem>

#include "util/edit_distance.h"

namespace capigitops {
namespace {

std::string FileStem(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

bool UnderDir(const std::string& path, const std::string& dir) {
  return path.rfind(dir + "/", 0) == 0;
}

// "did you mean ..." for an unknown --cluster name.
Status UnknownCluster(const std::string& name,
                      const std::set<std::string>& known) {
  std::string message = "no cluster \"" + name + "\" in the repository";
  std::string guess = SuggestClosest(
      name, std::vector<std::string>(known.begin(), known.end()));
  if (!guess.empty()) message += ", did you mean \"" + guess + "\"?";
  return Status::InvalidArgument(message);
}

}  // namespace

void AddClusterFilterOptions(FlagSet* options) {
  options->add_options("selection")(
      "cluster",
      "only this cluster (repeat or comma-separate for several); the others "
      "are neither shown nor pruned",
      flags::value<std::vector<std::string>>())(
      "l,selector",
      "only clusters whose labels match, as kubectl -l: team=ml, env!=prod, "
      "tier in (a,b), gpu, !spot",
      flags::value<std::string>()->default_value(""));
}

StatusOr<ClusterFilter> ParseClusterFilter(const Args& args) {
  ClusterFilter f;
  for (const std::string& n : args["cluster"].as<std::vector<std::string>>()) {
    f.names.insert(n);
  }
  if (args.count("selector")) {
    ASSIGN_OR_RETURN(LabelSelector s,
                     LabelSelector::Parse(args["selector"].as<std::string>()));
    f.selector = std::move(s);
  }
  return f;
}

StatusOr<RepoFile> FindRepoAround(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path file = fs::absolute(path, ec);
  if (ec) return Status::NotFound(path + ": " + ec.message());
  file = file.lexically_normal();
  const std::string config = RepoConfig().file;
  for (fs::path dir = file.parent_path(); !dir.empty();
       dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / config, ec)) {
      RepoFile out;
      out.file = file.lexically_relative(dir).generic_string();
      // As the path was given: absolute stays absolute (-o github prints
      // file paths with it), relative stays relative to the working dir.
      fs::path shown = fs::path(path).is_absolute()
                           ? dir
                           : dir.lexically_proximate(fs::current_path(ec));
      out.repo_dir = shown.empty() ? "." : shown.generic_string();
      return out;
    }
    if (dir == dir.root_path()) break;
  }
  return Status::NotFound("no " + config + " in any directory above " + path +
                          ": give the repository directory instead");
}

StatusOr<std::set<std::string>> SelectClusters(
    const ClusterFilter& filter, const Evaluation& ev,
    const std::set<std::string>& live_only) {
  std::set<std::string> known(live_only);
  for (const ClusterResult& c : ev.clusters) known.insert(c.request.name);
  known.insert(ev.repo.broken.begin(), ev.repo.broken.end());
  for (const std::string& n : filter.names) {
    if (!known.count(n)) return UnknownCluster(n, known);
  }
  if (!filter.file.empty() &&
      !UnderDir(filter.file, ev.repo.config.clusters_path)) {
    return Status::InvalidArgument(
        filter.file + " is not a cluster spec: cluster specs are under " +
        ev.repo.config.clusters_path + "/");
  }
  std::map<std::string, const ClusterRequest*> requests;
  for (const ClusterResult& c : ev.clusters) {
    requests[c.request.name] = &c.request;
  }
  std::set<std::string> selected;
  for (const std::string& n : known) {
    auto req = requests.find(n);
    if (!filter.names.empty() && !filter.names.count(n)) continue;
    // A broken spec has no labels to match; a live cluster without a spec
    // has none in the repository either.
    if (filter.selector && (req == requests.end() ||
                            !filter.selector->Matches(req->second->labels)))
      continue;
    if (!filter.file.empty()) {
      bool same = req != requests.end()
                      ? req->second->file == filter.file
                      : ev.repo.broken.count(n) && FileStem(filter.file) == n;
      if (!same) continue;
    }
    selected.insert(n);
  }
  if (!filter.file.empty() && selected.empty()) {
    return Status::InvalidArgument(filter.file +
                                   " holds no cluster spec (ClusterRequest)");
  }
  return selected;
}

void RestrictEvaluation(const std::set<std::string>& selected, Evaluation* ev) {
  std::set<std::string> dropped;
  for (const ClusterResult& c : ev->clusters) {
    if (!selected.count(c.request.name)) dropped.insert(c.request.name);
  }
  RemoveClusters(dropped, ev);
  std::erase_if(ev->repo.broken,
                [&](const std::string& n) { return !selected.count(n); });
  std::erase_if(ev->blocked,
                [&](const std::string& n) { return !selected.count(n); });
  const std::string& clusters = ev->repo.config.clusters_path;
  std::erase_if(ev->repo.diags, [&](const Diagnostic& d) {
    return UnderDir(d.file, clusters) && !selected.count(FileStem(d.file));
  });
  bool errors = HasErrors(ev->repo.diags) || !ev->catalog_error.empty();
  for (const ClusterResult& c : ev->clusters) {
    errors = errors || c.denied || !c.render_error.empty();
  }
  ev->has_errors = errors;
}

}  // namespace capigitops
