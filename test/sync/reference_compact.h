// The tree path that LiveListEncoder replaced (live_state.cc's Compact, as
// it was), kept as the reference the encoder is compared with, and the
// comparison: by live_list_encoder_test.cc on real LIST pages and by the
// live_list fuzz target on anything.
#ifndef CAPIGITOPS_TEST_SYNC_REFERENCE_COMPACT_H_
#define CAPIGITOPS_TEST_SYNC_REFERENCE_COMPACT_H_

#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

namespace capigitops::reference {

inline nlohmann::json FieldKeys(const nlohmann::json& fields) {
  nlohmann::json out = nlohmann::json::object();
  if (!fields.is_object()) return out;
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (it.key().rfind("f:", 0) == 0) out[it.key()] = FieldKeys(*it);
  }
  return out;
}

// Throws nlohmann's type_error where the old code did (a manager or
// operation that is not a string).
inline void Compact(nlohmann::json* obj) {
  using nlohmann::json;
  auto meta = obj->find("metadata");
  if (meta == obj->end() || !meta->is_object()) return;
  for (const char* key : {"creationTimestamp", "selfLink"}) meta->erase(key);
  auto ann = meta->find("annotations");
  if (ann != meta->end() && ann->is_object()) {
    ann->erase("kubectl.kubernetes.io/last-applied-configuration");
  }
  auto fields = meta->find("managedFields");
  if (fields == meta->end()) return;
  json kept = json::array();
  if (fields->is_array()) {
    for (json& mf : *fields) {
      if (!mf.is_object() || mf.value("operation", "") != "Apply") continue;
      auto owned = mf.find("fieldsV1");
      kept.push_back({{"manager", mf.value("manager", "")},
                      {"operation", "Apply"},
                      {"fieldsV1", owned == mf.end() ? json::object()
                                                     : FieldKeys(*owned)}});
    }
  }
  if (kept.empty()) {
    meta->erase(fields);
  } else {
    *fields = std::move(kept);
  }
}

// Equal, each value of the same nlohmann type (json's == counts 2, 2u and
// 2.0 equal) and a zero's sign kept.
inline bool Identical(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !Identical(*it, *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!Identical(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_number_float() &&
      std::signbit(a.get<double>()) != std::signbit(b.get<double>())) {
    return false;
  }
  return a == b;
}

}  // namespace capigitops::reference

#endif  // CAPIGITOPS_TEST_SYNC_REFERENCE_COMPACT_H_
