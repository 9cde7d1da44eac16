// Decoding helpers shared by the Policy and PriceTable loaders.
#ifndef CAPIGITOPS_POLICY_DECODE_COMMON_H_
#define CAPIGITOPS_POLICY_DECODE_COMMON_H_

#include <optional>
#include <string>

#include "capigitops/config.h"
#include "capigitops/yaml.h"
#include "capigitops/field_reader.h"

namespace capigitops::policy_internal {

inline constexpr char kApiVersion[] = "capigitops.io/v1alpha1";

// The `kind` of a document, or "" when it has none.
std::string DocumentKind(const yaml::Node& doc);

// Reads apiVersion (must be ours), kind, and metadata {name, labels,
// annotations}; returns metadata.name ("" when missing, which is reported).
std::string DecodeHeader(FieldReader* top, const yaml::Node& doc,
                         DecodeContext* ctx);

// A plain integer or decimal scalar.
std::optional<double> ScalarNumber(const yaml::Node& n);

// Reads a non-negative number under `key`; reports a wrong type or a
// negative value. Returns true when present and valid.
bool ReadAmount(FieldReader* r, const yaml::Node& map, const std::string& key,
                double* out, DecodeContext* ctx, bool required = false);

// A provider name used as a map key or list item, with a "did you mean" for
// typos; reports and returns nullopt when unknown.
std::optional<Provider> ReadProvider(const yaml::Node& n,
                                     const std::string& field,
                                     DecodeContext* ctx);

}  // namespace capigitops::policy_internal

#endif  // CAPIGITOPS_POLICY_DECODE_COMMON_H_
