// Decoding of per-provider settings, shared by capi-gitops.yaml (providers:)
// and a ClusterRequest's spec.providerConfig, which overrides them.
#ifndef CAPIGITOPS_SPEC_PROVIDER_SETTINGS_H_
#define CAPIGITOPS_SPEC_PROVIDER_SETTINGS_H_

#include <string>

#include "capigitops/config.h"
#include "capigitops/field_reader.h"

namespace capigitops {

// Decodes the settings of provider `p` from `node` (a map; null is fine) at
// `path`, overwriting only the fields present.
void DecodeProviderSettings(Provider p, const yaml::Node* node,
                            const std::string& path, DecodeContext* ctx,
                            ProviderSettings* out);

// Checks that everything provider `p` needs is set; reports what is missing
// and where to set it, at `at`.
void CheckProviderSettings(Provider p, const ProviderSettings& s,
                           const yaml::Mark& at, DecodeContext* ctx);

}  // namespace capigitops

#endif  // CAPIGITOPS_SPEC_PROVIDER_SETTINGS_H_
