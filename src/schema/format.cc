// Format checks, modelled on k8s.io/kube-openapi/pkg/validation/strfmt.
#include "schema/format.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace capigitops::schema {
namespace {

using json = nlohmann::json;

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// "+07:00", "-0700", "Z"; true when s[pos..] is exactly one zone.
bool IsZone(std::string_view s, size_t pos) {
  if (pos == s.size()) return true;  // ISO 8601 local time, accepted by kube
  if (s.substr(pos) == "Z" || s.substr(pos) == "z") return true;
  if (s[pos] != '+' && s[pos] != '-') return false;
  int h = 0, m = 0;
  if (!Digits(s, pos + 1, 2, &h)) return false;
  size_t mpos = pos + 3;
  if (mpos < s.size() && s[mpos] == ':') ++mpos;
  return Digits(s, mpos, 2, &m) && mpos + 2 == s.size() && h < 24 && m < 60;
}

// RFC 3339 date-time, also with a space separator or without seconds or
// zone, as strfmt.ParseDateTime accepts.
bool IsDateTime(std::string_view s) {
  int year, month, day, hour, minute, second = 0;
  if (!Digits(s, 0, 4, &year) || s.size() < 16 || s[4] != '-' ||
      !Digits(s, 5, 2, &month) || s[7] != '-' || !Digits(s, 8, 2, &day)) {
    return false;
  }
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  if (!Digits(s, 11, 2, &hour) || s[13] != ':' || !Digits(s, 14, 2, &minute)) {
    return false;
  }
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, &second)) return false;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      size_t start = ++pos;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])))
        ++pos;
      if (pos == start) return false;
    }
  }
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 &&
         minute < 60 && second <= 60 && IsZone(s, pos);
}

// Standard base64 with padding (Go's base64.StdEncoding, which skips line
// breaks).
bool IsBase64(std::string_view s) {
  size_t chars = 0, pad = 0;
  for (unsigned char c : s) {
    if (c == '\r' || c == '\n') continue;
    ++chars;
    if (c == '=') {
      ++pad;
    } else if (pad > 0 || (!std::isalnum(c) && c != '+' && c != '/')) {
      return false;
    }
  }
  return chars % 4 == 0 && pad <= 2;
}

// 32 hex digits, optionally dashed 8-4-4-4-12 (go-openapi's UUID pattern).
bool IsUuid(std::string_view s) {
  size_t hex = 0;
  bool after_dash = false;
  for (unsigned char c : s) {
    if (std::isxdigit(c)) {
      ++hex;
      after_dash = false;
    } else if (c == '-' && !after_dash &&
               (hex == 8 || hex == 12 || hex == 16 || hex == 20)) {
      after_dash = true;
    } else {
      return false;
    }
  }
  return hex == 32 && !after_dash;
}

bool IsIpv4(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (i <= s.size()) {
    size_t start = i;
    int v = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      v = v * 10 + (s[i] - '0');
      if (v > 255) return false;
      ++i;
    }
    size_t len = i - start;
    if (len == 0 || len > 3 || (len > 1 && s[start] == '0')) return false;
    ++parts;
    if (i == s.size()) break;
    if (s[i] != '.') return false;
    ++i;
  }
  return parts == 4;
}

// Lenient: hex groups and colons (optionally an embedded IPv4 tail).
bool IsIpv6(std::string_view s) {
  size_t colons = 0;
  for (unsigned char c : s) {
    if (c == ':') {
      ++colons;
    } else if (!std::isxdigit(c) && c != '.') {
      return false;
    }
  }
  return colons >= 2 && colons <= 7;
}

bool FitsInteger(const json& value, double lo, double hi) {
  if (value.is_number_unsigned()) {
    return static_cast<double>(value.get<uint64_t>()) <= hi;
  }
  if (value.is_number_integer()) {
    int64_t v = value.get<int64_t>();
    return v >= lo && v <= hi;
  }
  double v = value.get<double>();
  return std::isfinite(v) && v >= lo && v <= hi;
}

}  // namespace

bool MatchesFormat(const std::string& format, const json& value) {
  if (value.is_number()) {
    if (format == "int32")
      return FitsInteger(value, -2147483648.0, 2147483647.0);
    if (format == "int64") {
      if (value.is_number_unsigned()) {
        return value.get<uint64_t>() <= uint64_t{INT64_MAX};
      }
      if (value.is_number_integer()) return true;
      // 2^63 is the first double outside int64.
      return FitsInteger(value, -9223372036854775808.0, 9223372036854774784.0);
    }
    return true;
  }
  if (!value.is_string()) return true;
  std::string_view s = value.get_ref<const std::string&>();
  if (format == "date-time") return IsDateTime(s);
  if (format == "byte") return IsBase64(s);
  if (format == "uuid") return IsUuid(s);
  if (format == "ipv4") return IsIpv4(s);
  if (format == "ipv6") return IsIpv6(s);
  return true;
}

}  // namespace capigitops::schema
