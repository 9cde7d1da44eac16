#include "capigitops/duration.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace capigitops {

std::optional<int64_t> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t n = 0;
    size_t digits = 0;
    while (i < text.size() &&
           std::isdigit(static_cast<unsigned char>(text[i]))) {
      n = n * 10 + (text[i] - '0');
      ++i;
      if (++digits > 9) return std::nullopt;
    }
    if (digits == 0 || i >= text.size()) return std::nullopt;
    int64_t unit = 0;
    switch (text[i]) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'w':
        unit = 7 * 86400;
        break;
      default:
        return std::nullopt;
    }
    ++i;
    total += n * unit;
    if (total > int64_t{100} * 365 * 86400) return std::nullopt;
  }
  if (total <= 0) return std::nullopt;
  return total;
}

std::string FormatDuration(int64_t seconds) {
  if (seconds <= 0) return "0s";
  std::string out;
  const struct {
    int64_t size;
    char unit;
  } kUnits[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  for (const auto& u : kUnits) {
    if (seconds >= u.size) {
      out += std::to_string(seconds / u.size) + u.unit;
      seconds %= u.size;
    }
  }
  return out;
}

std::optional<int64_t> ParseRfc3339(std::string_view text) {
  int y, mo, d, h, mi, s;
  char tail[40] = {0};
  std::string str(text.substr(0, 60));
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%39s", &y, &mo, &d, &h,
                  &mi, &s, tail) < 7) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return std::nullopt;
  }
  std::string_view rest(tail);
  if (!rest.empty() && rest[0] == '.') {  // fractional seconds: ignored
    size_t k = 1;
    while (k < rest.size() && std::isdigit(static_cast<unsigned char>(rest[k])))
      ++k;
    if (k == 1) return std::nullopt;
    rest.remove_prefix(k);
  }
  int64_t offset = 0;
  if (rest == "Z" || rest == "z") {
    offset = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') &&
             rest[3] == ':') {
    int oh = (rest[1] - '0') * 10 + (rest[2] - '0');
    int om = (rest[4] - '0') * 10 + (rest[5] - '0');
    offset = (oh * 3600 + om * 60) * (rest[0] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm)) - offset;
}

std::string FormatRfc3339(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatRfc3339Fraction(int64_t unix_us, int digits) {
  std::string out = FormatRfc3339(unix_us / 1000000);
  char frac[16];
  int value = static_cast<int>(unix_us % 1000000);
  if (digits == 3) value /= 1000;
  std::snprintf(frac, sizeof frac, ".%0*d", digits == 3 ? 3 : 6, value);
  out.insert(out.size() - 1, frac);  // before the 'Z'
  return out;
}

}  // namespace capigitops
