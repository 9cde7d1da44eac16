// metav1.Status errors as values: every failure the sandbox answers carries
// the HTTP code, reason and details a real kube-apiserver would send, so
// clients (kubectl, capi-gitops) see the same error shapes as in production.
#ifndef CAPIGITOPS_SANDBOX_API_STATUS_H_
#define CAPIGITOPS_SANDBOX_API_STATUS_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace capigitops::sandbox {

using nlohmann::json;

struct StatusCause {
  std::string reason;  // e.g. FieldValueInvalid, FieldManagerConflict
  std::string message;
  std::string field;
};

struct ApiError {
  int code = 500;
  std::string reason;  // StatusReason: NotFound, Conflict, ...
  std::string message;
  json details = json::object();  // name, group, kind, causes ...
  int retry_after_seconds = 0;

  // The metav1.Status body.
  json ToJson() const;
};

// A value or an ApiError, like StatusOr.
template <typename T>
class ApiOr {
 public:
  ApiOr(ApiError error) : error_(std::move(error)) {}  // NOLINT
  ApiOr(T value) : value_(std::move(value)) {}         // NOLINT
  bool ok() const { return value_.has_value(); }
  const ApiError& error() const { return *error_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }

 private:
  std::optional<T> value_;
  std::optional<ApiError> error_;
};

// Names a resource in messages: "configmaps" for the core group,
// "clusters.cluster.x-k8s.io" otherwise.
std::string QualifiedResource(const std::string& group,
                              const std::string& resource);

ApiError BadRequest(const std::string& message);
ApiError Unauthorized();
ApiError NotFoundError(const std::string& group, const std::string& resource,
                       const std::string& name);
ApiError NotFoundPath();  // "the server could not find the requested resource"
ApiError AlreadyExistsError(const std::string& group,
                            const std::string& resource,
                            const std::string& name);
ApiError ConflictError(const std::string& group, const std::string& resource,
                       const std::string& name, const std::string& detail);
ApiError StaleObjectError(const std::string& group, const std::string& resource,
                          const std::string& name);
ApiError ExpiredError(const std::string& message);
ApiError UnsupportedMediaType(const std::string& message);
// 422: "Kind.group \"name\" is invalid: [field: message, ...]".
ApiError InvalidError(const std::string& group, const std::string& kind,
                      const std::string& name,
                      const std::vector<StatusCause>& causes);
ApiError TooManyRequests(int retry_after_seconds);
ApiError InternalError(const std::string& message);
ApiError ServiceUnavailable(const std::string& message);
ApiError MethodNotAllowed();

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_API_STATUS_H_
