// A live object kept encoded, decoded when read.
//
// A no-op pass of 1,000 clusters holds ~13,000 live objects. As nlohmann
// trees, compacted, they were ~40 % of the heap peak: every key is a
// std::map node of ~100 bytes. Encoded as MessagePack they take about their
// JSON text's size, and more than half of that is keys: "metadata",
// "f:spec", "cluster.x-k8s.io/cluster-name" again in every object, while
// all objects of a no-op plan of 300 clusters have 272 distinct keys. So
// the encoding here is MessagePack's idea (a tag, then the value) with each
// key written as its index in one process-wide table: half the bytes of
// MessagePack (2.4 against 4.7 MB on 300 clusters), and decoded in less
// time, since a key is a copy from the table instead of a parse.
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>

#include "capigitops/sync.h"
#include "sync/live_codec.h"

namespace capigitops {
namespace live_codec {

KeyTable& Keys() {
  static KeyTable* table = new KeyTable;  // never destroyed: no exit order
  return *table;
}

// Its own namespace: a unity batch compiles this file with its neighbours.
namespace {

using nlohmann::json;

// False (with `out` incomplete) when an object key is not in the table and
// `may_add` is not set.
bool Encode(const json& j, KeyTable& keys, bool may_add, std::string* out) {
  switch (j.type()) {
    case json::value_t::boolean:
      out->push_back(j.get<bool>() ? kTrue : kFalse);
      return true;
    case json::value_t::number_integer: {
      const int64_t v = j.get<int64_t>();
      out->push_back(kInt);
      PutVarint(
          (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63),
          out);
      return true;
    }
    case json::value_t::number_unsigned:
      out->push_back(kUint);
      PutVarint(j.get<uint64_t>(), out);
      return true;
    case json::value_t::number_float: {
      const double d = j.get<double>();
      char bytes[sizeof d];
      std::memcpy(bytes, &d, sizeof d);
      out->push_back(kFloat);
      out->append(bytes, sizeof d);
      return true;
    }
    case json::value_t::string: {
      const std::string& s = j.get_ref<const std::string&>();
      out->push_back(kString);
      PutVarint(s.size(), out);
      out->append(s);
      return true;
    }
    case json::value_t::array:
      out->push_back(kArray);
      PutVarint(j.size(), out);
      for (const json& e : j) {
        if (!Encode(e, keys, may_add, out)) return false;
      }
      return true;
    case json::value_t::object:
      out->push_back(kObject);
      PutVarint(j.size(), out);
      for (auto it = j.begin(); it != j.end(); ++it) {
        // Even: a table index; odd: the length of the key written here.
        const uint32_t k = keys.Intern(it.key(), may_add);
        if (k == KeyTable::kMissing) return false;
        if (k < KeyTable::kMaxKeys) {
          PutVarint(uint64_t{k} << 1, out);
        } else {
          PutVarint((uint64_t{it.key().size()} << 1) | 1, out);
          out->append(it.key());
        }
        if (!Encode(*it, keys, may_add, out)) return false;
      }
      return true;
    default:  // null, and binary, which no JSON text yields
      out->push_back(kNull);
      return true;
  }
}

// Decodes what Encode wrote; `ok` turns false on bytes it did not write.
struct Reader {
  const char* p;
  const char* end;
  const KeyTable& keys;
  bool ok = true;

  uint64_t Varint() {
    uint64_t v = 0;
    if (!GetVarint(&p, end, &v)) ok = false;
    return v;
  }
  std::string Bytes(uint64_t n) {
    if (static_cast<uint64_t>(end - p) < n) {
      ok = false;
      return {};
    }
    std::string s(p, n);
    p += n;
    return s;
  }
  std::string Key() {
    const uint64_t k = Varint();
    if (k & 1) return Bytes(k >> 1);
    const std::string* key = keys.At(k >> 1);
    if (key == nullptr) ok = false;
    return key ? *key : std::string();
  }
  json Value() {
    if (p >= end) {
      ok = false;
      return json();
    }
    switch (static_cast<uint8_t>(*p++)) {
      case kNull:
        return json();
      case kFalse:
        return false;
      case kTrue:
        return true;
      case kInt: {
        const uint64_t z = Varint();
        return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
      }
      case kUint:
        return Varint();
      case kFloat: {
        double d = 0;
        if (static_cast<size_t>(end - p) < sizeof d) break;
        std::memcpy(&d, p, sizeof d);
        p += sizeof d;
        return d;
      }
      case kString:
        return Bytes(Varint());
      case kArray: {
        json a = json::array();
        const uint64_t n = Varint();
        for (uint64_t i = 0; i < n && ok; ++i) a.push_back(Value());
        return a;
      }
      case kObject: {
        json o = json::object();
        const uint64_t n = Varint();
        for (uint64_t i = 0; i < n && ok; ++i) {
          std::string key = Key();
          json value = Value();
          o.emplace(std::move(key), std::move(value));
        }
        return o;
      }
    }
    ok = false;
    return json();
  }
};

}  // namespace

nlohmann::json DecodeValue(const char** p, const char* end,
                           const KeyTable& keys, bool* ok) {
  Reader r{*p, end, keys};
  nlohmann::json out = r.Value();
  *p = r.p;
  *ok = r.ok;
  return out;
}

}  // namespace live_codec

using nlohmann::json;

LiveObject::LiveObject(const json& object) {
  live_codec::KeyTable& keys = live_codec::Keys();
  // Nearly every key is in the table after the first objects of a kind:
  // encoded under the shared lock, so the kinds listed at once encode in
  // parallel; only an object with a new key takes the table for itself.
  bool done;
  {
    std::shared_lock lock(keys.mu);
    done = live_codec::Encode(object, keys, /*may_add=*/false, &bytes_);
  }
  if (!done) {
    bytes_.clear();
    std::unique_lock lock(keys.mu);
    live_codec::Encode(object, keys, /*may_add=*/true, &bytes_);
  }
  // The string grew as it was written: shrunk to the exact size, or
  // thousands of objects would each keep up to half their size as slack.
  bytes_.shrink_to_fit();
}

json LiveObject::Decode() const {
  if (bytes_.empty()) return json();  // default-constructed: nothing live
  live_codec::KeyTable& keys = live_codec::Keys();
  std::shared_lock lock(keys.mu);
  live_codec::Reader r{bytes_.data(), bytes_.data() + bytes_.size(), keys};
  json out = r.Value();
  // Our own encoding: bytes it did not write mean memory corruption, and
  // then an empty object reads as one with nothing set rather than
  // throwing through a pass.
  return r.ok && r.p == r.end ? out : json::object();
}

std::optional<json> LiveState::Find(const ObjRef& ref) const {
  auto it = objects.find(ref);
  if (it == objects.end()) return std::nullopt;
  return it->second.Decode();
}

}  // namespace capigitops
