// FieldReader: typed, position-aware decoding of one YAML map.
//
// Every getter records the key as known and reports problems as diagnostics
// at the value's line and column ("expected an integer, got \"four\""). When
// the reader is done, Finish() reports every unknown key with a "did you
// mean" hint. Decoding never stops at the first problem.
#ifndef CAPIGITOPS_YAML_FIELD_READER_H_
#define CAPIGITOPS_YAML_FIELD_READER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "capigitops/diagnostic.h"
#include "capigitops/yaml.h"

namespace capigitops {

// Shared state of one file's decoding.
struct DecodeContext {
  std::string file;
  Diagnostics* diags = nullptr;
  std::map<std::string, yaml::Mark>* marks = nullptr;  // optional

  void Error(const yaml::Mark& at, const std::string& field,
             const std::string& message) const;
};

class FieldReader {
 public:
  // `node` may be null (an absent map): every getter then finds nothing.
  FieldReader(const yaml::Node* node, std::string path, DecodeContext* ctx);

  bool ok() const { return is_map_; }
  const std::string& path() const { return path_; }
  yaml::Mark mark() const { return node_ ? node_->mark : yaml::Mark{}; }
  std::string Field(const std::string& key) const;

  // Each returns true when the key was present and valid. `required` reports
  // a missing key with `hint` appended to the message.
  bool String(const std::string& key, std::string* out, bool required = false,
              const std::string& hint = "");
  bool Int(const std::string& key, int* out, int64_t min, int64_t max,
           bool required = false);
  bool Bool(const std::string& key, bool* out);
  bool StringMap(const std::string& key,
                 std::map<std::string, std::string>* out);
  bool StringList(const std::string& key, std::vector<std::string>* out);
  // The raw node, marked as known; nullptr when absent.
  const yaml::Node* Child(const std::string& key);
  // A key whose presence is enough (any value) to count as known.
  void Known(const std::string& key) { known_.insert(key); }

  // Reports unknown keys. Call once after all getters.
  void Finish();

  // Helpers for values that are not map entries (list items, scalars).
  static std::optional<std::string> ScalarString(const yaml::Node& n);
  static std::optional<int64_t> ScalarInt(const yaml::Node& n);

 private:
  const yaml::Node* Lookup(const std::string& key, bool required,
                           const std::string& hint);
  void Record(const std::string& key, const yaml::Node& value);

  const yaml::Node* node_;
  std::string path_;
  DecodeContext* ctx_;
  bool is_map_ = false;
  std::set<std::string> known_;
};

}  // namespace capigitops

#endif  // CAPIGITOPS_YAML_FIELD_READER_H_
