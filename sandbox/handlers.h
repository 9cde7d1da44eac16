// Per-verb handlers behind ServeResource (private to the sandbox).
#ifndef CAPIGITOPS_SANDBOX_HANDLERS_H_
#define CAPIGITOPS_SANDBOX_HANDLERS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "api.h"

namespace capigitops::sandbox {

// Everything a handler needs about the addressed resource.
struct Target {
  const ApiContext* ctx;
  const ApiRequest* req;
  ApiPath path;
  const ResourceType* type;
  const KindVersion* version;

  ObjectKey Key(const std::string& name) const {
    return ObjectKey{type->group, type->plural, path.ns, name};
  }
  std::string GroupVersion() const { return type->GroupVersion(path.version); }
};

Reply ServeGet(const Target& t);
Reply ServeList(const Target& t);
Reply ServeCreate(const Target& t);
Reply ServeUpdate(const Target& t);
Reply ServePatch(const Target& t);
Reply ServeDelete(const Target& t);
Reply ServeDeleteCollection(const Target& t);

// Turns a successful GET reply into a meta.k8s.io/v1 Table when the client
// asked for one (kubectl get) and the kind has printer columns (table.cc).
void MaybeServeTable(const ResourceType& type, const ApiRequest& req,
                     Reply* reply);

// Opaque list continuation: where the previous page ended and when.
struct ContinueToken {
  uint64_t rv = 0;
  std::string ns;
  std::string name;
  int64_t issued_unix = 0;
};
std::string EncodeContinue(const ContinueToken& token);
std::optional<ContinueToken> DecodeContinue(const std::string& text);
// Tokens older than this answer 410 Expired, as after etcd compaction.
constexpr int64_t kContinueTtlSeconds = 300;

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_HANDLERS_H_
