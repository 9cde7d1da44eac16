// Legacy (unaggregated) discovery and the OpenAPI v3 documents kubectl 1.32
// reads to learn that the server validates fields itself (kube-api.md 1.x).
#include <functional>

#include "api.h"

namespace capigitops::sandbox {
namespace {

const json kAllVerbs = {"create", "delete", "deletecollection", "get",
                        "list",   "patch",  "update",           "watch"};

json VersionInfo() {
  return {{"major", "1"},
          {"minor", "32"},
          {"gitVersion", "v1.32.4"},
          {"gitCommit", "59526cd4867447956156ae3a602fcbac10a2c335"},
          {"gitTreeState", "clean"},
          {"buildDate", "2025-04-22T16:00:00Z"},
          {"goVersion", "go1.23.6"},
          {"compiler", "gc"},
          {"platform", "linux/amd64"}};
}

json GroupJson(const std::string& name, const std::vector<std::string>& vs) {
  json versions = json::array();
  for (const std::string& v : vs) {
    versions.push_back({{"groupVersion", name + "/" + v}, {"version", v}});
  }
  return {{"name", name},
          {"versions", versions},
          {"preferredVersion", versions.at(0)}};
}

json ResourceList(const KindRegistry& kinds, const std::string& group,
                  const std::string& version) {
  json resources = json::array();
  for (const ResourceType& t : kinds.types()) {
    if (t.group != group) continue;
    const KindVersion* v = t.FindVersion(version);
    if (v == nullptr) continue;
    json r = {
        {"name", t.plural},
        {"singularName", t.singular},
        {"namespaced", t.namespaced},
        {"kind", t.kind},
        {"verbs", t.read_only ? json{"get", "list", "watch"} : kAllVerbs}};
    if (!t.short_names.empty()) r["shortNames"] = t.short_names;
    if (!t.categories.empty()) r["categories"] = t.categories;
    resources.push_back(r);
    if (v->status_subresource) {
      resources.push_back({{"name", t.plural + "/status"},
                           {"singularName", ""},
                           {"namespaced", t.namespaced},
                           {"kind", t.kind},
                           {"verbs", {"get", "patch", "update"}}});
    }
  }
  return {{"kind", "APIResourceList"},
          {"apiVersion", "v1"},
          {"groupVersion", group.empty() ? version : group + "/" + version},
          {"resources", resources}};
}

// All group-versions as OpenAPI path keys: "api/v1", "apis/g/v".
std::vector<std::pair<std::string, std::string>> GroupVersions(
    const KindRegistry& kinds) {
  std::vector<std::pair<std::string, std::string>> gvs = {{"", "v1"}};
  for (const auto& [group, versions] : kinds.Groups()) {
    for (const std::string& v : versions) gvs.push_back({group, v});
  }
  return gvs;
}

std::string OpenApiKey(const std::string& group, const std::string& version) {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

json OpenApiDoc(const KindRegistry& kinds, const std::string& group,
                const std::string& version) {
  json paths = json::object();
  for (const ResourceType& t : kinds.types()) {
    if (t.group != group || t.FindVersion(version) == nullptr) continue;
    std::string prefix = "/" + OpenApiKey(group, version) + "/";
    std::string item = prefix +
                       (t.namespaced ? "namespaces/{namespace}/" : "") +
                       t.plural + "/{name}";
    json gvk = {{"group", group}, {"version", version}, {"kind", t.kind}};
    json op = {
        {"x-kubernetes-action", "patch"},
        {"x-kubernetes-group-version-kind", gvk},
        {"operationId", "patch" + t.kind},
        {"parameters", json::array({{{"name", "fieldValidation"},
                                     {"in", "query"},
                                     {"schema", {{"type", "string"}}}},
                                    {{"name", "fieldManager"},
                                     {"in", "query"},
                                     {"schema", {{"type", "string"}}}},
                                    {{"name", "dryRun"},
                                     {"in", "query"},
                                     {"schema", {{"type", "string"}}}},
                                    {{"name", "force"},
                                     {"in", "query"},
                                     {"schema", {{"type", "boolean"}}}}})},
        {"responses", {{"200", {{"description", "OK"}}}}}};
    if (t.read_only) continue;
    paths[item] = {{"patch", op}};
  }
  return {{"openapi", "3.0.0"},
          {"info", {{"title", "Kubernetes"}, {"version", "v1.32.4"}}},
          {"components", {{"schemas", json::object()}}},
          {"paths", paths}};
}

std::string HashOf(const json& doc) {
  char buf[32];
  snprintf(buf, sizeof buf, "%016zX", std::hash<std::string>{}(doc.dump()));
  return buf;
}

}  // namespace

bool IsDiscoveryPath(const std::string& path) {
  ApiPath p;
  if (ParseApiPath(path, &p)) return p.resource.empty();
  return path == "/version" || path == "/api" || path == "/apis" ||
         (path.rfind("/apis/", 0) == 0 &&
          path.find('/', 6) == std::string::npos) ||
         path.rfind("/openapi", 0) == 0 || path == "/healthz" ||
         path == "/readyz" || path == "/livez";
}

bool ServeDiscovery(const ApiContext& ctx, const ApiRequest& req, Reply* out) {
  const std::string& path = req.path;
  const KindRegistry& kinds = *ctx.kinds;
  if (path == "/version") {
    *out = OkReply(VersionInfo());
  } else if (path == "/healthz" || path == "/readyz" || path == "/livez") {
    *out = OkReply("ok");
    out->content_type = "text/plain";
  } else if (path == "/api") {
    *out = OkReply({{"kind", "APIVersions"},
                    {"versions", {"v1"}},
                    {"serverAddressByClientCIDRs",
                     json::array({{{"clientCIDR", "0.0.0.0/0"},
                                   {"serverAddress", req.host}}})}});
  } else if (path == "/apis") {
    json groups = json::array();
    for (const auto& [name, versions] : kinds.Groups()) {
      groups.push_back(GroupJson(name, versions));
    }
    *out = OkReply(
        {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}});
  } else if (path == "/openapi/v3") {
    json paths = json::object();
    for (const auto& [group, version] : GroupVersions(kinds)) {
      std::string key = OpenApiKey(group, version);
      paths[key] = {{"serverRelativeURL",
                     "/openapi/v3/" + key +
                         "?hash=" + HashOf(OpenApiDoc(kinds, group, version))}};
    }
    *out = OkReply({{"paths", paths}});
  } else if (path.rfind("/openapi/v3/", 0) == 0) {
    std::string key = path.substr(12);
    for (const auto& [group, version] : GroupVersions(kinds)) {
      if (OpenApiKey(group, version) == key) {
        *out = OkReply(OpenApiDoc(kinds, group, version));
        return true;
      }
    }
    *out = ErrorReply(NotFoundPath());
  } else {
    ApiPath p;
    if (ParseApiPath(path, &p) && p.resource.empty()) {
      json list = ResourceList(kinds, p.group, p.version);
      if (list["resources"].empty() &&
          !(p.group.empty() && p.version == "v1")) {
        *out = ErrorReply(NotFoundPath());
      } else {
        *out = OkReply(list);
      }
    } else if (path.rfind("/apis/", 0) == 0 &&
               path.find('/', 6) == std::string::npos) {
      std::string group = path.substr(6);
      *out = ErrorReply(NotFoundPath());
      for (const auto& [name, versions] : kinds.Groups()) {
        if (name != group) continue;
        json g = GroupJson(name, versions);
        g["kind"] = "APIGroup";
        g["apiVersion"] = "v1";
        *out = OkReply(g);
      }
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace capigitops::sandbox
