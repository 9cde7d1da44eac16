#include "capigitops/diff.h"

namespace capigitops {

using nlohmann::json;

json Normalize(const json& object) {
  json out = object;
  out.erase("status");
  if (out.contains("metadata") && out["metadata"].is_object()) {
    json& m = out["metadata"];
    for (const char* key :
         {"managedFields", "resourceVersion", "uid", "generation",
          "creationTimestamp", "selfLink", "deletionGracePeriodSeconds"}) {
      m.erase(key);
    }
    if (m.contains("annotations") && m["annotations"].is_object()) {
      m["annotations"].erase(
          "kubectl.kubernetes.io/last-applied-configuration");
      if (m["annotations"].empty()) m.erase("annotations");
    }
  }
  return out;
}

bool IsSubset(const json& desired, const json& live) {
  if (desired.is_object()) {
    if (!live.is_object()) return false;
    for (auto it = desired.begin(); it != desired.end(); ++it) {
      auto l = live.find(it.key());
      if (l == live.end()) {
        // An empty map or list we send may be dropped by the server.
        if ((it->is_object() || it->is_array()) && it->empty()) continue;
        return false;
      }
      if (!IsSubset(*it, *l)) return false;
    }
    return true;
  }
  if (desired.is_array()) {
    if (!live.is_array() || live.size() != desired.size()) return false;
    for (size_t i = 0; i < desired.size(); ++i) {
      if (!IsSubset(desired[i], live[i])) return false;
    }
    return true;
  }
  if (desired.is_number() && live.is_number()) {
    return desired.get<double>() == live.get<double>();
  }
  return desired == live;
}

namespace {

void Walk(const json& a, const json& b, const std::string& path,
          std::vector<FieldChange>* out) {
  if (a.is_object() && b.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      std::string p = path.empty() ? it.key() : path + "." + it.key();
      auto other = b.find(it.key());
      if (other == b.end()) {
        out->push_back({p, *it, nullptr});
      } else {
        Walk(*it, *other, p, out);
      }
    }
    for (auto it = b.begin(); it != b.end(); ++it) {
      if (!a.contains(it.key())) {
        out->push_back(
            {path.empty() ? it.key() : path + "." + it.key(), nullptr, *it});
      }
    }
    return;
  }
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i) {
      Walk(a[i], b[i], path + "[" + std::to_string(i) + "]", out);
    }
    return;
  }
  if (a != b) out->push_back({path, a, b});
}

}  // namespace

std::vector<FieldChange> DiffObjects(const json& before, const json& after) {
  std::vector<FieldChange> out;
  Walk(before, after, "", &out);
  return out;
}

}  // namespace capigitops
