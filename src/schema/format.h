// OpenAPI `format:` checks for the formats CAPI CRDs use.
#ifndef CAPIGITOPS_SCHEMA_FORMAT_H_
#define CAPIGITOPS_SCHEMA_FORMAT_H_

#include <nlohmann/json.hpp>
#include <string>

namespace capigitops::schema {

// Whether `value` satisfies `format`. Validated like kube-openapi's strfmt:
// int32 and int64 ranges for numbers; date-time (RFC 3339), byte (base64),
// uuid, ipv4 and ipv6 for strings. Every other format, and values of other
// JSON types, are accepted (kube ignores unknown formats too).
bool MatchesFormat(const std::string& format, const nlohmann::json& value);

}  // namespace capigitops::schema

#endif  // CAPIGITOPS_SCHEMA_FORMAT_H_
