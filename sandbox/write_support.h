// Steps shared by the write verbs: query parameters, body decoding, field
// validation, defaulting and the status-subresource split.
#ifndef CAPIGITOPS_SANDBOX_WRITE_SUPPORT_H_
#define CAPIGITOPS_SANDBOX_WRITE_SUPPORT_H_

#include <string>
#include <vector>

#include "handlers.h"

namespace capigitops::sandbox {

struct WriteParams {
  bool dry_run = false;
  std::string validation = "Warn";  // Ignore | Warn | Strict
  std::string manager;
  bool force = false;
  bool force_given = false;
};

ApiOr<WriteParams> ParseWriteParams(const ApiRequest& req);

// JSON body; YAML too when `allow_yaml` (apply patches).
ApiOr<json> ParseBody(const ApiRequest& req, bool allow_yaml);

// 400 unless apiVersion/kind (when present) match the URL's type, and the
// name and namespace agree with the URL. Fills in missing ones.
std::optional<ApiError> CheckIdentity(const Target& t, json* obj,
                                      bool require_type_meta);

// Clears server-owned metadata a client may not set on create.
void SanitizeNewMetadata(json* obj);

// Unknown fields per fieldValidation: Strict fails (400 for create/update,
// 422 for patches), Warn adds warnings; then drops them.
std::optional<ApiError> CheckUnknownFields(const Target& t, json* obj,
                                           const std::string& mode,
                                           bool is_patch,
                                           std::vector<std::string>* warnings);

// Applies schema defaults, then 422 Invalid on violations.
std::optional<ApiError> DefaultAndValidate(const Target& t, json* obj);

// With a status subresource, main-resource writes keep the live status and
// /status writes keep everything but the status.
void ScopeToSubresource(const Target& t, const json* live, json* obj);

Reply ObjectReply(const Target& t, json obj, int code,
                  std::vector<std::string> warnings);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_WRITE_SUPPORT_H_
