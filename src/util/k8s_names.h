// Kubernetes name and label syntax (apimachinery's validation package): the
// one validator behind the spec loader, the policy loader, the schema
// validator's ObjectMeta checks and capi-sandbox.
#ifndef CAPIGITOPS_UTIL_K8S_NAMES_H_
#define CAPIGITOPS_UTIL_K8S_NAMES_H_

#include <cstddef>
#include <string_view>

namespace capigitops {

// RFC 1123 label, [a-z0-9]([-a-z0-9]*[a-z0-9])?, of at most max_len bytes.
bool IsDns1123Label(std::string_view s, size_t max_len = 63);
// RFC 1123 subdomain: such labels joined by '.', at most 253 bytes.
bool IsDns1123Subdomain(std::string_view s);
// A label that also starts with a letter (RFC 1035), as cluster and pool
// names must, since providers derive cloud resource names from them.
bool IsDnsLabel(std::string_view s, size_t max_len);
// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], any length: the name part of a
// qualified name and a non-empty label value.
bool IsQualifiedNamePart(std::string_view s);
// Label key: [subdomain "/"] name part of at most 63 bytes.
bool IsLabelKey(std::string_view s);
// Label value: empty, or a name part of at most 63 bytes.
bool IsLabelValue(std::string_view s);

}  // namespace capigitops

#endif  // CAPIGITOPS_UTIL_K8S_NAMES_H_
