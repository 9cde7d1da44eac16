#include "util/k8s_names.h"

namespace capigitops {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}
bool IsLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

bool IsDns1123Label(std::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len || !IsLowerAlnum(s.front()) ||
      !IsLowerAlnum(s.back())) {
    return false;
  }
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

bool IsDns1123Subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  for (;;) {
    size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) dot = s.size();
    if (!IsDns1123Label(s.substr(start, dot - start), s.size())) return false;
    if (dot == s.size()) return true;
    start = dot + 1;
  }
}

bool IsDnsLabel(std::string_view s, size_t max_len) {
  return IsDns1123Label(s, max_len) && s.front() >= 'a' && s.front() <= 'z';
}

bool IsQualifiedNamePart(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

bool IsLabelValue(std::string_view s) {
  return s.empty() || (s.size() <= 63 && IsQualifiedNamePart(s));
}

bool IsLabelKey(std::string_view s) {
  size_t slash = s.find('/');
  std::string_view name = s;
  if (slash != std::string_view::npos) {
    if (!IsDns1123Subdomain(s.substr(0, slash))) return false;
    name = s.substr(slash + 1);
  }
  return !name.empty() && IsLabelValue(name);
}

}  // namespace capigitops
