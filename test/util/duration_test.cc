#include "capigitops/duration.h"

#include <gtest/gtest.h>

namespace capigitops {
namespace {

TEST(DurationTest, ParsesUnitsAndCombinations) {
  EXPECT_EQ(ParseDuration("45s"), 45);
  EXPECT_EQ(ParseDuration("90m"), 90 * 60);
  EXPECT_EQ(ParseDuration("4h"), 4 * 3600);
  EXPECT_EQ(ParseDuration("7d"), 7 * 86400);
  EXPECT_EQ(ParseDuration("2w"), 14 * 86400);
  EXPECT_EQ(ParseDuration("1h30m"), 5400);
  EXPECT_EQ(ParseDuration("1d12h"), 36 * 3600);
}

TEST(DurationTest, RejectsMalformed) {
  for (const char* bad : {"", "4", "h", "4x", "4 h", "-4h", "4h-", "0h", "1.5h",
                          "never", "99999999999h", "4H"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
}

TEST(DurationTest, FormatsInTheLargestWholeUnits) {
  EXPECT_EQ(FormatDuration(4 * 3600), "4h");
  EXPECT_EQ(FormatDuration(5400), "1h30m");
  EXPECT_EQ(FormatDuration(26 * 3600), "1d2h");
  EXPECT_EQ(FormatDuration(7 * 86400), "7d");
  EXPECT_EQ(FormatDuration(45), "45s");
  EXPECT_EQ(FormatDuration(0), "0s");
  for (const char* text : {"90m", "4h", "7d", "1d2h30m", "1h0m5s"}) {
    EXPECT_EQ(ParseDuration(FormatDuration(*ParseDuration(text))),
              ParseDuration(text))
        << text;
  }
}

TEST(DurationTest, Rfc3339RoundTrip) {
  EXPECT_EQ(ParseRfc3339("2026-12-01T18:00:00Z"), 1796148000);
  EXPECT_EQ(ParseRfc3339("2026-12-01T19:00:00+01:00"), 1796148000);
  EXPECT_EQ(FormatRfc3339(1796148000), "2026-12-01T18:00:00Z");
  EXPECT_FALSE(ParseRfc3339("2026-13-01T18:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339("tomorrow").has_value());
}

}  // namespace
}  // namespace capigitops
