#include "ssa_fieldset.h"

#include <string_view>

#include "capigitops/json.h"

namespace capigitops::sandbox {

void FieldSet::Insert(const FieldPath& path) {
  FieldSet* node = this;
  for (const std::string& element : path) node = &node->children_[element];
  if (!path.empty()) node->member_ = true;
}

bool FieldSet::Has(const FieldPath& path) const {
  if (path.empty()) return false;
  const FieldSet* node = this;
  for (const std::string& element : path) {
    node = node->Child(element);
    if (node == nullptr) return false;
  }
  return node->member_;
}

bool FieldSet::HasMember(const std::string& element) const {
  const FieldSet* child = Child(element);
  return child != nullptr && child->member_;
}

const FieldSet* FieldSet::Child(const std::string& element) const {
  auto it = children_.find(element);
  return it == children_.end() ? nullptr : &it->second;
}

FieldSet FieldSet::Union(const FieldSet& other) const {
  FieldSet out = *this;
  out.member_ = member_ || other.member_;
  for (const auto& [element, child] : other.children_) {
    auto it = out.children_.find(element);
    if (it == out.children_.end()) {
      out.children_.emplace(element, child);
    } else {
      it->second = it->second.Union(child);
    }
  }
  return out;
}

FieldSet FieldSet::Difference(const FieldSet& other) const {
  FieldSet out;
  out.member_ = member_ && !other.member_;
  for (const auto& [element, child] : children_) {
    const FieldSet* theirs = other.Child(element);
    FieldSet rest = theirs == nullptr ? child : child.Difference(*theirs);
    if (!rest.empty()) out.children_.emplace(element, std::move(rest));
  }
  return out;
}

FieldSet FieldSet::Intersection(const FieldSet& other) const {
  FieldSet out;
  out.member_ = member_ && other.member_;
  for (const auto& [element, child] : children_) {
    const FieldSet* theirs = other.Child(element);
    if (theirs == nullptr) continue;
    FieldSet both = child.Intersection(*theirs);
    if (!both.empty()) out.children_.emplace(element, std::move(both));
  }
  return out;
}

FieldSet FieldSet::RecursiveDifference(const FieldSet& other) const {
  FieldSet out;
  out.member_ = member_ && !other.member_;
  for (const auto& [element, child] : children_) {
    const FieldSet* theirs = other.Child(element);
    if (theirs != nullptr && theirs->member_) continue;
    FieldSet rest =
        theirs == nullptr ? child : child.RecursiveDifference(*theirs);
    if (!rest.empty()) out.children_.emplace(element, std::move(rest));
  }
  return out;
}

void FieldSet::ForEach(const std::function<void(const FieldPath&)>& fn) const {
  FieldPath prefix;
  ForEachWithPrefix(&prefix, fn);
}

void FieldSet::ForEachWithPrefix(
    FieldPath* prefix, const std::function<void(const FieldPath&)>& fn) const {
  for (const auto& [element, child] : children_) {
    if (!child.member_) continue;
    prefix->push_back(element);
    fn(*prefix);
    prefix->pop_back();
  }
  for (const auto& [element, child] : children_) {
    prefix->push_back(element);
    child.ForEachWithPrefix(prefix, fn);
    prefix->pop_back();
  }
}

nlohmann::json FieldSet::ToFieldsV1() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [element, child] : children_) {
    nlohmann::json encoded = child.ToFieldsV1();
    if (child.member_ && !child.children_.empty()) {
      encoded["."] = nlohmann::json::object();
    }
    out[element] = std::move(encoded);
  }
  return out;
}

FieldSet FieldSet::FromFieldsV1(const nlohmann::json& fields) {
  FieldSet out;
  if (!fields.is_object()) return out;
  for (const auto& [key, value] : fields.items()) {
    if (key == ".") continue;  // handled by the parent
    FieldSet child = FromFieldsV1(value);
    bool leaf = !value.is_object() || value.empty();
    child.member_ = leaf || value.contains(".");
    if (!child.empty()) out.children_.emplace(key, std::move(child));
  }
  return out;
}

namespace {

// Go's value.ToString: strings quoted, maps as {k=v, ...}, lists as [a, b].
std::string ValueString(const nlohmann::json& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return GoJson(v);
  if (v.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) out += ", ";
      out += ValueString(v[i]);
    }
    return out + "]";
  }
  if (v.is_object()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, item] : v.items()) {
      if (!first) out += ", ";
      first = false;
      out += k + "=" + ValueString(item);
    }
    return out + "}";
  }
  return v.dump();
}

std::string ElementString(const std::string& element) {
  std::string_view body = std::string_view(element).substr(2);
  if (element.rfind("f:", 0) == 0) return "." + std::string(body);
  if (element.rfind("i:", 0) == 0) return "[" + std::string(body) + "]";
  // Elements come from stored managedFields, which a client may have sent.
  StatusOr<nlohmann::json> element_json =
      yaml::ParseJson(body, "path element", {1 << 20, 16});
  if (!element_json.ok()) return "{{invalid path element}}";
  const nlohmann::json& parsed = *element_json;
  if (!parsed.is_object() && element.rfind("v:", 0) != 0) {
    return "{{invalid path element}}";
  }
  if (element.rfind("v:", 0) == 0) return "[=" + ValueString(parsed) + "]";
  std::string out = "[";
  bool first = true;
  for (const auto& [k, item] : parsed.items()) {
    if (!first) out += ",";
    first = false;
    out += k + "=" + ValueString(item);
  }
  return out + "]";
}

}  // namespace

std::string FieldPathString(const FieldPath& path) {
  std::string out;
  for (const std::string& element : path) out += ElementString(element);
  return out;
}

std::string GoJson(const nlohmann::json& value) {
  std::string dumped =
      value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // These characters only occur inside strings in compact JSON.
  std::string out;
  out.reserve(dumped.size());
  for (char c : dumped) {
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace capigitops::sandbox
