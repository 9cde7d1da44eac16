// The encoding of live objects (live_object.cc says why it exists), shared
// by the files that write and read it. Internal to the sync module.
//
// A value is a tag byte, then:
//   kNull, kFalse, kTrue: nothing;  kInt: zigzag varint;  kUint: varint;
//   kFloat: 8 bytes as in memory;  kString: varint length, bytes;
//   kArray: varint count, values;  kObject: varint count, (key, value) pairs,
//   a key being a varint: even, a KeyTable index (<< 1); odd, the length
//   (<< 1 | 1) of the key's bytes, which follow.
// Varints may be longer than they need be (0x80 continuation bytes): a
// writer that learns a count only at the end reserves a fixed width.
// Object keys are in no particular order.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace capigitops::live_codec {

enum Tag : uint8_t {
  kNull,
  kFalse,
  kTrue,
  kInt,     // zigzag varint
  kUint,    // varint
  kFloat,   // 8 bytes, as in memory
  kString,  // varint length, bytes
  kArray,   // varint count, values
  kObject,  // varint count, (key, value) pairs
};

// Object keys by index. Only grows, up to kMaxKeys (the keys of a
// repository's kinds, labels and annotations are a few hundred; a long-
// running controller must not grow without bound, so past the limit keys
// are written out in full). A key's index is handed out only after its slot
// is written, and slots never move.
class KeyTable {
 public:
  static constexpr uint32_t kChunk = 256;
  static constexpr uint32_t kMaxKeys = 64 * kChunk;

  // A key's index (kMaxKeys when the table is full: write the key out); a new
  // key is added only with `may_add` (callers hold mu exclusively then), else
  // kMissing says it would have to be.
  static constexpr uint32_t kMissing = kMaxKeys + 1;
  uint32_t Intern(std::string_view key, bool may_add) {
    auto it = index_.find(key);
    if (it != index_.end()) return it->second;
    if (size_ == kMaxKeys) return kMaxKeys;
    if (!may_add) return kMissing;
    std::unique_ptr<std::string[]>& chunk = chunks_[size_ / kChunk];
    if (!chunk) chunk = std::make_unique<std::string[]>(kChunk);
    std::string& slot = chunk[size_ % kChunk];
    slot = key;
    index_.emplace(slot, size_);
    return size_++;
  }
  // Callers hold mu, shared at least.
  const std::string* At(uint64_t i) const {
    return i < size_ ? &chunks_[i / kChunk][i % kChunk] : nullptr;
  }

  std::shared_mutex mu;

 private:
  std::array<std::unique_ptr<std::string[]>, kMaxKeys / kChunk> chunks_;
  std::unordered_map<std::string_view, uint32_t> index_;  // views of slots
  uint32_t size_ = 0;
};

// The process-wide table.
KeyTable& Keys();

inline void PutVarint(uint64_t v, std::string* out) {
  for (; v >= 0x80; v >>= 7) out->push_back(static_cast<char>(v | 0x80));
  out->push_back(static_cast<char>(v));
}

// Reads a varint at *p (< end), advancing *p; false when it runs past end
// or is longer than 64 bits.
inline bool GetVarint(const char** p, const char* end, uint64_t* v) {
  *v = 0;
  for (int shift = 0; *p < end && shift < 64; shift += 7) {
    const auto b = static_cast<uint8_t>(*(*p)++);
    *v |= uint64_t{b & 0x7fu} << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

// Decodes the value at *p (< end), advancing *p past it (live_object.cc);
// `ok` turns false on bytes the encoder did not write. Callers hold
// keys.mu, shared at least.
nlohmann::json DecodeValue(const char** p, const char* end,
                           const KeyTable& keys, bool* ok);

}  // namespace capigitops::live_codec
