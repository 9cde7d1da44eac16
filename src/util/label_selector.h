// Kubernetes label selectors, as `kubectl get -l` takes them:
// "team=ml,env!=prod", "tier in (a,b)", "tier notin (c)", "gpu", "!spot".
// `validate -l` and `plan -l` select ClusterRequests by their labels.
#ifndef CAPIGITOPS_UTIL_LABEL_SELECTOR_H_
#define CAPIGITOPS_UTIL_LABEL_SELECTOR_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "capigitops/status.h"

namespace capigitops {

struct LabelRequirement {
  enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kNotExists };
  std::string key;
  Op op = Op::kExists;
  std::vector<std::string> values;  // one for = and !=, a set for in/notin
};

class LabelSelector {
 public:
  // InvalidArgument naming the requirement that does not parse. "" selects
  // everything, as in Kubernetes.
  static StatusOr<LabelSelector> Parse(std::string_view text);

  // Every requirement holds. As in Kubernetes, `!=` and `notin` also match
  // objects without the label.
  bool Matches(const std::map<std::string, std::string>& labels) const;

  const std::vector<LabelRequirement>& requirements() const { return reqs_; }

 private:
  std::vector<LabelRequirement> reqs_;
};

}  // namespace capigitops

#endif  // CAPIGITOPS_UTIL_LABEL_SELECTOR_H_
