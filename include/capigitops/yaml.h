// YAML adapter: parses user files into a tree that remembers where every
// value came from, and emits JSON values as deterministic YAML.
//
// Every yaml-cpp exception is caught here. The parser is built for hostile
// input: size, depth and node-count limits (alias bombs expand into the node
// count), invalid UTF-8 and control characters are errors, never crashes.
#ifndef CAPIGITOPS_YAML_H_
#define CAPIGITOPS_YAML_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capigitops/diagnostic.h"

namespace capigitops::yaml {

struct Mark {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

enum class NodeKind { kNull, kScalar, kMap, kSeq };

struct Node {
  // Defined in parse.cc, where Node is complete: clang with libstdc++ 12
  // in C++20 mode (the fuzz build) cannot instantiate them in here.
  Node();
  ~Node();
  Node(const Node&);
  Node(Node&&) noexcept;
  Node& operator=(const Node&);
  Node& operator=(Node&&) noexcept;

  NodeKind kind = NodeKind::kNull;
  Mark mark;
  std::string scalar;   // kScalar only
  bool quoted = false;  // kScalar: quoted or explicitly tagged !!str
  // kMap: keys in document order; keys are scalars (their mark is the key's).
  std::vector<std::pair<Node, Node>> map;
  std::vector<Node> seq;  // kSeq

  bool IsNull() const { return kind == NodeKind::kNull; }
  bool IsScalar() const { return kind == NodeKind::kScalar; }
  bool IsMap() const { return kind == NodeKind::kMap; }
  bool IsSeq() const { return kind == NodeKind::kSeq; }
  // The value stored under `key` in a map, or nullptr.
  const Node* Find(std::string_view key) const;
  // "a map", "a list", "a string", "a number", "null" for messages.
  std::string Describe() const;
};

struct Limits {
  size_t max_bytes = 1 << 20;  // one spec is a few hundred bytes
  int max_depth = 64;          // nesting of maps and lists
  size_t max_nodes = 200000;   // after expanding aliases
};

// Parses every document of `text`. Problems are appended to `diags` with
// `file` as their file; returns the documents that parsed (none when the
// text is not valid YAML). Duplicate keys are reported and the first kept.
std::vector<Node> ParseDocuments(std::string_view text, const std::string& file,
                                 Diagnostics* diags, const Limits& limits = {});

// Converts a node to JSON with the YAML 1.2 core schema: plain scalars that
// look like null, booleans or numbers become those; quoted ones stay strings.
nlohmann::json ToJson(const Node& node);

// Type of a plain scalar under the YAML 1.2 core schema.
nlohmann::json PlainScalarToJson(const std::string& s);

// Emits `value` as block-style YAML (no document marker), quoting every
// string that another reader could take for something else.
std::string Emit(const nlohmann::json& value);
// Emit, appended to `out`: for output of many objects without a copy each.
void EmitTo(const nlohmann::json& value, std::string* out);

// Quotes `s` for YAML when needed; returns it unchanged when plain is safe.
std::string QuoteIfNeeded(const std::string& s);

}  // namespace capigitops::yaml

#endif  // CAPIGITOPS_YAML_H_
