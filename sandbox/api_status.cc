// metav1.Status builders with the messages kube-apiserver uses
// (apimachinery/pkg/api/errors/errors.go).
#include "api_status.h"

namespace capigitops::sandbox {
namespace {

ApiError Make(int code, std::string reason, std::string message) {
  ApiError e;
  e.code = code;
  e.reason = std::move(reason);
  e.message = std::move(message);
  return e;
}

json NameDetails(const std::string& group, const std::string& resource,
                 const std::string& name) {
  return json{{"name", name}, {"group", group}, {"kind", resource}};
}

}  // namespace

json ApiError::ToJson() const {
  json body = {
      {"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", json::object()},
      {"status", "Failure"}, {"message", message}, {"reason", reason},
      {"code", code}};
  json d = details;
  if (retry_after_seconds > 0) d["retryAfterSeconds"] = retry_after_seconds;
  if (!d.empty()) body["details"] = d;
  return body;
}

std::string QualifiedResource(const std::string& group,
                              const std::string& resource) {
  return group.empty() ? resource : resource + "." + group;
}

ApiError BadRequest(const std::string& message) {
  return Make(400, "BadRequest", message);
}

ApiError Unauthorized() { return Make(401, "Unauthorized", "Unauthorized"); }

ApiError NotFoundError(const std::string& group, const std::string& resource,
                       const std::string& name) {
  ApiError e =
      Make(404, "NotFound",
           QualifiedResource(group, resource) + " \"" + name + "\" not found");
  e.details = NameDetails(group, resource, name);
  return e;
}

ApiError NotFoundPath() {
  return Make(404, "NotFound",
              "the server could not find the requested resource");
}

ApiError AlreadyExistsError(const std::string& group,
                            const std::string& resource,
                            const std::string& name) {
  ApiError e = Make(
      409, "AlreadyExists",
      QualifiedResource(group, resource) + " \"" + name + "\" already exists");
  e.details = NameDetails(group, resource, name);
  return e;
}

ApiError ConflictError(const std::string& group, const std::string& resource,
                       const std::string& name, const std::string& detail) {
  ApiError e = Make(409, "Conflict",
                    "Operation cannot be fulfilled on " +
                        QualifiedResource(group, resource) + " \"" + name +
                        "\": " + detail);
  e.details = NameDetails(group, resource, name);
  return e;
}

ApiError StaleObjectError(const std::string& group, const std::string& resource,
                          const std::string& name) {
  return ConflictError(group, resource, name,
                       "the object has been modified; please apply your "
                       "changes to the latest version and try again");
}

ApiError ExpiredError(const std::string& message) {
  return Make(410, "Expired", message);
}

ApiError UnsupportedMediaType(const std::string& message) {
  return Make(415, "UnsupportedMediaType", message);
}

ApiError InvalidError(const std::string& group, const std::string& kind,
                      const std::string& name,
                      const std::vector<StatusCause>& causes) {
  std::string list;
  json jcauses = json::array();
  for (const StatusCause& c : causes) {
    if (!list.empty()) list += ", ";
    list += c.field.empty() ? c.message : c.field + ": " + c.message;
    jcauses.push_back(
        {{"reason", c.reason}, {"message", c.message}, {"field", c.field}});
  }
  std::string qualified = group.empty() ? kind : kind + "." + group;
  std::string message = qualified + " \"" + name + "\" is invalid: ";
  message += causes.size() == 1 ? list : "[" + list + "]";
  ApiError e = Make(422, "Invalid", message);
  e.details = {
      {"name", name}, {"group", group}, {"kind", kind}, {"causes", jcauses}};
  return e;
}

ApiError TooManyRequests(int retry_after_seconds) {
  ApiError e = Make(429, "TooManyRequests",
                    "Too many requests, please try again later.");
  e.retry_after_seconds = retry_after_seconds;
  return e;
}

ApiError InternalError(const std::string& message) {
  ApiError e =
      Make(500, "InternalError", "Internal error occurred: " + message);
  e.details = {{"causes", json::array({{{"message", message}}})}};
  return e;
}

ApiError ServiceUnavailable(const std::string& message) {
  ApiError e = Make(503, "ServiceUnavailable", message);
  e.retry_after_seconds = 1;
  return e;
}

ApiError MethodNotAllowed() {
  return Make(405, "MethodNotAllowed",
              "the server does not allow this method on the requested "
              "resource");
}

}  // namespace capigitops::sandbox
