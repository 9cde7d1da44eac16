// Durations as people write them in specs and policies: 90m, 4h, 7d, 1h30m.
#ifndef CAPIGITOPS_DURATION_H_
#define CAPIGITOPS_DURATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace capigitops {

// Seconds in "90m", "4h", "7d", "2w", "1h30m" (units s, m, h, d, w); nullopt
// when malformed, zero or absurdly large.
std::optional<int64_t> ParseDuration(std::string_view text);
// "1d2h", "1h30m", "45s"; the inverse of ParseDuration for whole units.
std::string FormatDuration(int64_t seconds);

// RFC 3339 timestamp ("2026-12-01T18:00:00Z", offsets allowed) -> Unix seconds.
std::optional<int64_t> ParseRfc3339(std::string_view text);
// Unix seconds -> "2026-12-01T18:00:00Z".
std::string FormatRfc3339(int64_t unix_seconds);
// Unix microseconds -> "2026-12-01T18:00:00.123Z" with `digits` (3 or 6)
// fractional digits: log timestamps (3) and the API's MicroTime (6).
std::string FormatRfc3339Fraction(int64_t unix_us, int digits);

}  // namespace capigitops

#endif  // CAPIGITOPS_DURATION_H_
