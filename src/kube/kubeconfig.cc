// kubeconfig parsing and merging, as client-go's clientcmd does it.
#include "capigitops/kubeconfig.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "capigitops/yaml.h"
#include "util/base64.h"

namespace capigitops {
namespace {

using nlohmann::json;

struct Named {
  json value;
  std::string dir;  // directory of the file that defined it
};

struct Merged {
  std::map<std::string, Named> clusters, users, contexts;
  std::string current_context;
};

std::string Dir(const std::string& path) {
  return std::filesystem::path(path).parent_path().string();
}

std::string Resolve(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || dir.empty()) return path;
  return (std::filesystem::path(dir) / path).string();
}

std::string Str(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

Status MergeFile(const KubeconfigFile& file, Merged* m) {
  Diagnostics diags;
  yaml::Limits limits;
  limits.max_bytes = 16 << 20;
  std::vector<yaml::Node> docs =
      yaml::ParseDocuments(file.content, file.path, &diags, limits);
  if (!diags.empty()) {
    // Positions only: the content may hold secrets.
    return Status::InvalidArgument("kubeconfig " + file.path + " line " +
                                   std::to_string(diags[0].line) +
                                   " is not valid YAML");
  }
  if (docs.empty()) return Status::Ok();
  json doc = yaml::ToJson(docs[0]);
  if (!doc.is_object()) {
    return Status::InvalidArgument("kubeconfig " + file.path + " is not a map");
  }
  const std::string dir = Dir(file.path);
  auto add = [&](const char* list, const char* inner,
                 std::map<std::string, Named>* into) {
    auto it = doc.find(list);
    if (it == doc.end() || !it->is_array()) return;
    for (const json& entry : *it) {
      if (!entry.is_object()) continue;
      std::string name = Str(entry, "name");
      if (name.empty() || into->count(name)) continue;  // first file wins
      auto v = entry.find(inner);
      into->emplace(name, Named{v == entry.end() ? json::object() : *v, dir});
    }
  };
  add("clusters", "cluster", &m->clusters);
  add("users", "user", &m->users);
  add("contexts", "context", &m->contexts);
  if (m->current_context.empty())
    m->current_context = Str(doc, "current-context");
  return Status::Ok();
}

Status DecodeBase64Field(const json& obj, const char* key,
                         const std::string& what, std::string* out) {
  std::string encoded = Str(obj, key);
  if (encoded.empty()) return Status::Ok();
  std::optional<std::string> decoded = Base64Decode(encoded);
  if (!decoded) {
    return Status::InvalidArgument(what + ": " + key + " is not valid base64");
  }
  *out = *decoded;
  return Status::Ok();
}

StatusOr<ExecConfig> DecodeExec(const json& e, const std::string& dir,
                                const std::string& what) {
  ExecConfig exec;
  exec.api_version = Str(e, "apiVersion");
  exec.command = Str(e, "command");
  exec.base_dir = dir;
  if (exec.command.empty()) {
    return Status::InvalidArgument(what + ": exec.command is required");
  }
  if (exec.api_version != "client.authentication.k8s.io/v1" &&
      exec.api_version != "client.authentication.k8s.io/v1beta1") {
    return Status::InvalidArgument(what + ": exec.apiVersion \"" +
                                   exec.api_version +
                                   "\" is not supported; use "
                                   "client.authentication.k8s.io/v1");
  }
  // A relative command with a slash is relative to the kubeconfig's folder.
  if (exec.command.find('/') != std::string::npos) {
    exec.command = Resolve(dir, exec.command);
  }
  if (auto a = e.find("args"); a != e.end() && a->is_array()) {
    for (const json& arg : *a) {
      if (arg.is_string()) exec.args.push_back(arg.get<std::string>());
    }
  }
  if (auto env = e.find("env"); env != e.end() && env->is_array()) {
    for (const json& kv : *env) {
      if (kv.is_object())
        exec.env.emplace_back(Str(kv, "name"), Str(kv, "value"));
    }
  }
  if (auto p = e.find("provideClusterInfo"); p != e.end() && p->is_boolean()) {
    exec.provide_cluster_info = p->get<bool>();
  }
  if (!Str(e, "interactiveMode").empty()) {
    exec.interactive_mode = Str(e, "interactiveMode");
  }
  return exec;
}

Status ApplyCluster(const Named& c, const std::string& name, RestConfig* rc) {
  const json& v = c.value;
  const std::string what = "kubeconfig cluster \"" + name + "\"";
  rc->server = Str(v, "server");
  if (rc->server.empty())
    return Status::InvalidArgument(what + " has no server");
  rc->tls_server_name = Str(v, "tls-server-name");
  rc->proxy_url = Str(v, "proxy-url");
  if (auto i = v.find("insecure-skip-tls-verify");
      i != v.end() && i->is_boolean()) {
    rc->insecure_skip_tls_verify = i->get<bool>();
  }
  RETURN_IF_ERROR(
      DecodeBase64Field(v, "certificate-authority-data", what, &rc->ca_data));
  if (rc->ca_data.empty())
    rc->ca_file = Resolve(c.dir, Str(v, "certificate-authority"));
  if (rc->insecure_skip_tls_verify &&
      (!rc->ca_data.empty() || !rc->ca_file.empty())) {
    return Status::InvalidArgument(
        what +
        ": specifying a root certificates file with the insecure flag "
        "is not allowed");
  }
  return Status::Ok();
}

Status ApplyUser(const Named& u, const std::string& name, RestConfig* rc) {
  const json& v = u.value;
  const std::string what = "kubeconfig user \"" + name + "\"";
  RETURN_IF_ERROR(DecodeBase64Field(v, "client-certificate-data", what,
                                    &rc->client_cert_data));
  RETURN_IF_ERROR(
      DecodeBase64Field(v, "client-key-data", what, &rc->client_key_data));
  if (rc->client_cert_data.empty()) {
    rc->client_cert_file = Resolve(u.dir, Str(v, "client-certificate"));
  }
  if (rc->client_key_data.empty())
    rc->client_key_file = Resolve(u.dir, Str(v, "client-key"));
  bool has_cert =
      !rc->client_cert_data.empty() || !rc->client_cert_file.empty();
  bool has_key = !rc->client_key_data.empty() || !rc->client_key_file.empty();
  if (has_cert != has_key) {
    return Status::InvalidArgument(what +
                                   ": a client certificate needs a client key "
                                   "and vice versa");
  }
  rc->token = Str(v, "token");
  if (rc->token.empty()) rc->token_file = Resolve(u.dir, Str(v, "tokenFile"));
  rc->username = Str(v, "username");
  rc->password = Str(v, "password");
  if (auto e = v.find("exec"); e != v.end() && e->is_object()) {
    if (v.contains("auth-provider")) {
      return Status::InvalidArgument(
          what + ": exec and auth-provider cannot be combined");
    }
    ASSIGN_OR_RETURN(rc->exec, DecodeExec(*e, u.dir, what));
  } else if (v.contains("auth-provider")) {
    return Status::InvalidArgument(
        what +
        ": auth-provider plugins are not supported; use an exec "
        "credential plugin (e.g. gke-gcloud-auth-plugin, aws eks get-token, "
        "kubelogin)");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<RestConfig> ResolveKubeconfig(const std::vector<KubeconfigFile>& files,
                                       const KubeconfigOverrides& overrides) {
  Merged m;
  for (const KubeconfigFile& f : files) RETURN_IF_ERROR(MergeFile(f, &m));
  RestConfig rc;
  rc.context =
      overrides.context.empty() ? m.current_context : overrides.context;
  if (rc.context.empty()) {
    return Status::InvalidArgument(
        "no current-context in the kubeconfig: pass --context or run "
        "kubectl config use-context");
  }
  auto ctx = m.contexts.find(rc.context);
  if (ctx == m.contexts.end()) {
    return Status::NotFound("context \"" + rc.context +
                            "\" is not in the kubeconfig");
  }
  std::string cluster = Str(ctx->second.value, "cluster");
  std::string user = Str(ctx->second.value, "user");
  auto c = m.clusters.find(cluster);
  if (c == m.clusters.end()) {
    return Status::NotFound("context \"" + rc.context + "\" names cluster \"" +
                            cluster + "\", which is not in the kubeconfig");
  }
  RETURN_IF_ERROR(ApplyCluster(c->second, cluster, &rc));
  if (!user.empty()) {
    auto u = m.users.find(user);
    if (u == m.users.end()) {
      return Status::NotFound("context \"" + rc.context + "\" names user \"" +
                              user + "\", which is not in the kubeconfig");
    }
    RETURN_IF_ERROR(ApplyUser(u->second, user, &rc));
  }
  std::string ns = Str(ctx->second.value, "namespace");
  if (!ns.empty()) rc.namespace_name = ns;
  if (!overrides.namespace_name.empty())
    rc.namespace_name = overrides.namespace_name;
  return rc;
}

std::string RedactUrl(const std::string& url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  size_t at = url.rfind('@', end == std::string::npos ? url.size() : end);
  if (at == std::string::npos || at < start) return url;
  return url.substr(0, start) + "***" + url.substr(at);
}

}  // namespace capigitops
