// The field labels the API server registers for core/v1 Events
// (pkg/registry/core/event/strategy.go: ToSelectableFields), so that
// `kubectl describe <object>` finds an object's events by
// involvedObject.{kind,namespace,name,uid} and `kubectl get events
// --field-selector reason=...` works against capi-sandbox.
#include <set>

#include "selectors.h"

namespace capigitops::sandbox {

bool IsEventFieldLabel(const std::string& key) {
  static const std::set<std::string> kLabels = {
      "involvedObject.kind",
      "involvedObject.namespace",
      "involvedObject.name",
      "involvedObject.uid",
      "involvedObject.apiVersion",
      "involvedObject.resourceVersion",
      "involvedObject.fieldPath",
      "reason",
      "reportingComponent",
      "source",
      "type"};
  return kLabels.count(key) > 0;
}

std::string EventFieldValue(const nlohmann::json& object,
                            const std::string& key) {
  // "source" selects source.component, the one field label that is not a
  // path to a string.
  std::string path = key == "source" ? "source.component" : key;
  const nlohmann::json* at = &object;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot - start);
    if (!at->is_object()) return "";
    auto it = at->find(part);
    if (it == at->end()) return "";
    at = &*it;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return at->is_string() ? at->get<std::string>() : "";
}

}  // namespace capigitops::sandbox
