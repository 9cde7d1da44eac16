// The REST API independent of the HTTP library: a parsed request in, a
// status code and JSON body out. Watches stream and live in watch.h.
#ifndef CAPIGITOPS_SANDBOX_API_H_
#define CAPIGITOPS_SANDBOX_API_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api_status.h"
#include "kinds.h"
#include "store.h"

namespace capigitops::sandbox {

struct ApiRequest {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string path;
  std::multimap<std::string, std::string> query;
  std::string content_type;
  std::string accept;
  std::string body;
  std::string user_agent;
  std::string host;  // for serverAddressByClientCIDRs

  // The first value of query parameter `name`, or "".
  std::string Param(const std::string& name) const;
};

struct Reply {
  int code = 200;
  json body;
  // The body already serialized (LIST replies); when set, `body` is unused.
  std::string body_text;
  std::vector<std::string> warnings;
  int retry_after_seconds = 0;
  std::string content_type = "application/json";
};

// A successful reply carrying `body`.
Reply OkReply(json body, int code = 200);
Reply ErrorReply(const ApiError& error);
// The bytes to send: body_text, a non-JSON body's string, or body.dump().
std::string ReplyText(const Reply& reply);
// The body as JSON, parsed from body_text when the reply carries text.
StatusOr<json> ReplyJson(const Reply& reply);

// A resource URL split into its parts.
struct ApiPath {
  std::string group;
  std::string version;
  std::string resource;  // plural; "" for discovery paths
  std::string ns;
  std::string name;
  std::string subresource;  // "status"
};

// Parses /api/v1/... and /apis/{g}/{v}/...; false for other paths.
bool ParseApiPath(const std::string& path, ApiPath* out);

struct ApiContext {
  const KindRegistry* kinds = nullptr;
  Store* store = nullptr;
};

// Discovery and OpenAPI documents; false when `path` is not one.
bool ServeDiscovery(const ApiContext& ctx, const ApiRequest& req, Reply* out);
bool IsDiscoveryPath(const std::string& path);

// GET (item and list), POST, PUT, PATCH and DELETE on resources.
Reply ServeResource(const ApiContext& ctx, const ApiRequest& req);

// Shared by the handlers: resolves the type and checks scope. On failure
// returns nullptr and sets *error.
const ResourceType* ResolveType(const ApiContext& ctx, const ApiPath& path,
                                const std::string& method, ApiError* error);

// Sets apiVersion and kind as served at `version`.
void SetTypeMeta(const ResourceType& type, const std::string& version,
                 json* obj);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_API_H_
