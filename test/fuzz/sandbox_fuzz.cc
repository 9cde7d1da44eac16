// libFuzzer target for capi-sandbox's JSON patch, merge patch and
// server-side apply code, through its request handler (targets.h).
#include <exception>
#include <iterator>
#include <string>
#include <string_view>

#include "api.h"
#include "capigitops/json.h"
#include "fuzz/targets.h"
#include "kinds.h"
#include "ssa.h"
#include "store.h"

namespace capigitops::fuzz {
namespace {

using nlohmann::json;

struct SandboxCase {
  const char* method;
  const char* media;
};

constexpr SandboxCase kSandboxCases[] = {
    {"PATCH", "application/apply-patch+yaml"},
    {"PATCH", "application/merge-patch+json"},
    {"PATCH", "application/strategic-merge-patch+json"},
    {"PATCH", "application/json-patch+json"},
    {"PUT", "application/json"},
    {"POST", "application/json"},
    {"DELETE", "application/json"},
    {"PATCH", "application/apply-patch+yaml"},  // second manager, force
};

// A stored object of each kind, so patches have something to merge into.
constexpr const char* kSandboxSeeds[][2] = {
    {"/api/v1/namespaces/default/configmaps",
     R"({"apiVersion":"v1","kind":"ConfigMap",
        "metadata":{"name":"a","labels":{"l":"v"}},"data":{"k":"v"}})"},
    {"/apis/coordination.k8s.io/v1/namespaces/default/leases",
     R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
        "metadata":{"name":"a"},"spec":{"holderIdentity":"x"}})"},
    {"/apis/cluster.x-k8s.io/v1beta2/namespaces/default/clusters",
     R"({"apiVersion":"cluster.x-k8s.io/v1beta2","kind":"Cluster",
        "metadata":{"name":"a"},"spec":{"paused":false,
        "topology":{"version":"v1.31.0"}}})"},
};

sandbox::Reply Send(const sandbox::ApiContext& ctx, const std::string& method,
                    const std::string& path, const std::string& media,
                    const std::string& body) {
  sandbox::ApiRequest req;
  req.method = method;
  req.path = path;
  req.content_type = media;
  req.body = body;
  if (method == "PATCH") {
    req.query.emplace("fieldManager", path.size() % 2 ? "fuzz" : "other");
  }
  return sandbox::ServeResource(ctx, req);
}

void SandboxRound(const uint8_t* data, size_t size) {
  // The kinds never change; a fresh store per input keeps runs independent.
  static const sandbox::KindRegistry* const kinds = [] {
    auto* k = new sandbox::KindRegistry();
    sandbox::AddBuiltinCapiKinds(k);
    return k;
  }();
  sandbox::Store store;
  sandbox::ApiContext ctx{kinds, &store};
  const SandboxCase& c = kSandboxCases[data[0] % std::size(kSandboxCases)];
  const char* const* seed = kSandboxSeeds[(data[0] / 8) % 3];
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  Send(ctx, "POST", "/api/v1/namespaces", "application/json",
       R"({"apiVersion":"v1","kind":"Namespace",
           "metadata":{"name":"default"}})");
  Send(ctx, "POST", seed[0], "application/json", seed[1]);
  std::string item = std::string(seed[0]) + (c.method[1] == 'O' ? "" : "/a");
  Send(ctx, c.method, item, c.media, body);
  // The object as stored must still be readable, and a second apply by
  // another manager runs the conflict code.
  Send(ctx, "GET", item, "", "");
  Send(ctx, "PATCH", std::string(seed[0]) + "/a",
       "application/apply-patch+yaml", body);
  // The patch functions directly, on what the limits let through.
  StatusOr<json> patch = yaml::ParseJson(body, "patch", {1 << 20, 200});
  if (patch.ok()) {
    json target = json::parse(seed[1]);
    (void)sandbox::ApplyMergePatch(target, *patch);
    (void)sandbox::ApplyJsonPatch(target, *patch);
  }
}

}  // namespace

int FuzzSandbox(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The server answers 500 for an exception, as kube-apiserver does for a
  // panic (server.cc); what must never happen is a crash the sanitizers
  // see: a stack overflow, an out-of-bounds access, undefined behaviour.
  try {
    SandboxRound(data, size);
  } catch (const std::exception&) {
  }
  return 0;
}

}  // namespace capigitops::fuzz

#ifdef CAPIGITOPS_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return capigitops::fuzz::FuzzSandbox(data, size);
}
#endif
