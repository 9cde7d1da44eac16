#include "stored_object.h"

namespace capigitops::sandbox {

const StoredObject::Text& StoredObject::text() const {
  std::call_once(once_, [this] {
    Text t;
    bool api_version_placed = false, kind_placed = false;
    // json keeps members in std::map order, which dump() follows too.
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      const std::string& key = it.key();
      if (key == "apiVersion" || key == "kind") continue;
      if (!api_version_placed && key > "apiVersion") {
        t.api_version_at = t.members.size();
        api_version_placed = true;
      }
      if (!kind_placed && key > "kind") {
        t.kind_at = t.members.size();
        kind_placed = true;
      }
      t.members += json(key).dump();
      t.members += ':';
      t.members += it.value().dump();
      t.members += ',';
    }
    if (!api_version_placed) t.api_version_at = t.members.size();
    if (!kind_placed) t.kind_at = t.members.size();
    text_ = std::move(t);
  });
  return text_;
}

size_t StoredObject::TextSize() const {
  return object_.is_object() ? text().members.size() + 2 : 0;
}

void StoredObject::AppendJson(std::string_view api_version,
                              std::string_view kind, std::string* out) const {
  if (!object_.is_object()) {  // the store keeps only maps; never reached
    out->append(object_.dump());
    return;
  }
  const Text& t = text();
  std::string_view members = t.members;
  out->push_back('{');
  out->append(members.substr(0, t.api_version_at));
  out->append("\"apiVersion\":");
  out->append(api_version);
  out->push_back(',');
  out->append(members.substr(t.api_version_at, t.kind_at - t.api_version_at));
  out->append("\"kind\":");
  out->append(kind);
  out->push_back(',');
  out->append(members.substr(t.kind_at));
  out->back() = '}';  // the last member's comma
}

}  // namespace capigitops::sandbox
