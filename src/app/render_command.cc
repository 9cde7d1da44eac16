// capi-gitops render [REPO_DIR] [--cluster N] [-o yaml|json] [--out-dir D]
//
// The output streams: the repository is evaluated without expansion, then
// the clusters are expanded and serialised a batch at a time (each batch
// in parallel), written and freed, so memory stays flat however many
// clusters the repository holds.
#include <filesystem>
#include <fstream>

#include "app/cli.h"
#include "app/load.h"
#include "app/report.h"
#include "capigitops/json.h"
#include "capigitops/render.h"
#include "capigitops/yaml.h"
#include "util/parallel.h"

namespace capigitops {
namespace {

// Enough clusters per batch to keep both cores busy, few enough that a
// batch's objects and text stay a few MB.
constexpr size_t kBatch = 256;

// One object as an item of the JSON List, as yaml::DumpJson(list, 2) writes
// it (two levels deep), after a ",\n" (the first item drops the comma).
void AppendJsonItem(const nlohmann::json& obj, std::string* out) {
  out->append(",\n    ");
  for (char c : yaml::DumpJson(obj, 2)) {
    out->push_back(c);
    if (c == '\n') out->append("    ");
  }
}

// The objects of one cluster, serialised.
std::string Serialize(const std::vector<nlohmann::json>& objects,
                      const std::string& format) {
  std::string out;
  for (const nlohmann::json& obj : objects) {
    if (format == "json") {
      AppendJsonItem(obj, &out);
    } else {
      out.append("---\n");
      yaml::EmitTo(obj, &out);
    }
  }
  return out;
}

// The JSON List around AppendJsonItem's items: the same bytes as
// yaml::DumpJson of the List with indent 2, written as it streams.
constexpr char kListHead[] = "{\n  \"apiVersion\": \"v1\",\n  \"items\": [";
constexpr char kListTail[] = ",\n  \"kind\": \"List\"\n}\n";

// Writes serialised clusters to stdout (one YAML stream or one JSON List)
// or one file per cluster (--out-dir).
class Sink {
 public:
  Sink(const Args& args, const CommandIo& io, const std::string& format)
      : io_(io), json_(format == "json"), format_(format) {
    if (args.count("out-dir")) dir_ = args["out-dir"].as<std::string>();
  }

  // False (after saying why) when a file cannot be written.
  bool Write(const std::string& name, const std::string& text) {
    if (!dir_.empty()) return WriteFile(name, text);
    if (!json_) {
      *io_.out << text;
    } else if (!text.empty()) {
      if (!any_item_) *io_.out << kListHead;
      *io_.out << (any_item_ ? std::string_view(text)
                             : std::string_view(text).substr(1));
      any_item_ = true;
    }
    return true;
  }

  // Ends the JSON List on stdout.
  void Finish() {
    if (!dir_.empty() || !json_) return;
    *io_.out << (any_item_ ? std::string("\n  ]")
                           : kListHead + std::string("]"))
             << kListTail;
  }

 private:
  bool WriteFile(const std::string& name, const std::string& text) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    std::filesystem::path file = dir_ / (name + "." + format_);
    std::ofstream out(file);
    if (json_) {
      out << kListHead << (text.empty() ? "]" : text.substr(1) + "\n  ]")
          << kListTail;
    } else {
      out << text;
    }
    if (!out) {
      *io_.err << "capi-gitops render: cannot write " << file.string() << "\n";
      return false;
    }
    return true;
  }

  const CommandIo& io_;
  bool json_;
  std::string format_;
  std::filesystem::path dir_;
  bool any_item_ = false;
};

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
  // Evaluated without expansion: the clusters are expanded below, a batch
  // at a time.
  CommandIo evaluate_only = io;
  evaluate_only.stage = Stage::kValidate;
  Loaded& loaded = NewKeptUntilExit<Loaded>();
  SyncOptions unused;
  int code = kExitOk;
  if (!LoadForStage(args, evaluate_only, &unused, &loaded, &code)) return code;
  Evaluation& ev = loaded.ev;
  PrintDiagnostics(ev, *io.err);
  EvaluateOptions eo;
  eo.revision = args["revision"].as<std::string>();
  bool has_errors = ev.has_errors;

  std::string only =
      args.count("cluster") ? args["cluster"].as<std::string>() : "";
  bool found = only.empty();
  Sink sink(args, io, format);
  // The add-on catalog's objects come first, as their own "cluster"
  // (--cluster addons.catalog, or addons.catalog.yaml in --out-dir).
  StatusOr<std::vector<nlohmann::json>> catalog =
      ExpandCatalog(ev.repo.catalog, ev.ns);
  has_errors |= !catalog.ok();
  if (catalog.ok() && !catalog->empty() &&
      (only.empty() || only == kCatalogInventoryName)) {
    found = true;
    if (!sink.Write(kCatalogInventoryName, Serialize(*catalog, format))) {
      return kExitSourceError;
    }
  }
  std::vector<ClusterResult>& clusters = ev.clusters;
  for (size_t first = 0; first < clusters.size(); first += kBatch) {
    size_t n = std::min(kBatch, clusters.size() - first);
    std::vector<std::string> parts(n);
    ParallelFor(n, [&](size_t i) {
      ClusterResult& c = clusters[first + i];
      if (!only.empty() && c.request.name != only) return;
      RenderCluster(ev, eo, &c);
      parts[i] = Serialize(c.objects, format);
      std::vector<nlohmann::json>().swap(c.objects);  // done with them
    });
    for (size_t i = 0; i < n; ++i) {
      const ClusterResult& c = clusters[first + i];
      if (!only.empty() && c.request.name != only) continue;
      found = true;
      if (!c.render_error.empty()) {
        *io.err << c.request.file << ": " << c.render_error << "\n";
        has_errors = true;
      }
      if (!sink.Write(c.request.name, parts[i])) return kExitSourceError;
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
  sink.Finish();
  return has_errors ? kExitInvalid : kExitOk;
}

}  // namespace capigitops
