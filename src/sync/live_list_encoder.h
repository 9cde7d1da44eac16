// A LIST's items written straight into the live-object encoding
// (live_codec.h) from the JSON parser's events, compacted on the way.
// Internal to the sync module.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "capigitops/json.h"
#include "capigitops/sync.h"

namespace capigitops {

// A listed item, encoded, and what FetchLiveState reads of it besides.
struct ListedItem {
  std::string name;  // metadata.name, "" when not a string
  std::string ns;    // metadata.namespace, likewise
  bool has_cluster_label = false;
  std::string cluster_label;  // kClusterLabel's value, when a string
  bool inventory = false;     // the labels carry kInventoryLabel
  LiveObject object;
};

// Writes each item of a LIST as a compacted LiveObject, with the list's
// apiVersion and kind (any of the item's own are replaced), and no tree in
// between: building, compacting and freeing a tree per item (its nodes
// allocated for every key and value) was a quarter of a no-op pass's CPU at
// 10,000 clusters. Compacting keeps what the plan, status, reviews and
// Events read: metadata loses creationTimestamp, selfLink and kubectl's
// last-applied annotation; of metadata.managedFields only the entries whose
// operation is "Apply" stay (the planner looks for its own manager's), each
// as {manager, operation, fieldsV1 reduced to its nested "f:" keys}, and
// the key goes when none stays. An entry is written as it is read and cut
// off at its end when its operation (which may come last) is not Apply. A
// container's count is written in one byte and widened when it turns out
// larger, so the bytes are those LiveObject(json) writes for the compacted
// tree but for the order of object keys (the test compares the two paths).
// Where the tree path threw (a manager or name that is not a string) this
// writes "" or notes nothing; a duplicate key, which no API server sends,
// is written twice (a tree kept the last).
class LiveListEncoder final : public yaml::JsonItemSax {
 public:
  LiveListEncoder(std::string api_version, std::string kind,
                  std::function<void(ListedItem&)> each);

  void null() override;
  void boolean(bool value) override;
  void number_integer(int64_t value) override;
  void number_unsigned(uint64_t value) override;
  void number_float(double value) override;
  void string(std::string& value) override;
  void start_object() override;
  void key(std::string& key) override;
  void end_object() override;
  void start_array() override;
  void end_array() override;

 private:
  // What a container is, for Compact's rules on its keys.
  enum class Role : uint8_t {
    kItem,
    kMeta,
    kAnnotations,
    kLabels,
    kManagedFields,  // the array
    kEntry,          // one of its elements
    kFields,         // fieldsV1 and the "f:" objects in it
    kPlain,
  };
  // What the next value is to become.
  enum class Action : uint8_t {
    kWrite,          // as it is (its key written already)
    kSkip,           // dropped, containers and all
    kManagedFields,  // kept when an array
    kEntry,          // a managedFields element: kept when an object
    kEntryManager,   // kept when a string
    kEntryOperation,
    kEntryFields,  // kept when an object
    kFieldsChild,  // an "f:" key's value (key written): an object or {}
  };
  enum class Capture : uint8_t { kNone, kName, kNamespace, kClusterLabel };
  struct Pending {
    Action action = Action::kWrite;
    Role role = Role::kPlain;  // of an object written
    Capture capture = Capture::kNone;
  };
  struct Frame {
    size_t start;   // where its key (or tag) starts: cut back to here
    size_t header;  // its count's byte
    uint32_t count;
    Role role;
    bool is_object;
  };

  // The pending action of the value that starts now.
  Pending Take();
  // A scalar's bytes, written or not as Take() says; `text` for captures.
  template <typename Write>
  void Scalar(const std::string* text, Write write);
  void Open(uint8_t tag, Role role, size_t start);
  void Close();
  // Writes a container's count into its one reserved byte, widening it when
  // the count needs more.
  void PatchCount(size_t header, uint64_t count);
  void EndEntry(const Frame& f);
  void EndItem();
  void WriteKey(std::string_view key);
  void WriteString(std::string_view s);
  uint32_t KeyIndex(std::string_view key);

  const std::string api_version_;
  const std::string kind_;
  const std::function<void(ListedItem&)> each_;
  std::string out_;  // the item being written; its capacity is reused
  std::vector<Frame> frames_;
  Pending pending_;
  int skip_depth_ = 0;  // containers open inside a dropped value
  ListedItem item_;
  // The managedFields entry being read.
  std::string entry_operation_;
  bool entry_manager_ = false;
  bool entry_fields_ = false;
  // Key indices seen by this encoder, views of the table's slots (which
  // never move): looked up without the table's lock.
  std::unordered_map<std::string_view, uint32_t> keys_;
};

}  // namespace capigitops
