// capi-gitops render [REPO_DIR] [--cluster N] [-o yaml|json] [--out-dir D]
#include <filesystem>
#include <fstream>

#include "app/cli.h"
#include "app/load.h"
#include "app/report.h"
#include "capigitops/json.h"
#include "capigitops/yaml.h"
#include "util/parallel.h"

namespace capigitops {
namespace {

// The objects of `clusters` in order, as one YAML stream or one JSON List.
std::string Serialize(const std::vector<const ClusterResult*>& clusters,
                      const std::string& format) {
  if (format == "json") {
    nlohmann::json items = nlohmann::json::array();
    for (const ClusterResult* c : clusters) {
      for (const nlohmann::json& obj : c->objects) items.push_back(obj);
    }
    nlohmann::json list = {
        {"apiVersion", "v1"}, {"kind", "List"}, {"items", std::move(items)}};
    return yaml::DumpJson(list, 2) + "\n";
  }
  // One buffer per cluster, emitted in parallel (emitting is a third of
  // rendering a large repository), joined in order.
  std::vector<std::string> parts(clusters.size());
  ParallelFor(clusters.size(), [&](size_t i) {
    for (const nlohmann::json& obj : clusters[i]->objects) {
      parts[i].append("---\n");
      yaml::EmitTo(obj, &parts[i]);
    }
  });
  size_t size = 0;
  for (const std::string& part : parts) size += part.size();
  std::string out;
  out.reserve(size);
  for (const std::string& part : parts) out.append(part);
  return out;
}

}  // namespace

void AddRenderOptions(FlagSet* options) {
  options->add_options()("cluster", "render only this cluster",
                         flags::value<std::string>())(
      "o,output", "yaml or json",
      flags::value<std::string>()->default_value("yaml"))(
      "out-dir", "write one file per cluster into this directory",
      flags::value<std::string>())(
      "revision", "source revision to record on each Cluster",
      flags::value<std::string>()->default_value(""));
  AddRepoDirArgument(options);
  options->examples(
      "capi-gitops render\n"
      "capi-gitops render ./cluster-repo --cluster dev-sandbox -o json\n"
      "capi-gitops render . --out-dir rendered/");
}

int RunRender(const Args& args, const CommandIo& io) {
  std::string format = args["output"].as<std::string>();
  if (format != "yaml" && format != "json") {
    *io.err << "capi-gitops render: -o must be yaml or json\n";
    return kExitUsage;
  }
  Loaded& loaded = NewKeptUntilExit<Loaded>();
  SyncOptions unused;
  int code = kExitOk;
  if (!LoadForStage(args, io, &unused, &loaded, &code)) return code;
  const Evaluation& ev = loaded.ev;
  PrintDiagnostics(ev, *io.err);

  std::string only =
      args.count("cluster") ? args["cluster"].as<std::string>() : "";
  bool found = only.empty();
  std::vector<const ClusterResult*> all;
  // The add-on catalog's objects come first, as their own "cluster"
  // (--cluster addons.catalog, or addons.catalog.yaml in --out-dir).
  std::vector<const ClusterResult*> results;
  ClusterResult& catalog = NewKeptUntilExit<ClusterResult>();
  catalog.request.name = kCatalogInventoryName;
  catalog.objects = ev.catalog_objects;
  if (!catalog.objects.empty()) results.push_back(&catalog);
  for (const ClusterResult& c : ev.clusters) results.push_back(&c);
  for (const ClusterResult* cp : results) {
    const ClusterResult& c = *cp;
    if (!only.empty() && c.request.name != only) continue;
    found = true;
    if (args.count("out-dir")) {
      std::filesystem::path dir = args["out-dir"].as<std::string>();
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
      std::filesystem::path file = dir / (c.request.name + "." + format);
      std::ofstream out(file);
      out << Serialize({&c}, format);
      if (!out) {
        *io.err << "capi-gitops render: cannot write " << file.string() << "\n";
        return kExitSourceError;
      }
    } else {
      all.push_back(&c);
    }
  }
  if (!found) {
    bool broken = ev.repo.broken.count(only) > 0;
    *io.err << "capi-gitops render: cluster \"" << only << "\" "
            << (broken ? "has errors (see above)"
                       : "is not defined in the repository")
            << "\n";
    return broken ? kExitInvalid : kExitUsage;
  }
  if (!args.count("out-dir")) *io.out << Serialize(all, format);
  return ev.has_errors ? kExitInvalid : kExitOk;
}

}  // namespace capigitops
