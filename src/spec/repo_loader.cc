// Loading a whole repository from a FileSet: config first, then every
// cluster file, reporting all problems of all files in one pass.
#include <algorithm>

#include "capigitops/loader.h"
#include "util/parallel.h"

namespace capigitops {
namespace {

bool IsSpecFile(const std::string& path) {
  auto ends = [&](const char* suffix) {
    std::string_view s(suffix);
    return path.size() > s.size() &&
           path.compare(path.size() - s.size(), s.size(), s) == 0;
  };
  return ends(".yaml") || ends(".yml") || ends(".json");
}

std::string Stem(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string base = path.substr(slash == std::string::npos ? 0 : slash + 1);
  size_t dot = base.rfind('.');
  return dot == std::string::npos ? base : base.substr(0, dot);
}

bool IsUnder(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() + 1 &&
         path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

struct LoadedFile {
  std::optional<ClusterRequest> req;
  Diagnostics diags;
};

// Adds one decoded file, unless its name is wrong or already taken.
void AddLoaded(const std::string& path, std::optional<ClusterRequest> req,
               std::map<std::string, std::string>* file_of_name,
               LoadedRepo* repo) {
  const std::string stem = Stem(path);
  if (!req) {
    repo->broken.insert(stem);
    return;
  }
  bool ok = true;
  if (req->name != stem) {
    yaml::Mark at = req->MarkOf("metadata.name");
    repo->diags.push_back({path, at.line, at.column, "metadata.name",
                           "\"" + req->name +
                               "\" does not match the file name: rename the "
                               "file to " +
                               req->name + path.substr(path.rfind('.')) +
                               " or set metadata.name to \"" + stem + "\""});
    ok = false;
  }
  auto [it, inserted] = file_of_name->emplace(req->name, path);
  if (!inserted) {
    yaml::Mark at = req->MarkOf("metadata.name");
    repo->diags.push_back({path, at.line, at.column, "metadata.name",
                           "cluster \"" + req->name +
                               "\" is already defined in " + it->second +
                               ": names must be unique"});
    ok = false;
    repo->broken.insert(req->name);
  }
  if (!ok) {
    repo->broken.insert(stem);
    return;
  }
  repo->requests.push_back(std::move(*req));
}

}  // namespace

std::vector<std::string> RepoPaths(const RepoConfig& config) {
  // approvals.yaml: releases of held mass deletions (docs/approvals.md).
  return {RepoConfig().file,    "approvals.yaml",   config.clusters_path,
          config.policies_path, config.status_path, config.addons_path};
}

LoadedRepo LoadRepo(const FileSet& files) {
  LoadedRepo repo;
  auto cfg = files.find("capi-gitops.yaml");
  if (cfg != files.end()) {
    LoadRepoConfig(cfg->first, cfg->second, &repo.config, &repo.diags);
  }
  repo.catalog = LoadAddonCatalog(files, repo.config, &repo.diags);
  std::vector<const std::pair<const std::string, std::string>*> specs;
  for (const auto& file : files) {
    if (IsUnder(file.first, repo.config.clusters_path) &&
        IsSpecFile(file.first)) {
      specs.push_back(&file);
    }
  }
  // Decoding a file depends only on the file and the config, and is most of
  // the time of loading a large repository: decode them all in parallel,
  // then check names and merge diagnostics in file order as before.
  std::vector<LoadedFile> loaded(specs.size());
  auto shared = std::make_shared<const ProviderSettings>(repo.config.providers);
  ParallelFor(specs.size(), [&](size_t i) {
    loaded[i].req = LoadClusterRequest(specs[i]->first, specs[i]->second,
                                       repo.config, &loaded[i].diags, shared);
  });
  repo.requests.reserve(specs.size());
  std::map<std::string, std::string> file_of_name;
  for (size_t i = 0; i < specs.size(); ++i) {
    const std::string& path = specs[i]->first;
    repo.diags.insert(repo.diags.end(),
                      std::make_move_iterator(loaded[i].diags.begin()),
                      std::make_move_iterator(loaded[i].diags.end()));
    if (loaded[i].req && !CheckAddonChoice(*loaded[i].req, repo.catalog,
                                           repo.config, &repo.diags)) {
      loaded[i].req.reset();
    }
    AddLoaded(path, std::move(loaded[i].req), &file_of_name, &repo);
  }
  // A name defined twice is broken everywhere: neither file wins.
  std::erase_if(repo.requests, [&](const ClusterRequest& r) {
    return repo.broken.count(r.name) > 0;
  });
  std::sort(repo.requests.begin(), repo.requests.end(),
            [](const ClusterRequest& a, const ClusterRequest& b) {
              return a.name < b.name;
            });
  return repo;
}

}  // namespace capigitops
