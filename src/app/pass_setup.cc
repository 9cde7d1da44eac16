#include "app/pass_setup.h"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>

#include "app/cluster_access.h"
#include "capigitops/duration.h"

namespace capigitops {
namespace {

// The flag when given; else the file an environment variable names, when it
// exists.
std::string FlagOrEnvFile(const std::string& flag, const char* env) {
  if (!flag.empty()) return flag;
  const char* path = std::getenv(env);
  std::error_code ec;
  if (path == nullptr || !*path || !std::filesystem::exists(path, ec)) {
    return "";
  }
  return path;
}

// "1/3" -> "1-3", for a directory name.
std::string FileSafe(std::string text) {
  for (char& c : text) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '-';
  }
  return text;
}

}  // namespace

void AddSourceOptions(FlagSet* options) {
  options->add_options("source")(
      "repo",
      "Git URL (https://, ssh://, git@host:path, file://) or local path",
      flags::value<std::string>())(
      "branch", "spec branch",
      flags::value<std::string>()->default_value("main"))(
      "revision", "pin this commit instead of the branch tip",
      flags::value<std::string>()->default_value(""))(
      "status-branch", "commit status here instead of the spec branch",
      flags::value<std::string>()->default_value(""))(
      "cache-dir", "where the repository is cloned and fetched",
      flags::value<std::string>()->default_value(""))(
      "git-username", "https user name",
      flags::value<std::string>()->default_value(""))(
      "git-token-file", "file holding the https token or password",
      flags::value<std::string>()->default_value(""))(
      "git-token-env", "environment variable holding the https token",
      flags::value<std::string>()->default_value(""))(
      "ssh-key", "private key for ssh",
      flags::value<std::string>()->default_value(""))(
      "known-hosts",
      "known_hosts for ssh (unknown or changed host keys are refused)",
      flags::value<std::string>()->default_value(""))(
      "read-only",
      "write nothing to Git or the cluster, not even a dry run: only reads "
      "are sent; print what would change")(
      "dry-run",
      "write nothing to Git or the cluster; the cluster writes of the pass "
      "are sent as server-side dry runs")(
      "allow-mass-deletion", "ignore the deletion budget for this pass")(
      "allow-addon-removal",
      "let a live cluster lose its CNI or cloud-controller-manager label "
      "(uninstalls it) in this pass")(
      "wait", "seconds to wait for a deleted Cluster to disappear",
      flags::value<int>()->default_value("120"))(
      "now", "pretend it is this RFC 3339 time (tests and demos only)",
      flags::value<std::string>()->default_value(""))(
      "author", "status commit author as 'Name <email>'",
      flags::value<std::string>()->default_value(""))(
      "shard",
      "I/N: act only on the clusters of shard I of N (0 <= I < N; "
      "docs/deploy.md)",
      flags::value<std::string>()->default_value(""));
  AddClusterOptions(options);
}

GitSourceOptions SourceOptions(const Args& args, const std::string& branch) {
  GitSourceOptions o;
  o.url = args["repo"].as<std::string>();
  // A local directory is read as a repository in place.
  std::error_code ec;
  if (o.url.find("://") == std::string::npos &&
      std::filesystem::exists(o.url, ec)) {
    o.url = std::filesystem::absolute(o.url, ec).string();
  }
  o.branch = branch;
  o.revision = args["revision"].as<std::string>();
  o.cache_dir = args["cache-dir"].as<std::string>();
  if (o.cache_dir.empty()) {
    const char* home = std::getenv("HOME");
    o.cache_dir =
        std::string(home ? home : "/tmp") + "/.cache/capi-gitops/" +
        std::to_string(std::hash<std::string>{}(o.url + "#" + branch));
    // Shards may share a machine (and a home): one clone each.
    if (args.count("shard")) {
      std::string shard = args["shard"].as<std::string>();
      if (!shard.empty()) o.cache_dir += "-shard-" + FileSafe(shard);
    }
  }
  o.auth.username = args["git-username"].as<std::string>();
  o.auth.token_file =
      FlagOrEnvFile(args["git-token-file"].as<std::string>(), "GIT_TOKEN_FILE");
  o.auth.token_env = args["git-token-env"].as<std::string>();
  o.auth.ssh_key_file =
      FlagOrEnvFile(args["ssh-key"].as<std::string>(), "GIT_SSH_KEY_FILE");
  o.auth.known_hosts_file = FlagOrEnvFile(args["known-hosts"].as<std::string>(),
                                          "GIT_KNOWN_HOSTS_FILE");
  return o;
}

bool ParseReconcileOptions(const Args& args, const CommandIo& io, bool ttl_only,
                           ReconcileOptions* ro, bool* now_pinned) {
  ro->ttl_only = ttl_only;
  ro->branch = args["branch"].as<std::string>();
  ro->status_branch = args["status-branch"].as<std::string>();
  for (const std::string* b : {&ro->branch, &ro->status_branch}) {
    if (!b->empty() && !IsValidBranchName(*b)) {
      *io.err << "capi-gitops: \"" << *b
              << "\" is not a valid Git branch name\n";
      return false;  // a usage error (exit 2), not an unreadable repository
    }
  }
  ro->ns_override = args["namespace"].as<std::string>();
  if (std::string shard = args["shard"].as<std::string>(); !shard.empty()) {
    StatusOr<Shard> parsed = ParseShard(shard);
    if (!parsed.ok()) {
      *io.err << "capi-gitops: " << parsed.status().message() << "\n";
      return false;  // a usage error (exit 2)
    }
    ro->shard = *parsed;
  }
  ro->now = static_cast<int64_t>(std::time(nullptr));
  *now_pinned = false;
  if (std::string now = args["now"].as<std::string>(); !now.empty()) {
    auto t = ParseRfc3339(now);
    if (!t) {
      *io.err << "capi-gitops: --now \"" << now
              << "\" is not an RFC 3339 time\n";
      return false;
    }
    ro->now = *t;
    *now_pinned = true;
  }
  if (std::string author = args["author"].as<std::string>(); !author.empty()) {
    size_t lt = author.find('<');
    ro->author_name =
        author.substr(0, lt == std::string::npos ? author.size() : lt);
    while (!ro->author_name.empty() && ro->author_name.back() == ' ')
      ro->author_name.pop_back();
    if (lt != std::string::npos) {
      ro->author_email = author.substr(lt + 1, author.find('>') - lt - 1);
    }
  }
  ro->sync.prune = true;
  ro->sync.allow_mass_deletion = args.count("allow-mass-deletion") > 0;
  ro->sync.allow_addon_removal = args.count("allow-addon-removal") > 0;
  ro->sync.wait_seconds = args["wait"].as<int>();
  // Through a dry run a deleted Cluster never goes: do not wait for it.
  if (WritesNothing(args)) ro->sync.wait_seconds = 0;
  ro->sync.now = ro->now;

  return true;
}

PassSources OpenSources(const Args& args, const ReconcileOptions& ro) {
  PassSources s;
  auto own = [&s](std::unique_ptr<GitSource> source) {
    s.owned.push_back(std::move(source));
    return s.owned.back().get();
  };
  bool read_only = WritesNothing(args);
  auto open = [&](GitSourceOptions o) {
    GitSource* source = own(NewLibgit2Source(o));
    return read_only ? own(std::make_unique<ReadOnlyGitSource>(source))
                     : source;
  };
  s.spec = open(SourceOptions(args, ro.branch));
  s.status = s.spec;
  if (!ro.status_branch.empty()) {
    GitSourceOptions so = SourceOptions(args, ro.status_branch);
    so.revision.clear();
    s.status = open(so);
  }
  return s;
}

bool WritesNothing(const Args& args) {
  return args.count("read-only") > 0 || args.count("dry-run") > 0;
}

KubeApi* ClusterView(const Args& args, KubeApi* kube,
                     std::unique_ptr<KubeApi>* holder) {
  if (args.count("read-only")) {
    *holder = std::make_unique<ReadOnlyKubeApi>(*kube);
  } else if (args.count("dry-run")) {
    *holder = std::make_unique<DryRunKubeApi>(*kube);
  } else {
    return kube;
  }
  return holder->get();
}

std::unique_ptr<WorkloadConnector> WorkloadConnectorFor(KubeApi* management) {
  WorkloadConnectOptions options;
  options.request_timeout_ms = 10000;
  options.max_retries = 0;
  return NewSecretWorkloadConnector(management, options);
}

}  // namespace capigitops
