// ?watch=true: a chunked stream of {"type":..., "object":...} lines.
#ifndef CAPIGITOPS_SANDBOX_WATCH_H_
#define CAPIGITOPS_SANDBOX_WATCH_H_

#include <httplib.h>

#include "api.h"

namespace capigitops::sandbox {

bool IsWatchRequest(const ApiRequest& req);

// Sets up `res` to stream events until timeoutSeconds (default 30 min), the
// client goes away or the store shuts down.
void ServeWatch(const ApiContext& ctx, const ApiRequest& req,
                httplib::Response* res);

}  // namespace capigitops::sandbox

#endif  // CAPIGITOPS_SANDBOX_WATCH_H_
