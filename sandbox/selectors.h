// Label and field selectors as kube-apiserver parses them from the
// labelSelector and fieldSelector query parameters.
#ifndef CAPIGITOPS_SANDBOX_SELECTORS_H_
#define CAPIGITOPS_SANDBOX_SELECTORS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "capigitops/status.h"

namespace capigitops::sandbox {

enum class SelectorOp { kEquals, kNotEquals, kIn, kNotIn, kExists, kNotExists };

struct Requirement {
  std::string key;
  SelectorOp op = SelectorOp::kEquals;
  std::vector<std::string> values;
};

class LabelSelector {
 public:
  // "a=b,c!=d,e in (f,g),h notin (i),j,!k"; "" selects everything.
  static StatusOr<LabelSelector> Parse(std::string_view text);
  // `labels` is metadata.labels (object or null).
  bool Matches(const nlohmann::json& labels) const;
  const std::vector<Requirement>& requirements() const { return reqs_; }

 private:
  std::vector<Requirement> reqs_;
};

class FieldSelector {
 public:
  // Only metadata.name and metadata.namespace with =, == and != are
  // supported, as for custom resources; and Pods' and Events' field labels.
  static StatusOr<FieldSelector> Parse(std::string_view text);
  bool Matches(const nlohmann::json& object) const;
  // The metadata.name value required by an equality term, or "".
  std::string RequiredName() const;

 private:
  std::vector<Requirement> reqs_;
};

// core/v1 Events' field labels (event_fields.cc): whether `key` is one, and
// its value in `object` ("" when absent).
bool IsEventFieldLabel(const std::string& key);
std::string EventFieldValue(const nlohmann::json& object,
                            const std::string& key);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_SELECTORS_H_
