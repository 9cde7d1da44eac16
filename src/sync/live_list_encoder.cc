// LiveListEncoder: live_list_encoder.h says what and why.
#include "sync/live_list_encoder.h"

#include <cstring>
#include <mutex>
#include <shared_mutex>

#include "capigitops/labels.h"
#include "sync/live_codec.h"

namespace capigitops {

using live_codec::KeyTable;
using live_codec::PutVarint;

LiveObject LiveObject::FromEncoded(std::string bytes) {
  LiveObject o;
  o.bytes_ = std::move(bytes);
  return o;
}

LiveListEncoder::LiveListEncoder(std::string api_version, std::string kind,
                                 std::function<void(ListedItem&)> each)
    : api_version_(std::move(api_version)),
      kind_(std::move(kind)),
      each_(std::move(each)) {}

uint32_t LiveListEncoder::KeyIndex(std::string_view key) {
  auto it = keys_.find(key);
  if (it != keys_.end()) return it->second;
  KeyTable& keys = live_codec::Keys();
  uint32_t i;
  {
    std::shared_lock lock(keys.mu);
    i = keys.Intern(key, /*may_add=*/false);
    if (i < KeyTable::kMaxKeys) keys_.emplace(*keys.At(i), i);
  }
  if (i == KeyTable::kMissing) {
    std::unique_lock lock(keys.mu);
    i = keys.Intern(key, /*may_add=*/true);
    if (i < KeyTable::kMaxKeys) keys_.emplace(*keys.At(i), i);
  }
  return i;  // kMaxKeys (the table is full): written out, not kept here
}

void LiveListEncoder::WriteKey(std::string_view key) {
  const uint32_t k = KeyIndex(key);
  if (k < KeyTable::kMaxKeys) {
    PutVarint(uint64_t{k} << 1, &out_);
  } else {
    PutVarint((uint64_t{key.size()} << 1) | 1, &out_);
    out_.append(key);
  }
}

void LiveListEncoder::WriteString(std::string_view s) {
  out_.push_back(live_codec::kString);
  PutVarint(s.size(), &out_);
  out_.append(s);
}

LiveListEncoder::Pending LiveListEncoder::Take() {
  const Frame& parent = frames_.back();
  if (parent.is_object) return pending_;  // key() set it
  switch (parent.role) {                  // an array's element
    case Role::kManagedFields:
      return {Action::kEntry};
    default:
      return {};
  }
}

template <typename Write>
void LiveListEncoder::Scalar(const std::string* text, Write write) {
  if (skip_depth_ > 0 || frames_.empty()) return;
  const Pending p = Take();
  switch (p.action) {
    case Action::kWrite:
      write();
      ++frames_.back().count;
      if (text == nullptr) return;
      if (p.capture == Capture::kName) item_.name = *text;
      if (p.capture == Capture::kNamespace) item_.ns = *text;
      if (p.capture == Capture::kClusterLabel) {
        item_.has_cluster_label = true;
        item_.cluster_label = *text;
      }
      return;
    case Action::kEntryManager:
      if (text == nullptr) return;  // written as "" at the entry's end
      WriteKey("manager");
      WriteString(*text);
      ++frames_.back().count;
      entry_manager_ = true;
      return;
    case Action::kEntryOperation:
      entry_operation_ = text ? *text : std::string();
      return;
    case Action::kFieldsChild:  // the key is written: its value is {}
      out_.push_back(live_codec::kObject);
      out_.push_back(0);
      ++frames_.back().count;
      return;
    default:  // dropped
      return;
  }
}

void LiveListEncoder::null() {
  Scalar(nullptr, [this] { out_.push_back(live_codec::kNull); });
}

void LiveListEncoder::boolean(bool value) {
  Scalar(nullptr, [&] {
    out_.push_back(value ? live_codec::kTrue : live_codec::kFalse);
  });
}

void LiveListEncoder::number_integer(int64_t v) {
  Scalar(nullptr, [&] {
    out_.push_back(live_codec::kInt);
    PutVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63),
              &out_);
  });
}

void LiveListEncoder::number_unsigned(uint64_t v) {
  Scalar(nullptr, [&] {
    out_.push_back(live_codec::kUint);
    PutVarint(v, &out_);
  });
}

void LiveListEncoder::number_float(double d) {
  Scalar(nullptr, [&] {
    char bytes[sizeof d];
    std::memcpy(bytes, &d, sizeof d);
    out_.push_back(live_codec::kFloat);
    out_.append(bytes, sizeof d);
  });
}

void LiveListEncoder::string(std::string& value) {
  Scalar(&value, [&] { WriteString(value); });
}

void LiveListEncoder::Open(uint8_t tag, Role role, size_t start) {
  out_.push_back(static_cast<char>(tag));
  frames_.push_back({start, out_.size(), 0, role, tag == live_codec::kObject});
  out_.push_back(0);  // the count, widened at Close when it needs more
}

void LiveListEncoder::start_object() {
  if (skip_depth_ > 0) {
    ++skip_depth_;
    return;
  }
  if (frames_.empty()) {  // an item starts
    out_.clear();
    item_ = ListedItem{};
    Open(live_codec::kObject, Role::kItem, 0);
    return;
  }
  const Pending p = Take();
  switch (p.action) {
    case Action::kWrite:
      return Open(live_codec::kObject, p.role, out_.size());
    case Action::kEntry:
      entry_operation_.clear();
      entry_manager_ = entry_fields_ = false;
      return Open(live_codec::kObject, Role::kEntry, out_.size());
    case Action::kEntryFields: {
      const size_t start = out_.size();
      WriteKey("fieldsV1");
      entry_fields_ = true;
      return Open(live_codec::kObject, Role::kFields, start);
    }
    case Action::kFieldsChild:
      return Open(live_codec::kObject, Role::kFields, out_.size());
    default:
      skip_depth_ = 1;
      return;
  }
}

void LiveListEncoder::start_array() {
  if (skip_depth_ > 0) {
    ++skip_depth_;
    return;
  }
  if (frames_.empty()) return;  // JsonItemSax hands over objects only
  const Pending p = Take();
  switch (p.action) {
    case Action::kWrite:
      return Open(live_codec::kArray, Role::kPlain, out_.size());
    case Action::kManagedFields: {
      const size_t start = out_.size();
      WriteKey("managedFields");
      return Open(live_codec::kArray, Role::kManagedFields, start);
    }
    case Action::kFieldsChild:  // not an object: {}, and the array dropped
      out_.push_back(live_codec::kObject);
      out_.push_back(0);
      ++frames_.back().count;
      skip_depth_ = 1;
      return;
    default:
      skip_depth_ = 1;
      return;
  }
}

void LiveListEncoder::key(std::string& text) {
  if (skip_depth_ > 0 || frames_.empty()) return;
  // Compared as a view: the length first, no strlen of the literal.
  const std::string_view key = text;
  auto write = [&](Role role = Role::kPlain, Capture c = Capture::kNone) {
    WriteKey(key);
    pending_ = {Action::kWrite, role, c};
  };
  switch (frames_.back().role) {
    case Role::kItem:
      if (key == "apiVersion" || key == "kind") {  // the list's, at the end
        pending_ = {Action::kSkip};
      } else {
        write(key == "metadata" ? Role::kMeta : Role::kPlain);
      }
      return;
    case Role::kMeta:
      if (key == "creationTimestamp" || key == "selfLink") {
        pending_ = {Action::kSkip};
      } else if (key == "managedFields") {
        pending_ = {Action::kManagedFields};
      } else if (key == "annotations") {
        write(Role::kAnnotations);
      } else if (key == "labels") {
        write(Role::kLabels);
      } else if (key == "name") {
        write(Role::kPlain, Capture::kName);
      } else if (key == "namespace") {
        write(Role::kPlain, Capture::kNamespace);
      } else {
        write();
      }
      return;
    case Role::kAnnotations:
      if (key == "kubectl.kubernetes.io/last-applied-configuration") {
        pending_ = {Action::kSkip};
      } else {
        write();
      }
      return;
    case Role::kLabels:
      if (key == kInventoryLabel) item_.inventory = true;
      write(Role::kPlain,
            key == kClusterLabel ? Capture::kClusterLabel : Capture::kNone);
      return;
    case Role::kEntry:
      pending_ = {key == "manager"     ? Action::kEntryManager
                  : key == "operation" ? Action::kEntryOperation
                  : key == "fieldsV1"  ? Action::kEntryFields
                                       : Action::kSkip};
      return;
    case Role::kFields:
      if (key.substr(0, 2) == "f:") {
        WriteKey(key);
        pending_ = {Action::kFieldsChild};
      } else {
        pending_ = {Action::kSkip};
      }
      return;
    default:
      write();
      return;
  }
}

void LiveListEncoder::end_object() {
  if (skip_depth_ > 0) {
    --skip_depth_;
    return;
  }
  Close();
}

void LiveListEncoder::end_array() {
  if (skip_depth_ > 0) {
    --skip_depth_;
    return;
  }
  Close();
}

void LiveListEncoder::Close() {
  if (frames_.empty()) return;
  const Frame f = frames_.back();
  frames_.pop_back();
  if (f.role == Role::kEntry) return EndEntry(f);
  if (f.role == Role::kManagedFields && f.count == 0) {
    out_.resize(f.start);  // no Apply entry: the key goes too
    return;
  }
  if (f.role == Role::kItem) {  // the list's apiVersion and kind
    WriteKey("apiVersion");
    WriteString(api_version_);
    WriteKey("kind");
    WriteString(kind_);
    PatchCount(f.header, f.count + 2);
    return EndItem();
  }
  PatchCount(f.header, f.count);
  ++frames_.back().count;
}

void LiveListEncoder::PatchCount(size_t header, uint64_t count) {
  if (count < 0x80) {
    out_[header] = static_cast<char>(count);
    return;
  }
  std::string bytes;  // a few bytes: no allocation
  PutVarint(count, &bytes);
  out_.replace(header, 1, bytes);  // moves what follows
}

void LiveListEncoder::EndEntry(const Frame& f) {
  if (entry_operation_ != "Apply") {
    out_.resize(f.start);  // not kept
    return;
  }
  uint32_t count = f.count;
  if (!entry_manager_) {
    WriteKey("manager");
    WriteString("");
    ++count;
  }
  WriteKey("operation");
  WriteString("Apply");
  ++count;
  if (!entry_fields_) {
    WriteKey("fieldsV1");
    out_.push_back(live_codec::kObject);
    out_.push_back(0);
    ++count;
  }
  PatchCount(f.header, count);
  ++frames_.back().count;
}

void LiveListEncoder::EndItem() {
  // An exact-size copy: the buffer keeps its capacity for the next item.
  item_.object = LiveObject::FromEncoded(std::string(out_));
  each_(item_);
}

}  // namespace capigitops
