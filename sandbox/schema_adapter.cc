// Minimal structural-schema engine (apiextensions-apiserver/pkg/apiserver/
// schema/pruning, defaulting, validation), enough for CAPI's CRDs.
#include "schema_adapter.h"

#include <algorithm>

namespace capigitops::sandbox {
namespace {

bool PreservesUnknown(const json& s) {
  return s.value("x-kubernetes-preserve-unknown-fields", false);
}

bool IsRootImplicit(const std::string& path, const std::string& key) {
  return path.empty() &&
         (key == "apiVersion" || key == "kind" || key == "metadata");
}

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// The schema for map entry `key`, or null when undeclared. Sets *open when
// the node accepts anything.
const json* ChildSchema(const json& s, const std::string& key, bool* open) {
  *open = false;
  auto props = s.find("properties");
  if (props != s.end() && props->contains(key)) return &(*props)[key];
  auto addl = s.find("additionalProperties");
  if (addl != s.end()) {
    if (addl->is_object()) return &*addl;
    *open = addl->is_boolean() && addl->get<bool>();
    return nullptr;
  }
  // Open: preserve-unknown-fields, or an object without declared fields.
  *open = PreservesUnknown(s) || props == s.end();
  return nullptr;
}

template <typename Fn>
void Walk(const json& v, const json& s, const std::string& path,
          Fn&& on_unknown) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (IsRootImplicit(path, it.key())) continue;
      bool open = false;
      const json* child = ChildSchema(s, it.key(), &open);
      std::string p = Join(path, it.key());
      if (child) {
        Walk(*it, *child, p, on_unknown);
      } else if (!open) {
        on_unknown(p);
      }
    }
  } else if (v.is_array() && s.contains("items")) {
    for (size_t i = 0; i < v.size(); ++i) {
      Walk(v[i], s["items"], path + "[" + std::to_string(i) + "]", on_unknown);
    }
  }
}

std::string TypeOf(const json& v) {
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_array()) return "array";
  if (v.is_object()) return "object";
  return "null";
}

bool TypeMatches(const json& v, const json& s) {
  if (s.value("x-kubernetes-int-or-string", false)) {
    return v.is_string() || v.is_number_integer();
  }
  std::string want = s.value("type", "");
  if (want.empty()) return true;
  std::string got = TypeOf(v);
  return got == want || (want == "number" && got == "integer");
}

void Validate(const json& v, const json& s, const std::string& path,
              std::vector<StatusCause>* out) {
  if (v.is_null()) return;  // nulls are dropped as for non-nullable fields
  if (!TypeMatches(v, s)) {
    out->push_back({"FieldValueTypeInvalid",
                    "Invalid value: " + v.dump() + ": " + path +
                        " in body must be of type " + s.value("type", "") +
                        ": \"" + TypeOf(v) + "\"",
                    path});
    return;
  }
  if (s.contains("enum") && s["enum"].is_array()) {
    const json& e = s["enum"];
    if (std::find(e.begin(), e.end(), v) == e.end()) {
      std::string supported;
      for (const json& x : e)
        supported += (supported.empty() ? "" : ", ") + x.dump();
      out->push_back({"FieldValueNotSupported",
                      "Unsupported value: " + v.dump() +
                          ": supported values: " + supported,
                      path});
    }
  }
  if (v.is_number() && s.contains("minimum") &&
      v.get<double>() < s["minimum"].get<double>()) {
    out->push_back({"FieldValueInvalid",
                    "Invalid value: " + v.dump() + ": " + path +
                        " in body should be greater than or equal to " +
                        s["minimum"].dump(),
                    path});
  }
  if (v.is_number() && s.contains("maximum") &&
      v.get<double>() > s["maximum"].get<double>()) {
    out->push_back({"FieldValueInvalid",
                    "Invalid value: " + v.dump() + ": " + path +
                        " in body should be less than or equal to " +
                        s["maximum"].dump(),
                    path});
  }
  if (v.is_string() && s.contains("maxLength") &&
      v.get<std::string>().size() > s["maxLength"].get<size_t>()) {
    out->push_back({"FieldValueTooLong",
                    "Too long: may not be longer than " + s["maxLength"].dump(),
                    path});
  }
  if (v.is_object()) {
    for (const json& r : s.value("required", json::array())) {
      if (r.is_string() && !v.contains(r.get<std::string>())) {
        out->push_back({"FieldValueRequired", "Required value",
                        Join(path, r.get<std::string>())});
      }
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (IsRootImplicit(path, it.key())) continue;
      bool open = false;
      const json* child = ChildSchema(s, it.key(), &open);
      if (child) Validate(*it, *child, Join(path, it.key()), out);
    }
  } else if (v.is_array() && s.contains("items")) {
    for (size_t i = 0; i < v.size(); ++i) {
      Validate(v[i], s["items"], path + "[" + std::to_string(i) + "]", out);
    }
  }
}

void Defaults(json* v, const json& s, bool root) {
  if (v->is_object()) {
    auto props = s.find("properties");
    if (props != s.end()) {
      for (auto it = props->begin(); it != props->end(); ++it) {
        if (root && it.key() == "metadata") continue;
        if (!v->contains(it.key()) && it->contains("default")) {
          (*v)[it.key()] = (*it)["default"];
        }
      }
    }
    for (auto it = v->begin(); it != v->end(); ++it) {
      if (root && it.key() == "metadata") continue;
      bool open = false;
      const json* child = ChildSchema(s, it.key(), &open);
      if (child) Defaults(&it.value(), *child, false);
    }
  } else if (v->is_array() && s.contains("items")) {
    for (json& item : *v) Defaults(&item, s["items"], false);
  }
}

void Prune(json* v, const json& s, const std::string& path) {
  if (v->is_object()) {
    std::vector<std::string> drop;
    for (auto it = v->begin(); it != v->end(); ++it) {
      if (IsRootImplicit(path, it.key())) continue;
      bool open = false;
      const json* child = ChildSchema(s, it.key(), &open);
      if (child) {
        Prune(&it.value(), *child, Join(path, it.key()));
      } else if (!open) {
        drop.push_back(it.key());
      }
    }
    for (const std::string& k : drop) v->erase(k);
  } else if (v->is_array() && s.contains("items")) {
    for (size_t i = 0; i < v->size(); ++i) {
      Prune(&(*v)[i], s["items"], path + "[" + std::to_string(i) + "]");
    }
  }
}

}  // namespace

std::vector<std::string> FindUnknownFields(const json& obj,
                                           const json& schema) {
  std::vector<std::string> out;
  if (schema.is_null()) return out;
  Walk(obj, schema, "", [&](const std::string& p) { out.push_back(p); });
  return out;
}

std::vector<StatusCause> ValidateAgainstSchema(const json& obj,
                                               const json& schema) {
  std::vector<StatusCause> out;
  if (!schema.is_null()) Validate(obj, schema, "", &out);
  return out;
}

void ApplySchemaDefaults(json* obj, const json& schema) {
  if (!schema.is_null()) Defaults(obj, schema, true);
}

void PruneUnknownFields(json* obj, const json& schema) {
  if (!schema.is_null()) Prune(obj, schema, "");
}

}  // namespace capigitops::sandbox
