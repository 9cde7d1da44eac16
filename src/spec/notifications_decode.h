// capi-gitops.yaml's notifications block: webhooks (each with the Secret
// that holds its URL) and the lead times of teardown reminders.
#ifndef CAPIGITOPS_SPEC_NOTIFICATIONS_DECODE_H_
#define CAPIGITOPS_SPEC_NOTIFICATIONS_DECODE_H_

#include "capigitops/config.h"
#include "capigitops/field_reader.h"

namespace capigitops {

// Decodes `node` (present) into `out`; errors go to ctx with file:line.
void DecodeNotifications(const yaml::Node& node, DecodeContext* ctx,
                         NotificationSettings* out);

}  // namespace capigitops

#endif  // CAPIGITOPS_SPEC_NOTIFICATIONS_DECODE_H_
