// Builds yaml::Node trees from yaml-cpp's event stream. Using events instead
// of YAML::Node lets us keep every mark, see duplicate keys, and stop early on
// depth or alias-expansion limits before any memory blows up.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>
#include <unordered_set>

#include "capigitops/yaml.h"
#include "yaml/fast_scan.h"
#include "yaml/nesting.h"

namespace capigitops::yaml {
namespace {

// Thrown by the handler to abort parsing; caught in ParseDocuments.
struct LimitError {
  Mark mark;
  std::string message;
};

Mark ToMark(const YAML::Mark& m) { return Mark{m.line + 1, m.column + 1}; }

struct Extent {
  size_t nodes = 1;
  int depth = 0;  // maps and lists on the deepest path
};

// Recurses as deep as `n` nests, which the builder bounds by max_depth.
Extent Measure(const Node& n) {
  Extent e;
  auto add = [&e](const Node& child) {
    Extent c = Measure(child);
    e.nodes += c.nodes;
    e.depth = std::max(e.depth, c.depth);
  };
  for (const auto& kv : n.map) {
    ++e.nodes;
    add(kv.second);
  }
  for (const Node& item : n.seq) add(item);
  if (n.kind == NodeKind::kMap || n.kind == NodeKind::kSeq) ++e.depth;
  return e;
}

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(const Limits& limits, const std::string& file, Diagnostics* diags)
      : limits_(limits), file_(file), diags_(diags) {}

  std::vector<Node>& documents() { return documents_; }

  void OnDocumentStart(const YAML::Mark&) override {
    stack_.clear();
    anchors_.clear();
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node n;
    n.mark = ToMark(mark);
    Add(std::move(n), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      throw LimitError{ToMark(mark), "alias to an unknown anchor"};
    }
    // An alias pastes its anchor's whole tree here: as deep as nesting it.
    const Extent& extent = it->second.second;
    if (static_cast<int>(stack_.size()) + extent.depth > limits_.max_depth) {
      throw LimitError{ToMark(mark), NestingMessage(limits_.max_depth)};
    }
    Count(extent.nodes, ToMark(mark));
    Node copy = it->second.first;
    copy.mark = ToMark(mark);
    Add(std::move(copy), 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag,
                YAML::anchor_t anchor, const std::string& value) override {
    Node n;
    n.kind = NodeKind::kScalar;
    n.mark = ToMark(mark);
    n.scalar = value;
    n.quoted = tag == "!" || tag == "tag:yaml.org,2002:str";
    Add(std::move(n), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&,
                       YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Push(NodeKind::kSeq, ToMark(mark), anchor);
  }
  void OnSequenceEnd() override { Pop(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&,
                  YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    Push(NodeKind::kMap, ToMark(mark), anchor);
  }
  void OnMapEnd() override { Pop(); }

 private:
  struct Frame {
    Node node;
    YAML::anchor_t anchor = 0;
    bool have_key = false;
    Node key;
    std::unordered_set<std::string> keys;
  };

  void Count(size_t n, Mark mark) {
    nodes_ += n;
    if (nodes_ > limits_.max_nodes) {
      throw LimitError{mark, "document too large: more than " +
                                 std::to_string(limits_.max_nodes) +
                                 " values (check for alias expansion)"};
    }
  }

  void Push(NodeKind kind, Mark mark, YAML::anchor_t anchor) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
      throw LimitError{mark, NestingMessage(limits_.max_depth)};
    }
    Count(1, mark);
    Frame f;
    f.node.kind = kind;
    f.node.mark = mark;
    f.anchor = anchor;
    stack_.push_back(std::move(f));
  }

  void Pop() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    Add(std::move(f.node), f.anchor);
  }

  void Add(Node n, YAML::anchor_t anchor) {
    if (n.kind == NodeKind::kNull || n.kind == NodeKind::kScalar) {
      Count(1, n.mark);
    }
    if (anchor != 0) anchors_[anchor] = {n, Measure(n)};
    if (stack_.empty()) {
      documents_.push_back(std::move(n));
      return;
    }
    Frame& parent = stack_.back();
    if (parent.node.kind == NodeKind::kSeq) {
      parent.node.seq.push_back(std::move(n));
      return;
    }
    if (!parent.have_key) {
      if (n.kind != NodeKind::kScalar) {
        throw LimitError{n.mark, "map keys must be plain strings"};
      }
      parent.key = std::move(n);
      parent.have_key = true;
      return;
    }
    parent.have_key = false;
    if (n.kind == NodeKind::kNull) n.mark = parent.key.mark;
    if (!parent.keys.insert(parent.key.scalar).second) {
      diags_->push_back({file_, parent.key.mark.line, parent.key.mark.column,
                         "",
                         "duplicate key \"" + parent.key.scalar +
                             "\": each key may appear only once in a map"});
      return;  // keep the first value
    }
    parent.node.map.emplace_back(std::move(parent.key), std::move(n));
  }

  const Limits& limits_;
  const std::string& file_;
  Diagnostics* diags_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, std::pair<Node, Extent>> anchors_;
  std::vector<Node> documents_;
  size_t nodes_ = 0;
};

// Rejects bytes no spec can legitimately contain before yaml-cpp sees them.
bool CheckBytes(std::string_view text, const std::string& file,
                Diagnostics* diags) {
  int line = 1, column = 1;
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    bool valid = len != 0 && i + len <= text.size();
    for (size_t k = 1; valid && k < len; ++k) {
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (valid && len == 1 && c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
      diags->push_back({file, line, column, "",
                        "control character (byte 0x" +
                            std::string(1, "0123456789abcdef"[c >> 4]) +
                            std::string(1, "0123456789abcdef"[c & 15]) +
                            ") is not allowed: is this a binary file?"});
      return false;
    }
    if (!valid || (len == 2 && c < 0xC2)) {
      diags->push_back({file, line, column, "",
                        "invalid UTF-8: save the file as UTF-8 text"});
      return false;
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += len;
  }
  return true;
}

// Feeds the fast scanner's events to the builder as yaml-cpp would.
void Replay(const std::vector<ScanEvent>& events, TreeBuilder* builder) {
  auto mark = [](const ScanEvent& e) {
    YAML::Mark m;
    m.line = e.line;
    m.column = e.column;
    return m;
  };
  builder->OnDocumentStart(YAML::Mark());
  for (const ScanEvent& e : events) {
    switch (e.type) {
      case ScanEvent::kMapStart:
        builder->OnMapStart(mark(e), "?", 0, YAML::EmitterStyle::Default);
        break;
      case ScanEvent::kMapEnd:
        builder->OnMapEnd();
        break;
      case ScanEvent::kSeqStart:
        builder->OnSequenceStart(mark(e), "?", 0, YAML::EmitterStyle::Default);
        break;
      case ScanEvent::kSeqEnd:
        builder->OnSequenceEnd();
        break;
      case ScanEvent::kScalar:
        builder->OnScalar(mark(e), e.quoted ? "!" : "?", 0, e.value);
        break;
    }
  }
  builder->OnDocumentEnd();
}

std::vector<Node> Parse(std::string_view text, const std::string& file,
                        Diagnostics* diags, const Limits& limits,
                        bool fast_path) {
  if (text.size() > limits.max_bytes) {
    diags->push_back({file, 0, 0, "",
                      "file is " + std::to_string(text.size()) +
                          " bytes; the limit is " +
                          std::to_string(limits.max_bytes)});
    return {};
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (!CheckBytes(text, file, diags)) return {};
  // Both parsers below recurse per level: reject deep shapes first.
  if (std::optional<Mark> at = FindDeepNesting(text, limits.max_depth)) {
    diags->push_back(
        {file, at->line, at->column, "", NestingMessage(limits.max_depth)});
    return {};
  }

  TreeBuilder builder(limits, file, diags);
  std::vector<ScanEvent> events;
  try {
    if (fast_path && FastScan(text, &events, limits.max_depth)) {
      Replay(events, &builder);
    } else {
      std::stringstream in{std::string(text)};
      YAML::Parser parser(in);
      while (parser.HandleNextDocument(builder)) {
      }
    }
  } catch (const LimitError& e) {
    diags->push_back({file, e.mark.line, e.mark.column, "", e.message});
    return {};
  } catch (const YAML::Exception& e) {
    diags->push_back({file, e.mark.line + 1, e.mark.column + 1, "",
                      "invalid YAML: " + e.msg});
    return {};
  } catch (const std::exception& e) {
    diags->push_back(
        {file, 0, 0, "", std::string("invalid YAML: ") + e.what()});
    return {};
  }
  return std::move(builder.documents());
}

}  // namespace

std::vector<Node> ParseDocuments(std::string_view text, const std::string& file,
                                 Diagnostics* diags, const Limits& limits) {
  return Parse(text, file, diags, limits, true);
}

std::vector<Node> ParseDocumentsWithYamlCpp(std::string_view text,
                                            const std::string& file,
                                            Diagnostics* diags,
                                            const Limits& limits) {
  return Parse(text, file, diags, limits, false);
}

Node::Node() = default;
Node::~Node() = default;
Node::Node(const Node&) = default;
Node::Node(Node&&) noexcept = default;
Node& Node::operator=(const Node&) = default;
Node& Node::operator=(Node&&) noexcept = default;

const Node* Node::Find(std::string_view key) const {
  for (const auto& [k, v] : map) {
    if (k.scalar == key) return &v;
  }
  return nullptr;
}

std::string Node::Describe() const {
  switch (kind) {
    case NodeKind::kNull:
      return "null";
    case NodeKind::kMap:
      return "a map";
    case NodeKind::kSeq:
      return "a list";
    case NodeKind::kScalar:
      break;
  }
  if (quoted) return "\"" + scalar + "\"";
  nlohmann::json v = PlainScalarToJson(scalar);
  if (v.is_string()) return "\"" + scalar + "\"";
  return scalar;
}

}  // namespace capigitops::yaml
