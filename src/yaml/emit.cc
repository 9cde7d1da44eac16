// Deterministic block-style YAML output. Strings are quoted whenever a YAML
// 1.1 or 1.2 reader could take them for anything but a string, so a value from
// a spec can never change the structure or type of what we emit.
#include <algorithm>
#include <cstdio>
#include <string_view>

#include "capigitops/yaml.h"

namespace capigitops::yaml {
namespace {

bool IsNumberChar(char c) {
  return (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '.' ||
         c == '-' || c == '+' || c == 'e' || c == 'E';
}

// Called for every string we emit, so it decides by length and first bytes
// before anything allocates. Equivalent to asking PlainScalarToJson: decimal
// integers and floats are made only of number characters (caught by the
// all-number-characters test, which also covers the YAML 1.1 notations), and
// 0x numbers by their prefix, which leaves the words and the 0o numbers.
bool LooksLikeNonString(std::string_view s) {
  static constexpr std::string_view kWords[] = {
      "y",    "Y",     "yes",  "Yes",  "YES",   "n",     "N",    "no",   "No",
      "NO",   "on",    "On",   "ON",   "off",   "Off",   "OFF",  ".inf", ".Inf",
      ".INF", "-.inf", ".nan", ".NaN", ".NAN",  "=",     "~",    "null", "Null",
      "NULL", "true",  "True", "TRUE", "false", "False", "FALSE"};
  if (s.empty()) return true;
  if (s.size() <= 5) {
    for (std::string_view w : kWords) {
      if (s == w) return true;
    }
  }
  if (std::all_of(s.begin(), s.end(), IsNumberChar)) return true;
  if (s.size() > 2 && s[0] == '0') {
    if (s[1] == 'b' || s[1] == 'x') return true;
    if (s[1] == 'o') return !PlainScalarToJson(std::string(s)).is_string();
  }
  return false;
}

// The length of the UTF-8 sequence at s[i] as the reader accepts it
// (parse.cc's CheckBytes), or 0 when it would call it invalid.
size_t Utf8Length(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80           ? 1
               : (c >> 5) == 0x6  ? 2
               : (c >> 4) == 0xE  ? 3
               : (c >> 3) == 0x1E ? 4
                                  : 0;
  if (len == 0 || i + len > s.size() || (len == 2 && c < 0xC2)) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return len;
}

bool NeedsQuotes(std::string_view s) {
  if (s.empty() || LooksLikeNonString(s)) return true;
  constexpr std::string_view kIndicators = "-?:,[]{}#&*!|>'\"%@` \t";
  if (kIndicators.find(s[0]) != std::string_view::npos) return true;
  if (s.back() == ' ' || s.back() == ':' || s.back() == '\t') return true;
  if (s.find(": ") != std::string_view::npos ||
      s.find(" #") != std::string_view::npos) {
    return true;
  }
  // One pass: control characters, and UTF-8 checked only where a byte is
  // not ASCII (nearly every string we emit is plain ASCII).
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return true;
      continue;
    }
    size_t len = Utf8Length(s, i);
    if (len == 0) return true;
    i += len - 1;
  }
  return false;
}

// Strings come from outside too (an API server's error message in a status
// file): bytes that are not UTF-8 become U+FFFD, so that what we write
// always reads back.
void AppendDoubleQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t len = Utf8Length(s, i);
      if (len == 0) {
        out->append("\\uFFFD");
      } else {
        out->append(s.substr(i, len));
        i += len - 1;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\r':
        out->append("\\r");
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendString(std::string_view s, std::string* out) {
  if (NeedsQuotes(s)) {
    AppendDoubleQuoted(s, out);
  } else {
    out->append(s);
  }
}

void AppendScalar(const nlohmann::json& v, std::string* out) {
  if (v.is_string()) {
    AppendString(v.get_ref<const std::string&>(), out);
  } else if (v.is_null()) {
    out->append("null");
  } else {
    out->append(v.dump());
  }
}

bool IsEmptyContainer(const nlohmann::json& v) {
  return (v.is_object() || v.is_array()) && v.empty();
}

// A scalar or an empty container, on the current line.
void AppendValue(const nlohmann::json& v, std::string* out) {
  if (IsEmptyContainer(v)) {
    out->append(v.is_object() ? "{}" : "[]");
  } else {
    AppendScalar(v, out);
  }
}

void EmitNode(const nlohmann::json& v, int indent, std::string* out);

// Emits the entries of an object; the first line continues the current one
// when `inline_first` (used for "- key: value" list items).
void EmitObject(const nlohmann::json& obj, int indent, bool inline_first,
                std::string* out) {
  bool first = true;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (!(first && inline_first)) out->append(indent, ' ');
    first = false;
    AppendString(it.key(), out);
    out->push_back(':');
    const nlohmann::json& val = it.value();
    if ((val.is_object() || val.is_array()) && !val.empty()) {
      out->push_back('\n');
      // Lists under a key sit at the key's indent, as kubectl prints them.
      EmitNode(val, val.is_array() ? indent : indent + 2, out);
    } else {
      out->push_back(' ');
      AppendValue(val, out);
      out->push_back('\n');
    }
  }
}

void EmitNode(const nlohmann::json& v, int indent, std::string* out) {
  if (v.is_object()) {
    EmitObject(v, indent, false, out);
    return;
  }
  for (const nlohmann::json& item : v) {
    out->append(indent, ' ');
    out->append("- ");
    if (item.is_object() && !item.empty()) {
      EmitObject(item, indent + 2, true, out);
    } else if (item.is_array() && !item.empty()) {
      out->push_back('\n');
      EmitNode(item, indent + 2, out);
    } else {
      AppendValue(item, out);
      out->push_back('\n');
    }
  }
}

}  // namespace

std::string QuoteIfNeeded(const std::string& s) {
  std::string out;
  AppendString(s, &out);
  return out;
}

void EmitTo(const nlohmann::json& value, std::string* out) {
  if (!value.is_object() && !value.is_array()) {
    AppendScalar(value, out);
    out->push_back('\n');
  } else if (value.empty()) {
    out->append(value.is_object() ? "{}\n" : "[]\n");
  } else {
    EmitNode(value, 0, out);
  }
}

std::string Emit(const nlohmann::json& value) {
  std::string out;
  EmitTo(value, &out);
  return out;
}

}  // namespace capigitops::yaml
