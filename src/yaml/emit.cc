// Deterministic block-style YAML output. Strings are quoted whenever a YAML
// 1.1 or 1.2 reader could take them for anything but a string, so a value from
// a spec can never change the structure or type of what we emit.
#include <cstdio>

#include "capigitops/yaml.h"

namespace capigitops::yaml {
namespace {

bool LooksLikeNonString(const std::string& s) {
  static const char* const kWords[] = {
      "y",    "Y",    "yes",  "Yes",   "YES",  "n",    "N",    "no",
      "No",   "NO",   "on",   "On",    "ON",   "off",  "Off",  "OFF",
      ".inf", ".Inf", ".INF", "-.inf", ".nan", ".NaN", ".NAN", "="};
  for (const char* w : kWords) {
    if (s == w) return true;
  }
  if (!PlainScalarToJson(s).is_string()) return true;
  // Numbers in other YAML 1.1 notations (sexagesimal, 0b, _ separators).
  bool digits_only = true;
  for (char c : s) {
    if (!(isdigit(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
          c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
      digits_only = false;
    }
  }
  if (digits_only) return true;
  return s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'x');
}

bool NeedsQuotes(const std::string& s) {
  if (s.empty() || LooksLikeNonString(s)) return true;
  if (std::string("-?:,[]{}#&*!|>'\"%@` \t").find(s[0]) != std::string::npos) {
    return true;
  }
  if (s.back() == ' ' || s.back() == ':' || s.back() == '\t') return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) {
    return true;
  }
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

std::string DoubleQuote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string Scalar(const nlohmann::json& v) {
  if (v.is_string()) return QuoteIfNeeded(v.get<std::string>());
  if (v.is_null()) return "null";
  return v.dump();
}

bool IsEmptyContainer(const nlohmann::json& v) {
  return (v.is_object() || v.is_array()) && v.empty();
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
    out->append(QuoteIfNeeded(it.key()));
    out->push_back(':');
    const nlohmann::json& val = it.value();
    if ((val.is_object() || val.is_array()) && !val.empty()) {
      out->push_back('\n');
      // Lists under a key sit at the key's indent, as kubectl prints them.
      EmitNode(val, val.is_array() ? indent : indent + 2, out);
    } else {
      out->push_back(' ');
      out->append(IsEmptyContainer(val) ? (val.is_object() ? "{}" : "[]")
                                        : Scalar(val));
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
      out->append(IsEmptyContainer(item) ? (item.is_object() ? "{}" : "[]")
                                         : Scalar(item));
      out->push_back('\n');
    }
  }
}

}  // namespace

std::string QuoteIfNeeded(const std::string& s) {
  return NeedsQuotes(s) ? DoubleQuote(s) : s;
}

std::string Emit(const nlohmann::json& value) {
  if (!value.is_object() && !value.is_array()) return Scalar(value) + "\n";
  if (value.empty()) return value.is_object() ? "{}\n" : "[]\n";
  std::string out;
  EmitNode(value, 0, &out);
  return out;
}

}  // namespace capigitops::yaml
