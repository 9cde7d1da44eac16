// Reading a live object without decoding it (sync.h: LiveObject::Contains,
// Get and AppliedFieldsOutside).
//
// A no-op plan compares every desired object with its live one and reads
// one annotation and the managed fields of each. Decoding the live object
// into an nlohmann tree for that cost 14-17 % of a 10,000-cluster pass's
// CPU, most of it allocating and freeing the tree's nodes, while the answer
// needs only each value's bytes compared in place: walking the encoding
// allocates nothing, and a value the desired object does not set is skipped.
#include <algorithm>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "capigitops/sync.h"
#include "sync/live_codec.h"

namespace capigitops {
namespace live_codec {
// Its own namespace: a unity batch compiles this file with its neighbours.
namespace {

using nlohmann::json;

// A cursor over encoded bytes. Any read past `end` or of a tag the encoder
// does not write turns `ok` false (and the answer false or absent).
struct View {
  const char* p;
  const char* end;
  const KeyTable& keys;
  bool ok = true;

  bool Varint(uint64_t* v) {
    if (!GetVarint(&p, end, v)) ok = false;
    return ok;
  }
  bool Tag(uint8_t* tag) {
    if (p >= end) return ok = false;
    *tag = static_cast<uint8_t>(*p++);
    return true;
  }
  // The next n bytes, skipped.
  bool Bytes(uint64_t n, std::string_view* out) {
    if (static_cast<uint64_t>(end - p) < n) return ok = false;
    *out = std::string_view(p, n);
    p += n;
    return true;
  }
  // An object key: its table entry or its inline bytes.
  bool Key(std::string_view* key) {
    uint64_t k = 0;
    if (!Varint(&k)) return false;
    if (k & 1) return Bytes(k >> 1, key);
    const std::string* s = keys.At(k >> 1);
    if (s == nullptr) return ok = false;
    *key = *s;
    return true;
  }
  // A number's value as a double, the tag read.
  bool Number(uint8_t tag, double* d) {
    uint64_t v = 0;
    switch (tag) {
      case kInt:
        if (!Varint(&v)) return false;
        *d = static_cast<double>(
            static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)));
        return true;
      case kUint:
        if (!Varint(&v)) return false;
        *d = static_cast<double>(v);
        return true;
      case kFloat:
        if (static_cast<size_t>(end - p) < sizeof *d) return ok = false;
        std::memcpy(d, p, sizeof *d);
        p += sizeof *d;
        return true;
    }
    return false;
  }
  // Past one value, allocating nothing.
  bool Skip() {
    uint8_t tag = 0;
    if (!Tag(&tag)) return false;
    uint64_t n = 0;
    std::string_view unused;
    switch (tag) {
      case kNull:
      case kFalse:
      case kTrue:
        return true;
      case kInt:
      case kUint:
        return Varint(&n);
      case kFloat:
        return Bytes(sizeof(double), &unused);
      case kString:
        return Varint(&n) && Bytes(n, &unused);
      case kArray:
        if (!Varint(&n)) return false;
        for (uint64_t i = 0; i < n; ++i) {
          if (!Skip()) return false;
        }
        return true;
      case kObject:
        if (!Varint(&n)) return false;
        for (uint64_t i = 0; i < n; ++i) {
          if (!Key(&unused) || !Skip()) return false;
        }
        return true;
    }
    return ok = false;
  }

  bool ObjectContains(const json& desired);
  bool ArrayContains(const json& desired);
  // IsSubset(desired, the value here); past it when true.
  bool Contains(const json& desired);
  // Past the object's entries up to the value of `key`; false when it has
  // none or this is no object.
  bool Enter(std::string_view key);
  // Past one managedFields entry: whether it is `manager`'s Apply, and
  // where its fieldsV1 value starts (null without one).
  bool ApplyEntryOf(std::string_view manager, const char** fields);
  // planner.cc's OwnsFieldsNotIn on the object here, its tag read.
  bool OwnsFieldsNotIn(const json& desired);
};

// A desired empty map or list may be missing live (IsSubset).
bool MayBeMissing(const json& v) {
  return (v.is_object() || v.is_array()) && v.empty();
}

// Live keys come in no particular order: each is looked up among the
// desired ones, and the desired keys that must be present are counted off.
// A key the LIST encoder wrote twice (a server that sent it twice) counts
// once, and each of its values must match.
bool View::ObjectContains(const json& desired) {
  uint64_t n = 0;
  if (!Varint(&n)) return false;
  size_t required = 0;
  for (const json& v : desired) required += MayBeMissing(v) ? 0 : 1;
  std::vector<const json*> found;  // desired objects have a few keys
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view key;
    if (!Key(&key)) return false;
    auto it = desired.find(key);
    if (it == desired.end()) {
      if (!Skip()) return false;
      continue;
    }
    if (!Contains(*it)) return false;
    if (!MayBeMissing(*it) &&
        std::find(found.begin(), found.end(), &*it) == found.end()) {
      found.push_back(&*it);
    }
  }
  return found.size() == required;
}

bool View::ArrayContains(const json& desired) {
  uint64_t n = 0;
  if (!Varint(&n) || n != desired.size()) return false;
  for (const json& e : desired) {
    if (!Contains(e)) return false;
  }
  return true;
}

bool View::Contains(const json& desired) {
  uint8_t tag = 0;
  if (!Tag(&tag)) return false;
  std::string_view s;
  uint64_t n = 0;
  switch (desired.type()) {
    case json::value_t::object:
      return tag == kObject && ObjectContains(desired);
    case json::value_t::array:
      return tag == kArray && ArrayContains(desired);
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: {
      double d = 0;
      return Number(tag, &d) && d == desired.get<double>();
    }
    case json::value_t::string:
      return tag == kString && Varint(&n) && Bytes(n, &s) &&
             s == desired.get_ref<const std::string&>();
    case json::value_t::boolean:
      return tag == (desired.get<bool>() ? kTrue : kFalse);
    case json::value_t::null:
      return tag == kNull;
    default:  // binary and discarded equal nothing decoded
      return false;
  }
}

bool View::Enter(std::string_view key) {
  uint8_t tag = 0;
  uint64_t n = 0;
  if (!Tag(&tag) || tag != kObject || !Varint(&n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view k;
    if (!Key(&k)) return false;
    if (k == key) return true;
    if (!Skip()) return false;
  }
  return false;
}

bool View::ApplyEntryOf(std::string_view manager, const char** fields) {
  *fields = nullptr;
  uint8_t tag = 0;
  uint64_t n = 0;
  if (!Tag(&tag)) return false;
  if (tag != kObject) {  // the live state keeps no such entry
    --p;
    Skip();
    return false;
  }
  if (!Varint(&n)) return false;
  // As mf.value("manager", ""), mf.value("operation", "").
  std::string_view mgr, op;
  bool has_mgr = false, has_op = false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view key;
    if (!Key(&key)) return false;
    std::string_view* into = nullptr;
    if (key == "manager" && !has_mgr) {
      into = &mgr;
      has_mgr = true;
    } else if (key == "operation" && !has_op) {
      into = &op;
      has_op = true;
    } else if (key == "fieldsV1" && *fields == nullptr) {
      *fields = p;
    }
    uint64_t len = 0;
    if (into != nullptr && p < end && static_cast<uint8_t>(*p) == kString) {
      ++p;
      if (!Varint(&len) || !Bytes(len, into)) return false;
    } else if (!Skip()) {
      return false;
    }
  }
  return mgr == manager && op == "Apply";
}

bool View::OwnsFieldsNotIn(const json& desired) {
  uint64_t n = 0;
  if (!Varint(&n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view key;
    if (!Key(&key)) return false;
    if (key.substr(0, 2) != "f:") {  // list entries are compared whole
      if (!Skip()) return false;
      continue;
    }
    if (!desired.is_object()) return true;
    auto field = desired.find(key.substr(2));
    if (field == desired.end()) return true;
    uint8_t tag = 0;
    if (!Tag(&tag)) return false;
    const char* at = p;
    uint64_t m = 0;
    if (tag != kObject) {
      --p;
      if (!Skip()) return false;
    } else if (!Varint(&m)) {
      return false;
    } else if (m > 0) {
      p = at;
      if (OwnsFieldsNotIn(*field)) return true;
      if (!ok) return false;
    }
  }
  return false;
}

}  // namespace
}  // namespace live_codec

bool LiveObject::Contains(const nlohmann::json& desired) const {
  // Default-constructed: Decode() is null.
  if (bytes_.empty()) return IsSubset(desired, nlohmann::json());
  live_codec::KeyTable& keys = live_codec::Keys();
  std::shared_lock lock(keys.mu);
  live_codec::View v{bytes_.data(), bytes_.data() + bytes_.size(), keys};
  return v.Contains(desired);
}

std::optional<nlohmann::json> LiveObject::Get(
    std::initializer_list<std::string_view> path) const {
  if (bytes_.empty()) {  // Decode() is null
    return path.size() == 0 ? std::optional(nlohmann::json()) : std::nullopt;
  }
  live_codec::KeyTable& keys = live_codec::Keys();
  std::shared_lock lock(keys.mu);
  live_codec::View v{bytes_.data(), bytes_.data() + bytes_.size(), keys};
  for (std::string_view key : path) {
    if (!v.Enter(key)) return std::nullopt;
  }
  bool ok = true;
  nlohmann::json out = live_codec::DecodeValue(&v.p, v.end, keys, &ok);
  if (!ok) return std::nullopt;
  return out;
}

// Bytes the encoder did not write answer true: the object then looks
// changed, and the dry run decides.
bool LiveObject::AppliedFieldsOutside(const nlohmann::json& desired,
                                      std::string_view manager) const {
  if (bytes_.empty()) return false;
  live_codec::KeyTable& keys = live_codec::Keys();
  std::shared_lock lock(keys.mu);
  live_codec::View v{bytes_.data(), bytes_.data() + bytes_.size(), keys};
  uint8_t tag = 0;
  uint64_t n = 0;
  if (!v.Enter("metadata") || !v.Enter("managedFields")) return !v.ok;
  if (!v.Tag(&tag) || tag != live_codec::kArray) return !v.ok;
  if (!v.Varint(&n)) return true;
  for (uint64_t i = 0; i < n; ++i) {
    const char* fields = nullptr;
    const bool match = v.ApplyEntryOf(manager, &fields);
    if (!v.ok) return true;
    if (!match || fields == nullptr) continue;
    live_codec::View f{fields, v.end, keys};
    if (!f.Tag(&tag) || tag != live_codec::kObject) {
      if (!f.ok) return true;
      continue;
    }
    if (f.OwnsFieldsNotIn(desired) || !f.ok) return true;
  }
  return false;
}

}  // namespace capigitops
