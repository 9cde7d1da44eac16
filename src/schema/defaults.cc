// Defaulting and pruning, as apiextensions-apiserver's schema/defaulting and
// schema/pruning packages do them (kube-api.md section 5.3).
#include "capigitops/schema.h"
#include "schema/keywords.h"
#include "schema/objectmeta.h"

namespace capigitops::schema {
namespace {

using json = nlohmann::json;

// A null where the schema does not allow one is replaced by the default.
bool ReplaceableNull(const json& v, const json& s) {
  return v.is_null() && !Flag(s, "nullable") && Keyword(s, "default");
}

void Default(json* x, const json& s, int depth) {
  if (!s.is_object() || depth > kMaxSchemaDepth) return;
  if (x->is_object()) {
    // First fill the absent properties of this level, then descend, so that
    // defaults inside a defaulted object are applied too.
    if (const json* props = ObjectKeyword(s, "properties")) {
      for (const auto& prop : props->items()) {
        const json* d = Keyword(prop.value(), "default");
        if (d == nullptr) continue;
        auto it = x->find(prop.key());
        if (it == x->end() || ReplaceableNull(*it, prop.value())) {
          (*x)[prop.key()] = *d;
        }
      }
    }
    const json* additional = AdditionalSchema(s);
    for (auto it = x->begin(); it != x->end(); ++it) {
      const json* sub = PropertySchema(s, it.key());
      if (sub == nullptr) sub = additional;
      if (sub == nullptr) continue;
      if (ReplaceableNull(it.value(), *sub))
        it.value() = *Keyword(*sub, "default");
      Default(&it.value(), *sub, depth + 1);
    }
  } else if (x->is_array()) {
    const json* items = ObjectKeyword(s, "items");
    if (items == nullptr) return;
    for (json& item : *x) {
      if (ReplaceableNull(item, *items)) item = *Keyword(*items, "default");
      Default(&item, *items, depth + 1);
    }
  }
}

void PruneValue(json* x, const json& s, bool resource, int depth);

// One field of an object; returns false when it must be removed.
bool PruneField(const std::string& key, json* v, const json& s, bool resource,
                int depth) {
  if (resource && (key == "apiVersion" || key == "kind")) return true;
  if (resource && key == "metadata") {
    PruneObjectMeta(v);
    return true;
  }
  const json* sub = PropertySchema(s, key);
  if (sub == nullptr) sub = AdditionalSchema(s);
  if (sub == nullptr) return PreservesUnknown(s);
  if (v->is_null() && !Flag(*sub, "nullable") && !Keyword(*sub, "default")) {
    return false;  // kube drops these before validation
  }
  PruneValue(v, *sub, /*resource=*/false, depth + 1);
  return true;
}

void PruneValue(json* x, const json& s, bool resource, int depth) {
  if (!s.is_object() || depth > kMaxSchemaDepth) return;
  if (x->is_object()) {
    resource = resource || Flag(s, "x-kubernetes-embedded-resource");
    for (auto it = x->begin(); it != x->end();) {
      if (PruneField(it.key(), &it.value(), s, resource, depth)) {
        ++it;
      } else {
        it = x->erase(it);
      }
    }
  } else if (x->is_array()) {
    const json* items = ObjectKeyword(s, "items");
    if (items == nullptr) return;
    for (json& item : *x) PruneValue(&item, *items, false, depth + 1);
  }
}

}  // namespace

void ApplyDefaults(json* object, const json& schema) {
  if (object != nullptr) Default(object, schema, 0);
}

void Prune(json* object, const json& schema) {
  if (object != nullptr) PruneValue(object, schema, /*resource=*/true, 0);
}

}  // namespace capigitops::schema
