#include "ssa_schema.h"

#include "ssa_fieldset.h"

namespace capigitops::sandbox {
namespace {

using nlohmann::json;

// ObjectMeta as kube-apiserver's type model sees it (k8s.io/apimachinery
// meta/v1 types.go): finalizers +listType=set, ownerReferences +listType=map
// keyed by uid, labels/annotations granular string maps.
const json& ObjectMetaSchema() {
  static const json kSchema = json::parse(R"({
    "type": "object",
    "properties": {
      "name": {"type": "string"}, "generateName": {"type": "string"},
      "namespace": {"type": "string"}, "selfLink": {"type": "string"},
      "uid": {"type": "string"}, "resourceVersion": {"type": "string"},
      "generation": {"type": "integer"},
      "creationTimestamp": {"type": "string"},
      "deletionTimestamp": {"type": "string"},
      "deletionGracePeriodSeconds": {"type": "integer"},
      "labels": {"type": "object",
                 "additionalProperties": {"type": "string"}},
      "annotations": {"type": "object",
                      "additionalProperties": {"type": "string"}},
      "finalizers": {"type": "array", "x-kubernetes-list-type": "set",
                     "items": {"type": "string"}},
      "ownerReferences": {
        "type": "array", "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["uid"],
        "items": {"type": "object", "properties": {
          "apiVersion": {"type": "string"}, "kind": {"type": "string"},
          "name": {"type": "string"}, "uid": {"type": "string"},
          "controller": {"type": "boolean"},
          "blockOwnerDeletion": {"type": "boolean"}}}},
      "managedFields": {"type": "array", "items": {
        "type": "object", "x-kubernetes-preserve-unknown-fields": true}}
    }
  })");
  return kSchema;
}

const json& StringSchema() {
  static const json kSchema = {{"type", "string"}};
  return kSchema;
}

const json& StringMap() {
  static const json kSchema = json::parse(
      R"({"type": "object", "additionalProperties": {"type": "string"}})");
  return kSchema;
}

bool Flag(const json& node, const char* name) {
  auto it = node.find(name);
  return it != node.end() && it->is_boolean() && it->get<bool>();
}

std::string StringOf(const json& node, const char* name) {
  auto it = node.find(name);
  return it != node.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Describe(const json& value) {
  if (value.is_object()) return "map";
  if (value.is_array()) return "list";
  if (value.is_string()) return "string";
  if (value.is_boolean()) return "boolean";
  if (value.is_number()) return "number";
  return "null";
}

}  // namespace

SsaType::Kind SsaType::kind() const {
  if (node_ == nullptr || !node_->is_object()) {
    return object_root_ ? Kind::kStruct : Kind::kDeduced;
  }
  const json& n = *node_;
  if (object_root_) return Kind::kStruct;
  if (Flag(n, "x-kubernetes-int-or-string")) return Kind::kScalar;
  std::string type = StringOf(n, "type");
  if (type == "array" || (type.empty() && n.contains("items"))) {
    return Kind::kList;
  }
  if (type == "object" || n.contains("properties") ||
      n.contains("additionalProperties")) {
    if (StringOf(n, "x-kubernetes-map-type") == "atomic") {
      return Kind::kAtomicMap;
    }
    auto props = n.find("properties");
    if (props != n.end() && props->is_object()) return Kind::kStruct;
    return Kind::kMap;
  }
  if (type.empty()) return Kind::kDeduced;
  return Kind::kScalar;
}

Shape SsaType::ShapeOf(const json& value) const {
  switch (kind()) {
    case Kind::kDeduced:
      return value.is_object() ? Shape::kMap : Shape::kLeaf;
    case Kind::kScalar:
    case Kind::kAtomicMap:
      return Shape::kLeaf;
    case Kind::kStruct:
    case Kind::kMap:
      return value.is_object() || value.is_null() ? Shape::kMap : Shape::kLeaf;
    case Kind::kList: {
      if (!value.is_array() && !value.is_null()) return Shape::kLeaf;
      std::string list_type = StringOf(*node_, "x-kubernetes-list-type");
      if (list_type == "set") return Shape::kSet;
      if (list_type == "map") {
        auto keys = node_->find("x-kubernetes-list-map-keys");
        bool keyed = keys != node_->end() && keys->is_array() && !keys->empty();
        return keyed ? Shape::kListMap : Shape::kSet;
      }
      return Shape::kLeaf;
    }
  }
  return Shape::kLeaf;
}

SsaType::FieldInfo SsaType::Field(const std::string& key) const {
  static const json& meta = ObjectMetaSchema();
  static const json& str = StringSchema();
  bool embedded = node_ != nullptr && node_->is_object() &&
                  Flag(*node_, "x-kubernetes-embedded-resource");
  if (object_root_ || embedded) {
    if (key == "metadata") return {SsaType(&meta, false), true, true};
    if (key == "apiVersion" || key == "kind") {
      return {SsaType(&str, false), true, true};
    }
  }
  Kind k = kind();
  if (k != Kind::kStruct && k != Kind::kMap && k != Kind::kAtomicMap) {
    return {Deduced(), false, true};
  }
  if (node_ == nullptr) return {Deduced(), false, true};  // schemaless root
  const json& n = *node_;
  auto props = n.find("properties");
  if (props != n.end() && props->is_object()) {
    auto field = props->find(key);
    if (field != props->end()) return {SsaType(&*field, false), true, true};
  }
  auto extra = n.find("additionalProperties");
  if (extra != n.end() && extra->is_object()) {
    return {SsaType(&*extra, false), false, true};
  }
  bool open = (extra != n.end() && extra->is_boolean() && extra->get<bool>()) ||
              Flag(n, "x-kubernetes-preserve-unknown-fields") ||
              k == Kind::kMap;
  return {Deduced(), false, open};
}

SsaType SsaType::Element() const {
  if (node_ == nullptr || !node_->is_object()) return Deduced();
  auto items = node_->find("items");
  if (items == node_->end() || !items->is_object()) return Deduced();
  return SsaType(&*items, false);
}

bool SsaType::ItemElement(const json& item, std::string* element,
                          std::string* error) const {
  if (ShapeOf(json::array()) == Shape::kListMap) {
    if (item.is_null()) {
      *error = "associative list with keys may not have a null element";
      return false;
    }
    if (!item.is_object()) {
      *error = "associative list with keys may not have non-map elements";
      return false;
    }
    const json* props = nullptr;
    auto items = node_->find("items");
    if (items != node_->end() && items->contains("properties")) {
      props = &(*items)["properties"];
    }
    json key = json::object();
    for (const json& name : (*node_)["x-kubernetes-list-map-keys"]) {
      if (!name.is_string()) continue;
      const std::string field = name.get<std::string>();
      auto present = item.find(field);
      if (present != item.end()) {
        key[field] = *present;
      } else if (props != nullptr && props->contains(field) &&
                 (*props)[field].contains("default")) {
        key[field] = (*props)[field]["default"];
      } else {
        *error =
            "associative list with keys has an element that omits key "
            "field \"" +
            field + "\" (and doesn't have default value)";
        return false;
      }
    }
    *element = "k:" + GoJson(key);
    return true;
  }
  if (item.is_object() || item.is_array()) {
    *error = std::string(
                 "associative list without keys has an element "
                 "that's a ") +
             (item.is_object() ? "map" : "list") + " type";
    return false;
  }
  *element = "v:" + GoJson(item);
  return true;
}

std::string SsaType::KindMismatch(const json& value) const {
  if (value.is_null()) return "";
  switch (kind()) {
    case Kind::kDeduced:
      return "";
    case Kind::kScalar:
      if (value.is_object() || value.is_array()) {
        return "expected scalar, got " + Describe(value);
      }
      return "";
    case Kind::kStruct:
    case Kind::kMap:
    case Kind::kAtomicMap:
      return value.is_object() ? "" : "expected map, got " + Describe(value);
    case Kind::kList:
      return value.is_array() ? "" : "expected list, got " + Describe(value);
  }
  return "";
}

const json* BuiltinSchema(const std::string& api_version,
                          const std::string& kind) {
  static const json kConfigMap = {{"type", "object"},
                                  {"properties",
                                   {{"data", StringMap()},
                                    {"binaryData", StringMap()},
                                    {"immutable", {{"type", "boolean"}}}}}};
  static const json kSecret = {{"type", "object"},
                               {"properties",
                                {{"data", StringMap()},
                                 {"stringData", StringMap()},
                                 {"type", StringSchema()},
                                 {"immutable", {{"type", "boolean"}}}}}};
  static const json kNamespace = json::parse(R"({
    "type": "object",
    "properties": {
      "spec": {"type": "object", "properties": {
        "finalizers": {"type": "array", "items": {"type": "string"}}}},
      "status": {"type": "object", "properties": {
        "phase": {"type": "string"},
        "conditions": {"type": "array", "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["type"],
          "items": {"type": "object", "properties": {
            "type": {"type": "string"}, "status": {"type": "string"},
            "lastTransitionTime": {"type": "string"},
            "reason": {"type": "string"}, "message": {"type": "string"}}}}}}}
  })");
  static const json kLease = json::parse(R"({
    "type": "object",
    "properties": {"spec": {"type": "object", "properties": {
      "holderIdentity": {"type": "string"},
      "leaseDurationSeconds": {"type": "integer"},
      "acquireTime": {"type": "string"}, "renewTime": {"type": "string"},
      "leaseTransitions": {"type": "integer"},
      "strategy": {"type": "string"}, "preferredHolder": {"type": "string"}}}}
  })");
  if (api_version == "v1") {
    if (kind == "ConfigMap") return &kConfigMap;
    if (kind == "Secret") return &kSecret;
    if (kind == "Namespace") return &kNamespace;
  }
  if (api_version == "coordination.k8s.io/v1" && kind == "Lease") {
    return &kLease;
  }
  return nullptr;
}

}  // namespace capigitops::sandbox
