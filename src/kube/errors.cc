// metav1.Status responses -> Status values with advice.
#include <nlohmann/json.hpp>

#include "capigitops/json.h"
#include "capigitops/kube_client.h"

namespace capigitops {

Status StatusFromResponse(long http_status, const std::string& body,
                          const std::string& what) {
  // A body too large or too deep to parse is read as text: the status code
  // still says what happened.
  StatusOr<nlohmann::json> parsed = yaml::ParseJson(body, what);
  nlohmann::json s = parsed.ok() ? std::move(parsed).value() : nlohmann::json();
  std::string message, reason;
  if (s.is_object()) {
    message = s.value("message", "");
    reason = s.value("reason", "");
  }
  if (message.empty()) message = body.substr(0, 200);
  std::string head = what + ": " + std::to_string(http_status) +
                     (reason.empty() ? "" : " " + reason) + ": ";
  switch (http_status) {
    case 400:
      return Status::InvalidArgument(head + message);
    case 401:
      return Status::Unauthenticated(
          what +
          ": 401 Unauthorized: the management cluster rejected our "
          "credentials; the token or client certificate in the kubeconfig "
          "is wrong or expired");
    case 403:
      return Status::PermissionDenied(
          head + message + " (grant it in capi-gitops' RBAC; see deploy/)");
    case 404:
      return Status::NotFound(head + message);
    case 409:
      if (reason == "AlreadyExists")
        return Status::AlreadyExists(head + message);
      return Status::Conflict(head + message);
    case 410:
      return Status::Conflict(head + message);
    case 422: {
      std::string causes;
      if (s.is_object() && s.contains("details") && s["details"].is_object()) {
        for (const auto& c :
             s["details"].value("causes", nlohmann::json::array())) {
          causes += "\n  " + c.value("field", std::string()) + ": " +
                    c.value("message", std::string());
        }
      }
      return Status::InvalidArgument(head + message + causes);
    }
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return Status::Unavailable(head + message);
    default:
      return Status::Internal(head + message);
  }
}

}  // namespace capigitops
