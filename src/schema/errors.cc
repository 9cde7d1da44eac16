// Wording of schema errors, copied from kube's field.Error.ErrorBody so that
// capi-sandbox answers like a real API server.
#include "schema/errors.h"

#include <cstdio>

namespace capigitops::schema {

using json = nlohmann::json;

std::string GoQuote(std::string_view s) {
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
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);  // UTF-8 passes through, as in Go
        }
    }
  }
  return out + "\"";
}

std::string RenderValue(const json& value) {
  if (value.is_string()) return GoQuote(value.get_ref<const std::string&>());
  // error_handler::replace: never throw on invalid UTF-8 in user input.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string JsonTypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::string:
      return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    default:
      return "null";
  }
}

SchemaError RequiredError(const std::string& field, std::string_view detail) {
  std::string message = "Required value";
  if (!detail.empty()) message += ": " + std::string(detail);
  return {field, "FieldValueRequired", message};
}

SchemaError NotSupportedError(const std::string& field, const json& value,
                              const json& supported) {
  std::string list;
  for (const json& v : supported) {
    if (!list.empty()) list += ", ";
    // kube quotes string values and JSON-encodes the others.
    list += v.is_string()
                ? GoQuote(v.get_ref<const std::string&>())
                : v.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return {field, "FieldValueNotSupported",
          "Unsupported value: " + RenderValue(value) +
              ": supported values: " + list};
}

SchemaError TypeError(const std::string& field, std::string_view want,
                      const json& value) {
  std::string actual = GoQuote(JsonTypeName(value));
  return {field, "FieldValueTypeInvalid",
          "Invalid value: " + actual + ": " + InBody(field) +
              " must be of type " + std::string(want) + ": " + actual};
}

SchemaError InvalidError(const std::string& field, const json& value,
                         const std::string& detail) {
  return {field, "FieldValueInvalid",
          "Invalid value: " + RenderValue(value) + ": " + detail};
}

SchemaError FormatError(const std::string& field, const std::string& format,
                        const json& value) {
  std::string text =
      value.is_string() ? value.get<std::string>() : RenderValue(value);
  return {field, "FieldValueTypeInvalid",
          "Invalid value: " + RenderValue(value) + ": " + InBody(field) +
              " must be of type " + format + ": " + GoQuote(text)};
}

SchemaError TooLongError(const std::string& field, int64_t max) {
  return {field, "FieldValueTooLong",
          "Too long: may not be more than " + std::to_string(max) +
              (max == 1 ? " byte" : " bytes")};
}

SchemaError TooManyError(const std::string& field, int64_t actual,
                         int64_t max) {
  return {field, "FieldValueTooMany",
          "Too many: " + std::to_string(actual) + ": must have at most " +
              std::to_string(max) + (max == 1 ? " item" : " items")};
}

SchemaError DuplicateError(const std::string& field, const json& value) {
  return {field, "FieldValueDuplicate",
          "Duplicate value: " + RenderValue(value)};
}

SchemaError UnknownFieldError(const std::string& field) {
  return {field, "FieldValueUnknown", "unknown field " + GoQuote(field)};
}

}  // namespace capigitops::schema
