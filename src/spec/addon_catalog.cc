// The add-on catalog as a whole: loading every add-on file, the checks
// across add-ons, and a ClusterRequest's spec.addons against the catalog.
#include <algorithm>
#include <map>

#include "capigitops/addons.h"

namespace capigitops {
namespace {

bool IsAddonFile(const std::string& path) {
  return path.ends_with(".yaml") || path.ends_with(".yml") ||
         path.ends_with(".json");
}

// Directly in `dir`: manifest files live in its subdirectories.
bool IsDirectlyUnder(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() + 1 &&
         path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/' &&
         path.find('/', dir.size() + 1) == std::string::npos;
}

// At most one ccm, csi and gpu add-on per provider: the one a cluster of
// that provider gets is chosen by the provider alone.
void CheckOnePerProvider(const AddonCatalog& catalog, Diagnostics* diags) {
  std::map<std::pair<AddonProvides, Provider>, const Addon*> chosen;
  for (const Addon& a : catalog.addons) {
    if (a.provides == AddonProvides::kCni ||
        a.provides == AddonProvides::kOther) {
      continue;
    }
    for (Provider p : a.providers) {
      auto [it, inserted] = chosen.emplace(std::pair{a.provides, p}, &a);
      if (inserted) continue;
      diags->push_back(
          {a.file, a.mark.line, a.mark.column, "spec.providers",
           std::string("both ") + it->second->name + " and " + a.name +
               " provide " + AddonProvidesName(a.provides) + " for " +
               ProviderName(p) +
               ": a cluster gets the one of its provider, so keep one (or "
               "make the other provides: other and opt in by name)"});
    }
  }
}

void CheckDefaultCni(const AddonCatalog& catalog, const RepoConfig& config,
                     Diagnostics* diags) {
  if (config.default_cni.empty()) return;
  const Addon* cni = catalog.Find(config.default_cni);
  std::string problem;
  if (cni == nullptr) {
    problem = "names \"" + config.default_cni +
              "\", which is not in the catalog (" + config.addons_path +
              "/): add " + config.addons_path + "/" + config.default_cni +
              ".yaml or name an existing cni add-on";
  } else if (cni->provides != AddonProvides::kCni) {
    problem = "names \"" + config.default_cni + "\", which provides " +
              AddonProvidesName(cni->provides) + ", not cni";
  }
  if (!problem.empty()) {
    diags->push_back({config.file, 0, 0, "addons.defaults.cni", problem});
  }
}

}  // namespace

const char* AddonProvidesName(AddonProvides p) {
  switch (p) {
    case AddonProvides::kCni:
      return "cni";
    case AddonProvides::kCcm:
      return "ccm";
    case AddonProvides::kCsi:
      return "csi";
    case AddonProvides::kGpu:
      return "gpu";
    case AddonProvides::kOther:
      return "other";
  }
  return "other";
}

std::optional<AddonProvides> ParseAddonProvides(std::string_view s) {
  for (AddonProvides p :
       {AddonProvides::kCni, AddonProvides::kCcm, AddonProvides::kCsi,
        AddonProvides::kGpu, AddonProvides::kOther}) {
    if (s == AddonProvidesName(p)) return p;
  }
  return std::nullopt;
}

const char* ReconcileStrategyName(ReconcileStrategy s) {
  return s == ReconcileStrategy::kContinuous ? "Continuous" : "InstallOnce";
}

const Addon* AddonCatalog::Find(std::string_view name) const {
  for (const Addon& a : addons) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::string AddonLabelKey(const std::string& name) {
  return "addons.capigitops.io/" + name;
}

AddonCatalog LoadAddonCatalog(const FileSet& files, const RepoConfig& config,
                              Diagnostics* diags) {
  AddonCatalog catalog;
  std::map<std::string, std::string> file_of_name;
  for (const auto& [path, text] : files) {
    if (!IsDirectlyUnder(path, config.addons_path) || !IsAddonFile(path)) {
      continue;
    }
    std::optional<Addon> addon = LoadAddon(path, text, files, diags);
    if (!addon) continue;
    auto [it, inserted] = file_of_name.emplace(addon->name, path);
    if (!inserted) {
      diags->push_back({path, addon->mark.line, addon->mark.column,
                        "metadata.name",
                        "add-on \"" + addon->name +
                            "\" is already defined in " + it->second});
      continue;
    }
    catalog.addons.push_back(std::move(*addon));
  }
  std::sort(catalog.addons.begin(), catalog.addons.end(),
            [](const Addon& a, const Addon& b) { return a.name < b.name; });
  CheckOnePerProvider(catalog, diags);
  CheckDefaultCni(catalog, config, diags);
  return catalog;
}

bool CheckAddonChoice(const ClusterRequest& req, const AddonCatalog& catalog,
                      const RepoConfig& config, Diagnostics* diags) {
  size_t before = diags->size();
  auto error = [&](const std::string& field, const std::string& message) {
    yaml::Mark at = req.MarkOf(field);
    if (at.line == 0) at = req.MarkOf("spec.provider");
    diags->push_back({req.file, at.line, at.column, field, message});
  };
  const char* provider = ProviderName(req.provider);
  std::string cni =
      req.addons.cni.empty() ? config.default_cni : req.addons.cni;
  const std::string cni_field = "spec.addons.cni";
  if (!cni.empty()) {
    const Addon* a = catalog.Find(cni);
    if (a == nullptr) {
      // A missing default is reported once, on capi-gitops.yaml.
      if (!req.addons.cni.empty()) {
        error(cni_field, "no add-on \"" + cni + "\" in the catalog (" +
                             config.addons_path + "/)");
      }
    } else if (a->provides != AddonProvides::kCni) {
      error(cni_field, "\"" + cni + "\" provides " +
                           AddonProvidesName(a->provides) + ", not cni");
    } else if (!a->AppliesTo(req.provider)) {
      error(cni_field,
            "the CNI \"" + cni + "\"" +
                (req.addons.cni.empty() ? " (the repository default)" : "") +
                " does not list provider " + provider +
                ": name a cni add-on for " + provider + " in spec.addons.cni");
    }
  }
  for (size_t i = 0; i < req.addons.extra.size(); ++i) {
    const std::string& name = req.addons.extra[i];
    std::string field = "spec.addons.extra[" + std::to_string(i) + "]";
    const Addon* a = catalog.Find(name);
    if (a == nullptr) {
      error(field, "no add-on \"" + name + "\" in the catalog (" +
                       config.addons_path + "/)");
    } else if (a->provides != AddonProvides::kOther) {
      error(field, "\"" + name + "\" provides " +
                       AddonProvidesName(a->provides) +
                       ", which capi-gitops chooses itself (cni: "
                       "spec.addons.cni; ccm, csi, gpu: by provider and "
                       "GPUs); only provides: other add-ons are opted into");
    } else if (!a->AppliesTo(req.provider)) {
      error(field, "\"" + name + "\" does not list provider " + provider);
    }
  }
  return diags->size() == before;
}

}  // namespace capigitops
