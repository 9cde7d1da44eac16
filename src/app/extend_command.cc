// capi-gitops extend NAME DURATION [REPO_DIR]: moves a cluster's expiry by
// DURATION by editing the one `ttl:`/`expiresAt:` line of its spec, leaving
// every other byte as it was, so the change is a one-line pull request.
#include <ctime>
#include <fstream>
#include <sstream>

#include "app/builtin_policies.h"
#include "app/cli.h"
#include "app/status_read.h"
#include "capigitops/duration.h"
#include "capigitops/loader.h"
#include "capigitops/reconcile.h"
#include "capigitops/writeback.h"
#include "capigitops/yaml.h"

namespace capigitops {
namespace {

const ClusterResult* FindCluster(const Evaluation& ev,
                                 const std::string& name) {
  for (const ClusterResult& c : ev.clusters) {
    if (c.request.name == name) return &c;
  }
  return nullptr;
}

// The repository's policies (built-in first, as Evaluate loads them) on the
// edited request, with the cluster's createdAt, so that maxLifetime counts
// from the real creation and not from now.
std::vector<Verdict> VerdictsSinceCreation(const FileSet& files,
                                           const RepoConfig& config,
                                           const ClusterResult& c, int64_t now,
                                           int64_t created_at) {
  PolicyBundle bundle;
  Diagnostics ignored;  // the edited repository evaluated cleanly above
  LoadPolicyFiles(BuiltinPolicyFiles(), &bundle, &ignored);
  FileSet repo_policies;
  for (const auto& [path, text] : files) {
    if (path.rfind(config.policies_path + "/", 0) == 0) {
      repo_policies[path] = text;
    }
  }
  LoadPolicyFiles(repo_policies, &bundle, &ignored);
  PolicyContext context;
  context.now = now;
  if (created_at != 0) context.created_at = created_at;
  return EvaluatePolicies(c.request, bundle.policies, c.cost, context);
}

// Replaces the value that starts at `column` (1-based) of `line` (1-based)
// in `text`, keeping quotes, the trailing comment and everything else.
StatusOr<std::string> ReplaceValue(const std::string& text, int line,
                                   int column, const std::string& value) {
  size_t start = 0;
  for (int l = 1; l < line; ++l) {
    start = text.find('\n', start);
    if (start == std::string::npos) return Status::Internal("line not found");
    ++start;
  }
  size_t end_of_line = text.find('\n', start);
  if (end_of_line == std::string::npos) end_of_line = text.size();
  size_t at = start + column - 1;
  if (at >= end_of_line) return Status::Internal("column not found");
  char quote = text[at] == '"' || text[at] == '\'' ? text[at] : 0;
  size_t end = at;
  if (quote) {
    end = text.find(quote, at + 1);
    if (end == std::string::npos || end > end_of_line) {
      return Status::Internal("unterminated quote");
    }
    ++end;
  } else {
    // A plain scalar ends at " #" (a comment), a flow "," or "}", or the line.
    while (end < end_of_line && text[end] != ',' && text[end] != '}' &&
           !(text[end] == '#' && end > at && text[end - 1] == ' ')) {
      ++end;
    }
    while (end > at && (text[end - 1] == ' ' || text[end - 1] == '\r')) --end;
  }
  std::string replacement = quote ? quote + value + quote : value;
  return text.substr(0, at) + replacement + text.substr(end);
}

}  // namespace

void AddExtendOptions(FlagSet* options) {
  options->add_options()("name", "the cluster", flags::value<std::string>())(
      "duration", "how much longer, e.g. 6h, 2d, 1h30m",
      flags::value<std::string>())(
      "repo-dir", "repository directory (default: .)",
      flags::value<std::string>()->default_value("."))(
      "now", "the time to count from (RFC 3339; default: the clock)",
      flags::value<std::string>());
  options->parse_positional({"name", "duration", "repo-dir"});
  options->positional_help("NAME DURATION [REPO_DIR]");
  options->examples(
      "capi-gitops extend llm-train-us-central1 6h\n"
      "capi-gitops extend dev-sandbox 1d ./cluster-repo && git commit -am "
      "'extend dev-sandbox by 1d'");
}

int RunExtend(const Args& args, const CommandIo& io) {
  const char* me = "capi-gitops extend: ";
  if (!args.count("name") || !args.count("duration")) {
    *io.err << me << "usage: capi-gitops extend NAME DURATION [REPO_DIR]\n";
    return kExitUsage;
  }
  std::string name = args["name"].as<std::string>();
  std::string dur_text = args["duration"].as<std::string>();
  std::optional<int64_t> by = ParseDuration(dur_text);
  if (!by) {
    *io.err << me << "\"" << dur_text
            << "\" is not a duration (e.g. 6h, 2d, 1h30m)\n";
    return kExitUsage;
  }
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  if (args.count("now")) {
    std::string t = args["now"].as<std::string>();
    std::optional<int64_t> parsed = ParseRfc3339(t);
    if (!parsed) {
      *io.err << me << "--now \"" << t << "\" is not an RFC 3339 time\n";
      return kExitUsage;
    }
    now = *parsed;
  }
  std::string dir = args["repo-dir"].as<std::string>();
  StatusOr<FileSet> files = ReadRepoDirectory(dir);
  if (!files.ok()) {
    *io.err << me << files.status().message() << "\n";
    return kExitSourceError;
  }
  EvaluateOptions eo;
  eo.now = now;
  Evaluation before = Evaluate(*files, BuiltinPolicyFiles(), eo);
  const ClusterResult* found = FindCluster(before, name);
  if (!found) {
    *io.err << me << "no cluster \"" << name << "\" in " << dir << "/"
            << before.repo.config.clusters_path
            << " (or its spec has errors: run capi-gitops validate)\n";
    return kExitInvalid;
  }
  const ClusterRequest& req = found->request;
  std::map<std::string, nlohmann::json> statuses =
      ReadStatusFiles(dir, before.repo.config);
  int64_t created_at =
      statuses.count(name) ? StatusCreatedAt(statuses.at(name)) : 0;
  TtlDecision old_ttl = DecideTtl(req, created_at, now);
  std::string field, value;
  if (req.ttl.kind == TtlKind::kDuration) {
    field = "spec.ttl";
    value = FormatDuration(req.ttl.seconds + *by);
  } else if (req.ttl.kind == TtlKind::kExpiresAt) {
    field = "spec.expiresAt";
    value = FormatRfc3339(req.ttl.expires_at + *by);
  } else {
    *io.err << me << name << " has "
            << (req.ttl.kind == TtlKind::kNever ? "ttl: never"
                                                : "no ttl or expiresAt")
            << ": there is no expiry to move\n";
    return kExitInvalid;
  }
  yaml::Mark mark = req.MarkOf(field);
  std::string text = files->at(req.file);
  StatusOr<std::string> edited =
      ReplaceValue(text, mark.line, mark.column, value);
  if (!edited.ok()) {
    *io.err << me << req.file << ":" << mark.line << ": cannot edit " << field
            << ": " << edited.status().message() << "\n";
    return kExitInvalid;
  }
  FileSet after_files = *files;
  after_files[req.file] = *edited;
  Evaluation after = Evaluate(after_files, BuiltinPolicyFiles(), eo);
  const ClusterResult* result = FindCluster(after, name);
  if (!result) {
    *io.err << me << "the edited spec does not load; file left unchanged\n";
    return kExitInvalid;
  }
  std::vector<Verdict> verdicts = VerdictsSinceCreation(
      after_files, after.repo.config, *result, now, created_at);
  for (const Verdict& v : verdicts) *io.out << v.ToString() << "\n";
  if (IsDenied(verdicts)) {
    *io.out << req.file << " left unchanged: policy denies " << field << ": "
            << value << "\n";
    return kExitInvalid;
  }
  std::ofstream out(dir + "/" + req.file, std::ios::binary | std::ios::trunc);
  out << *edited;
  if (!out.flush()) {
    *io.err << me << "cannot write " << dir << "/" << req.file << "\n";
    return kExitSourceError;
  }
  TtlDecision new_ttl = DecideTtl(result->request, created_at, now);
  *io.out << req.file << ":" << mark.line << ": " << field.substr(5) << ": "
          << req.ttl.text << " -> " << value << "\n"
          << "expiry moves from " << FormatRfc3339(old_ttl.expires_at) << " to "
          << FormatRfc3339(new_ttl.expires_at)
          << (req.ttl.kind == TtlKind::kDuration && created_at == 0
                  ? " (not created yet: counted from now)"
                  : "")
          << "\npolicy: "
          << (verdicts.empty() ? "allowed" : "allowed with warnings (above)")
          << "\nCommit and open a pull request: git commit -am 'extend " << name
          << " by " << dur_text << "'\n";
  return kExitOk;
}

}  // namespace capigitops
