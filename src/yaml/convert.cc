// YAML <-> JSON value conversion with the YAML 1.2 core schema.
#include <cmath>
#include <cstdlib>

#include "capigitops/yaml.h"

namespace capigitops::yaml {
namespace {

bool IsDecimalInt(const std::string& s) {
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i >= s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

size_t SkipDigits(const std::string& s, size_t i) {
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i;
}

// The core schema's float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
// matched by hand, since std::regex costs microseconds per scalar and every
// scalar we read or emit goes through here.
bool IsFloat(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i < s.size() && s[i] == '.') {
    size_t end = SkipDigits(s, i + 1);
    if (end == i + 1) return false;
    i = end;
  } else {
    size_t end = SkipDigits(s, i);
    if (end == i) return false;
    i = end;
    if (i < s.size() && s[i] == '.') i = SkipDigits(s, i + 1);
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t end = SkipDigits(s, i);
    if (end == i) return false;
    i = end;
  }
  return i == s.size();
}

}  // namespace

nlohmann::json PlainScalarToJson(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
    return nullptr;
  }
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (IsDecimalInt(s)) {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno == 0 && *end == '\0') return v;
    return s;  // out of range: keep the text rather than lose digits
  }
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    const char* digits = s.c_str() + 2;
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(digits, &end, s[1] == 'x' ? 16 : 8);
    if (errno == 0 && *end == '\0' && end != digits) return v;
    return s;
  }
  if (IsFloat(s)) return std::strtod(s.c_str(), nullptr);
  return s;
}

nlohmann::json ToJson(const Node& node) {
  switch (node.kind) {
    case NodeKind::kNull:
      return nullptr;
    case NodeKind::kScalar:
      return node.quoted ? nlohmann::json(node.scalar)
                         : PlainScalarToJson(node.scalar);
    case NodeKind::kSeq: {
      nlohmann::json out = nlohmann::json::array();
      for (const Node& item : node.seq) out.push_back(ToJson(item));
      return out;
    }
    case NodeKind::kMap: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [k, v] : node.map) out[k.scalar] = ToJson(v);
      return out;
    }
  }
  return nullptr;
}

}  // namespace capigitops::yaml
