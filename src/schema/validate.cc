// OpenAPI v3 value validation of custom resources, following
// apiextensions-apiserver: kube-openapi's validator for the keywords, plus
// the Kubernetes extensions (int-or-string, list types, preserve-unknown,
// embedded resources) and strict unknown-field detection.
//
// `x-kubernetes-validations` (CEL rules) are deliberately ignored: evaluating
// CEL is out of scope, so objects that only break a CEL rule pass here.
#include <cmath>
#include <string>
#include <unordered_map>

#include "capigitops/schema.h"
#include "schema/errors.h"
#include "schema/format.h"
#include "schema/keywords.h"
#include "schema/objectmeta.h"
#include "schema/pattern.h"

namespace capigitops::schema {
namespace {

using json = nlohmann::json;

// Appends ".field" or "[i]" to the current path for one scope.
class PathScope {
 public:
  PathScope(std::string* path, const std::string& field)
      : path_(path), size_(path->size()) {
    if (!path->empty()) *path += '.';
    *path += field;
  }
  PathScope(std::string* path, size_t index)
      : path_(path), size_(path->size()) {
    *path += '[' + std::to_string(index) + ']';
  }
  ~PathScope() { path_->resize(size_); }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  std::string* path_;
  size_t size_;
};

bool IsIntegral(const json& v) {
  if (v.is_number_integer()) return true;  // also unsigned
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return std::isfinite(d) && std::trunc(d) == d;
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Compact JSON text, never throwing on invalid UTF-8.
std::string Dump(const json& v) {
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// kube-apiserver drops a null field whose schema is not nullable before it
// validates (replacing it by the default if there is one), so such a null
// counts as absent: no type error, but a Required one if the field is.
bool PrunedNull(const json& v, const json* field_schema) {
  return v.is_null() &&
         (field_schema == nullptr || !Flag(*field_schema, "nullable"));
}

class Walker {
 public:
  Walker(const ValidateOptions& options, std::vector<SchemaError>* errors,
         std::string path, bool value_only)
      : options_(options),
        errors_(errors),
        path_(std::move(path)),
        value_only_(value_only) {}

  void Value(const json& v, const json& s) {
    if (!s.is_object()) return;
    if (++depth_ > kMaxSchemaDepth) {
      Add(InvalidError(path_, "", "nesting too deep to validate"));
    } else if (v.is_null()) {
      NullValue(s);
    } else if (TypeMatches(v, s)) {
      Enum(v, s);
      Format(v, s);
      if (v.is_string()) String(v, s);
      if (v.is_number()) Number(v, s);
      if (v.is_array()) Array(v, s);
      if (v.is_object()) Object(v, s);
      Combinators(v, s);
    }
    --depth_;
  }

 private:
  void Add(SchemaError e) { errors_->push_back(std::move(e)); }

  void NullValue(const json& s) {
    if (Flag(s, "nullable")) return;
    const json* type = Keyword(s, "type");
    if (type != nullptr && type->is_string()) {
      Add(TypeError(path_, type->get<std::string>(), nullptr));
    } else if (Flag(s, "x-kubernetes-int-or-string")) {
      Add(TypeError(path_, "integer-or-string", nullptr));
    }
  }

  bool TypeMatches(const json& v, const json& s) {
    std::string want;
    bool ok = true;
    if (Flag(s, "x-kubernetes-int-or-string")) {
      want = "integer-or-string";
      ok = v.is_string() || IsIntegral(v);
    } else if (const json* type = Keyword(s, "type");
               type != nullptr && type->is_string()) {
      want = type->get<std::string>();
      if (want == "object") ok = v.is_object();
      if (want == "array") ok = v.is_array();
      if (want == "string") ok = v.is_string();
      if (want == "boolean") ok = v.is_boolean();
      if (want == "number") ok = v.is_number();
      if (want == "integer") ok = IsIntegral(v);
    }
    if (!ok) Add(TypeError(path_, want, v));
    return ok;
  }

  void Enum(const json& v, const json& s) {
    const json* values = ArrayKeyword(s, "enum");
    if (values == nullptr) return;
    for (const json& allowed : *values) {
      if (allowed == v) return;
    }
    Add(NotSupportedError(path_, v, *values));
  }

  void Format(const json& v, const json& s) {
    const json* format = Keyword(s, "format");
    if (format == nullptr || !format->is_string()) return;
    const std::string& f = format->get_ref<const std::string&>();
    if (!MatchesFormat(f, v)) Add(FormatError(path_, f, v));
  }

  void String(const json& v, const json& s) {
    const std::string& str = v.get_ref<const std::string&>();
    const json* max = Keyword(s, "maxLength");
    const json* min = Keyword(s, "minLength");
    if ((max != nullptr && max->is_number()) ||
        (min != nullptr && min->is_number())) {
      size_t n = CodePoints(str);
      if (max != nullptr && max->is_number() && n > max->get<double>()) {
        Add(TooLongError(path_, max->get<int64_t>()));
      }
      if (min != nullptr && min->is_number() && n < min->get<double>()) {
        Add(InvalidError(path_, v,
                         InBody(path_) + " should be at least " + Dump(*min) +
                             " chars long"));
      }
    }
    const json* pattern = Keyword(s, "pattern");
    if (pattern != nullptr && pattern->is_string()) {
      const std::string& p = pattern->get_ref<const std::string&>();
      std::optional<bool> matched = MatchesPattern(p, str);
      if (matched.has_value() && !*matched) {
        Add(InvalidError(path_, v,
                         InBody(path_) + " should match '" + p + "'"));
      }
    }
  }

  void Number(const json& v, const json& s) {
    double d = v.get<double>();
    if (const json* max = Keyword(s, "maximum"); max && max->is_number()) {
      bool exclusive = Flag(s, "exclusiveMaximum");
      double m = max->get<double>();
      if (exclusive ? d >= m : d > m) {
        Add(InvalidError(path_, v,
                         InBody(path_) + " should be less than " +
                             (exclusive ? "" : "or equal to ") + Dump(*max)));
      }
    }
    if (const json* min = Keyword(s, "minimum"); min && min->is_number()) {
      bool exclusive = Flag(s, "exclusiveMinimum");
      double m = min->get<double>();
      if (exclusive ? d <= m : d < m) {
        Add(InvalidError(path_, v,
                         InBody(path_) + " should be greater than " +
                             (exclusive ? "" : "or equal to ") + Dump(*min)));
      }
    }
    if (const json* mult = Keyword(s, "multipleOf");
        mult && mult->is_number()) {
      double m = mult->get<double>();
      if (m > 0 && std::fmod(d, m) != 0) {
        Add(InvalidError(
            path_, v,
            InBody(path_) + " should be a multiple of " + Dump(*mult)));
      }
    }
  }

  void Array(const json& v, const json& s) {
    const json* max = Keyword(s, "maxItems");
    if (max != nullptr && max->is_number() && v.size() > max->get<double>()) {
      Add(TooManyError(path_, static_cast<int64_t>(v.size()),
                       max->get<int64_t>()));
    }
    const json* min = Keyword(s, "minItems");
    if (min != nullptr && min->is_number() && v.size() < min->get<double>()) {
      Add(InvalidError(
          path_, v,
          InBody(path_) + " should have at least " + Dump(*min) + " items"));
    }
    UniqueItems(v, s);
    if (const json* items = ObjectKeyword(s, "items")) {
      for (size_t i = 0; i < v.size(); ++i) {
        PathScope scope(&path_, i);
        Value(v[i], *items);
      }
    }
  }

  // uniqueItems and x-kubernetes-list-type set/map: one hash pass.
  void UniqueItems(const json& v, const json& s) {
    const json* list_type = Keyword(s, "x-kubernetes-list-type");
    std::string type = list_type != nullptr && list_type->is_string()
                           ? list_type->get<std::string>()
                           : "";
    bool unique = Flag(s, "uniqueItems");
    if (type != "set" && type != "map" && !unique) return;
    const json* map_keys = ArrayKeyword(s, "x-kubernetes-list-map-keys");
    std::unordered_map<std::string, size_t> seen;
    bool reported_unique = false;
    for (size_t i = 0; i < v.size(); ++i) {
      json key = v[i];
      if (type == "map" && map_keys != nullptr && v[i].is_object()) {
        key = json::object();
        for (const json& k : *map_keys) {
          if (!k.is_string()) continue;
          const std::string& name = k.get_ref<const std::string&>();
          key[name] = v[i].contains(name) ? v[i][name] : json();
        }
      }
      if (seen.emplace(Dump(key), i).second) continue;
      if (type == "set" || type == "map") {
        PathScope scope(&path_, i);
        Add(DuplicateError(path_, key));
      } else if (!reported_unique) {
        reported_unique = true;
        Add(InvalidError(path_, v,
                         InBody(path_) + " shouldn't contain duplicates"));
      }
    }
  }

  void Object(const json& v, const json& s) {
    bool resource = !value_only_ && (path_.empty() ||
                                     Flag(s, "x-kubernetes-embedded-resource"));
    ObjectSize(v, s);
    if (const json* required = ArrayKeyword(s, "required")) {
      for (const json& r : *required) {
        if (!r.is_string()) continue;
        const std::string& name = r.get_ref<const std::string&>();
        auto it = v.find(name);
        if (it != v.end() && !PrunedNull(*it, PropertySchema(s, name))) {
          continue;
        }
        PathScope scope(&path_, name);
        Add(RequiredError(path_));
      }
    }
    if (resource && path_.empty() && !v.contains("metadata")) {
      Add(RequiredError("metadata.name", "name or generateName is required"));
    }
    if (resource && !path_.empty()) {
      // An embedded object needs its type
      // (objectmeta.validateEmbeddedResource).
      for (const char* key : {"apiVersion", "kind"}) {
        if (v.contains(key)) continue;
        PathScope scope(&path_, key);
        Add(RequiredError(path_, "must not be empty"));
      }
    }
    for (const auto& item : v.items()) {
      PathScope scope(&path_, item.key());
      Field(item.key(), item.value(), s, resource);
    }
  }

  void Field(const std::string& key, const json& v, const json& s,
             bool resource) {
    if (resource && key == "metadata") {
      ValidateObjectMeta(v, path_, /*require_name=*/depth_ == 1, options_,
                         errors_);
      return;
    }
    if (const json* prop = PropertySchema(s, key)) {
      if (!PrunedNull(v, prop)) Value(v, *prop);
    } else if (resource && (key == "apiVersion" || key == "kind")) {
      if (!v.is_string()) Add(TypeError(path_, "string", v));
    } else if (const json* additional = AdditionalSchema(s)) {
      if (!PrunedNull(v, additional)) Value(v, *additional);
    } else if (!value_only_ && !PreservesUnknown(s) &&
               options_.reject_unknown_fields) {
      Add(UnknownFieldError(path_));
    }
  }

  void ObjectSize(const json& v, const json& s) {
    const json* max = Keyword(s, "maxProperties");
    if (max != nullptr && max->is_number() && v.size() > max->get<double>()) {
      Add(TooManyError(path_, static_cast<int64_t>(v.size()),
                       max->get<int64_t>()));
    }
    const json* min = Keyword(s, "minProperties");
    if (min != nullptr && min->is_number() && v.size() < min->get<double>()) {
      Add(InvalidError(path_, v,
                       InBody(path_) + " should have at least " + Dump(*min) +
                           " properties"));
    }
  }

  // Errors `v` would get from `sub` alone, as a value validation.
  std::vector<SchemaError> Sub(const json& v, const json& sub) {
    std::vector<SchemaError> out;
    Walker w(options_, &out, path_, /*value_only=*/true);
    w.depth_ = depth_;
    w.Value(v, sub);
    return out;
  }

  // anyOf/oneOf: the failures of the closest branch, to say what is wrong.
  void Combinators(const json& v, const json& s) {
    if (const json* all = ArrayKeyword(s, "allOf")) {
      for (const json& sub : *all) {
        for (SchemaError& e : Sub(v, sub)) Add(std::move(e));
      }
    }
    for (const char* keyword : {"anyOf", "oneOf"}) {
      const json* subs = ArrayKeyword(s, keyword);
      if (subs == nullptr || subs->empty()) continue;
      size_t passed = 0;
      std::vector<SchemaError> best;
      bool have_best = false;
      for (const json& sub : *subs) {
        std::vector<SchemaError> errs = Sub(v, sub);
        if (errs.empty()) ++passed;
        if (!have_best || errs.size() < best.size()) best = std::move(errs);
        have_best = true;
      }
      bool any = std::string_view(keyword) == "anyOf";
      if (any ? passed > 0 : passed == 1) continue;
      Add(InvalidError(
          path_, v,
          InBody(path_) + (any ? " must validate at least one schema (anyOf)"
                               : " must validate one and only one schema "
                                 "(oneOf)")));
      for (SchemaError& e : best) Add(std::move(e));
    }
    if (const json* not_schema = ObjectKeyword(s, "not")) {
      if (Sub(v, *not_schema).empty()) {
        Add(InvalidError(
            path_, v, InBody(path_) + " must not validate the schema (not)"));
      }
    }
  }

  const ValidateOptions& options_;
  std::vector<SchemaError>* errors_;
  std::string path_;
  bool value_only_;  // in allOf/anyOf/oneOf/not: constraints only
  int depth_ = 0;
};

}  // namespace

std::vector<SchemaError> Validate(const json& object, const json& schema,
                                  const ValidateOptions& options) {
  std::vector<SchemaError> errors;
  if (!object.is_object()) {
    errors.push_back(TypeError("", "object", object));
    return errors;
  }
  Walker walker(options, &errors, "", /*value_only=*/false);
  walker.Value(object, schema);
  return errors;
}

}  // namespace capigitops::schema
