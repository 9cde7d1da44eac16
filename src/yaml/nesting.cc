// An iterative model of how deep a YAML text nests, close enough to
// yaml-cpp's scanner to be exact on real files and to err high on others.
// Block collections live on an explicit stack of (column, kind); flow ones
// are a counter. Each line is read by a small state machine (no recursion),
// and the states that can span lines (flow, quotes, plain and block scalars)
// carry over in `mode_`.
#include "yaml/nesting.h"

#include <algorithm>
#include <vector>

namespace capigitops::yaml {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

class DepthScanner {
 public:
  explicit DepthScanner(int max_depth) : max_(max_depth) {}

  std::optional<Mark> Run(std::string_view text) {
    size_t start = 0;
    for (int line = 1; !too_deep_; ++line) {
      size_t nl = text.find('\n', start);
      std::string_view s = text.substr(start, nl == std::string_view::npos
                                                  ? std::string_view::npos
                                                  : nl - start);
      if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
      line_ = line;
      Line(s);
      if (nl == std::string_view::npos) break;
      start = nl + 1;
    }
    if (too_deep_) return where_;
    return std::nullopt;
  }

 private:
  // What the next line continues.
  enum class Mode { kBlock, kPlain, kFlow, kQuote, kBlockScalar };
  // Where the scan of the current line is.
  enum class St { kNode, kAfter, kPlain, kFlow, kQuote, kEnd };
  struct Level {
    int column;
    bool seq;
  };

  bool BlankOrEnd(size_t i) const { return i >= s_.size() || IsBlank(s_[i]); }
  size_t SkipBlanks(size_t i) const {
    while (i < s_.size() && IsBlank(s_[i])) ++i;
    return i;
  }
  // The end of an anchor, alias or tag name: yaml-cpp ends anchors at flow
  // indicators, so ending tags there too can only count more.
  size_t SkipName(size_t i) const {
    while (i < s_.size() && !IsBlank(s_[i]) &&
           std::string_view("[]{},").find(s_[i]) == std::string_view::npos) {
      ++i;
    }
    return i;
  }
  int TopColumn() const { return stack_.empty() ? -1 : stack_.back().column; }
  bool IsDocMarker() const {
    return s_.size() >= 3 &&
           (s_.substr(0, 3) == "---" || s_.substr(0, 3) == "...") &&
           BlankOrEnd(3);
  }

  void TooDeep(int column) {
    if (too_deep_) return;
    too_deep_ = true;
    where_ = Mark{line_, column + 1};
  }

  // The block map or list at `column` that an indicator there belongs to:
  // the innermost one when it matches, else a new one.
  void Ensure(int column, bool seq) {
    if (!stack_.empty() && stack_.back().column == column &&
        stack_.back().seq == seq) {
      return;
    }
    if (static_cast<int>(stack_.size()) + 1 > max_) return TooDeep(column);
    stack_.push_back({column, seq});
  }

  void Line(std::string_view s) {
    s_ = s;
    size_t first = s.find_first_not_of(" \t\r");
    bool blank = first == std::string_view::npos;
    int indent = static_cast<int>(std::min(s.find_first_not_of(' '), s.size()));
    switch (mode_) {
      case Mode::kQuote:
        return Scan(0, St::kQuote);
      case Mode::kFlow:
        return Scan(0, St::kFlow);
      case Mode::kBlockScalar:
        if (blank) return;
        if (!IsDocMarker()) {
          if (scalar_indent_ < 0 && indent > scalar_parent_) {
            scalar_indent_ = indent;  // auto-detected from the first line
            return;
          }
          if (scalar_indent_ >= 0 && indent >= scalar_indent_) return;
        }
        mode_ = Mode::kBlock;
        break;
      case Mode::kPlain:
        if (blank) return;
        // A more indented line continues a multi-line plain scalar: its
        // quotes, brackets and "|" are text, as for yaml-cpp.
        if (!IsDocMarker() && indent >= plain_indent_ && s[first] != '#') {
          node_col_ = indent;
          return Scan(first, St::kPlain);
        }
        mode_ = Mode::kBlock;
        break;
      case Mode::kBlock:
        break;
    }
    if (blank) return;
    node_col_ = -1;
    if (IsDocMarker()) {
      stack_.clear();
      if (s[0] == '-') Scan(3, St::kNode);
      return;
    }
    if (s[first] == '#' || (indent == 0 && s[0] == '%')) return;
    while (!stack_.empty() && stack_.back().column > indent) stack_.pop_back();
    // A list at the column of its parent map's keys ends with a key.
    bool entry = s[indent] == '-' && BlankOrEnd(indent + 1);
    if (!stack_.empty() && stack_.back().column == indent &&
        stack_.back().seq && !entry) {
      stack_.pop_back();
    }
    Scan(indent, St::kNode);
  }

  void Scan(size_t pos, St st) {
    while (st != St::kEnd && !too_deep_) {
      switch (st) {
        case St::kNode:
          st = Node(&pos);
          break;
        case St::kAfter:
          st = After(&pos);
          break;
        case St::kPlain:
          st = Plain(&pos);
          break;
        case St::kFlow:
          st = Flow(&pos);
          break;
        case St::kQuote:
          st = Quote(&pos);
          break;
        case St::kEnd:
          break;
      }
    }
  }

  // Block context, where a node may start.
  St Node(size_t* pos) {
    *pos = SkipBlanks(*pos);
    mode_ = Mode::kBlock;
    flow_peak_ = 0;
    if (*pos >= s_.size() || s_[*pos] == '#') return St::kEnd;
    char c = s_[*pos];
    int col = static_cast<int>(*pos);
    if ((c == '-' || c == '?' || c == ':') && BlankOrEnd(*pos + 1)) {
      Ensure(col, c == '-');  // "? " and ": " are a map's explicit key/value
      ++*pos;
      node_col_ = -1;
      return St::kNode;
    }
    if (node_col_ < 0) node_col_ = col;
    switch (c) {
      case '&':
      case '!':
        *pos = SkipName(*pos + 1);
        return St::kNode;
      case '*':
        *pos = SkipName(*pos + 1);
        return St::kAfter;
      case '[':
      case '{':
        flow_mark_ = Mark{line_, col + 1};
        token_start_ = json_node_ = false;
        return St::kFlow;
      case '"':
      case '\'':
        quote_ = c;
        quote_in_flow_ = false;
        ++*pos;
        return St::kQuote;
      case '|':
      case '>':
        return BlockScalar(pos);
      default:
        return St::kPlain;
    }
  }

  // Block context, after a complete node: a ": " makes it a key.
  St After(size_t* pos) {
    *pos = SkipBlanks(*pos);
    mode_ = Mode::kBlock;
    if (*pos >= s_.size()) return St::kEnd;
    if (s_[*pos] == '#' && (*pos == 0 || IsBlank(s_[*pos - 1]))) {
      return St::kEnd;
    }
    if (s_[*pos] == ':' && BlankOrEnd(*pos + 1)) {
      ++*pos;
      return Key(*pos - 1);
    }
    node_col_ = -1;  // yaml-cpp reads on from a token start; so do we
    return St::kNode;
  }

  // The ':' at `colon` ends a key that started at node_col_.
  St Key(size_t colon) {
    int col = node_col_ >= 0 ? node_col_ : static_cast<int>(colon);
    size_t before = stack_.size();
    Ensure(col, false);
    // A flow key was counted before its map was opened.
    if (stack_.size() > before &&
        static_cast<int>(stack_.size()) + flow_peak_ > max_) {
      too_deep_ = true;
      where_ = flow_mark_;
    }
    node_col_ = -1;
    return St::kNode;
  }

  // A plain scalar in block context: up to ": ", " #" or the line's end.
  St Plain(size_t* pos) {
    for (size_t i = *pos; i < s_.size(); ++i) {
      if (s_[i] == ':' && BlankOrEnd(i + 1)) {
        *pos = i + 1;
        return Key(i);
      }
      if (s_[i] == '#' && i > 0 && IsBlank(s_[i - 1])) {
        mode_ = Mode::kBlock;
        return St::kEnd;
      }
    }
    // yaml-cpp continues the scalar on lines indented past its parent.
    mode_ = Mode::kPlain;
    plain_indent_ = TopColumn() + 1;
    return St::kEnd;
  }

  // "|" or ">", its indicators and a comment; otherwise not a block scalar
  // (yaml-cpp fails there), and the rest of the line is read as nodes.
  St BlockScalar(size_t* pos) {
    size_t i = *pos + 1;
    int explicit_indent = 0;
    for (; i < s_.size() && !IsBlank(s_[i]); ++i) {
      char c = s_[i];
      if (c >= '1' && c <= '9' && explicit_indent == 0) {
        explicit_indent = c - '0';
      } else if (c != '+' && c != '-') {
        *pos = i;
        node_col_ = -1;
        return St::kNode;
      }
    }
    i = SkipBlanks(i);
    if (i < s_.size() && s_[i] != '#') {
      *pos = i;
      node_col_ = -1;
      return St::kNode;
    }
    mode_ = Mode::kBlockScalar;
    scalar_parent_ = TopColumn();
    // Erring high: a larger content indent ends the scalar sooner.
    scalar_indent_ = explicit_indent > 0
                         ? std::max(scalar_parent_, 0) + explicit_indent
                         : -1;
    return St::kEnd;
  }

  // Inside flow collections, or at the bracket that opens the first one.
  St Flow(size_t* pos) {
    for (; *pos < s_.size(); ++*pos) {
      char c = s_[*pos];
      if (IsBlank(c)) continue;
      if (c == '#' && (*pos == 0 || IsBlank(s_[*pos - 1]))) break;
      if ((c == '"' || c == '\'') && token_start_) {
        quote_ = c;
        quote_in_flow_ = true;
        ++*pos;
        return St::kQuote;
      }
      bool indicator = c == ':' || c == '?';
      if (indicator && (BlankOrEnd(*pos + 1) || (c == ':' && json_node_))) {
        token_start_ = true;
        json_node_ = false;
      } else if (c == '[' || c == '{') {
        if (static_cast<int>(stack_.size()) + ++flow_ > max_) {
          TooDeep(static_cast<int>(*pos));
          return St::kEnd;
        }
        flow_peak_ = std::max(flow_peak_, flow_);
        token_start_ = true;
        json_node_ = false;
      } else if (c == ']' || c == '}') {
        if (flow_ > 0) --flow_;
        token_start_ = false;
        json_node_ = true;
        if (flow_ == 0) {
          ++*pos;
          return St::kAfter;
        }
      } else if (c == ',') {
        token_start_ = true;
        json_node_ = false;
      } else if ((c == '&' || c == '!') && token_start_) {
        *pos = SkipName(*pos + 1) - 1;
      } else {
        token_start_ = json_node_ = false;
      }
    }
    mode_ = Mode::kFlow;
    return St::kEnd;
  }

  // Inside a quoted scalar, up to its closing quote.
  St Quote(size_t* pos) {
    for (size_t i = *pos; i < s_.size(); ++i) {
      char c = s_[i];
      if (quote_ == '"' && c == '\\') {
        ++i;
        continue;
      }
      if (c != quote_) continue;
      if (quote_ == '\'' && i + 1 < s_.size() && s_[i + 1] == '\'') {
        ++i;  // '' is an escaped quote
        continue;
      }
      *pos = i + 1;
      if (!quote_in_flow_) return St::kAfter;
      token_start_ = false;
      json_node_ = true;
      return St::kFlow;
    }
    mode_ = Mode::kQuote;
    return St::kEnd;
  }

  const int max_;
  std::string_view s_;
  int line_ = 0;
  bool too_deep_ = false;
  Mark where_;
  Mode mode_ = Mode::kBlock;
  std::vector<Level> stack_;
  int node_col_ = -1;         // where the current block node started
  int flow_ = 0;              // open flow collections
  int flow_peak_ = 0;         // deepest flow_ since the block node started
  Mark flow_mark_;            // where that flow collection opened
  bool token_start_ = false;  // flow: a quote here opens a quoted scalar
  bool json_node_ = false;    // flow: just after a quote or bracket
  char quote_ = '"';
  bool quote_in_flow_ = false;
  int plain_indent_ = 0;    // kPlain: least indent that continues it
  int scalar_parent_ = -1;  // kBlockScalar: indent of its parent
  int scalar_indent_ = -1;  // kBlockScalar: content indent, -1 until seen
};

}  // namespace

std::optional<Mark> FindDeepNesting(std::string_view text, int max_depth) {
  return DepthScanner(max_depth).Run(text);
}

std::optional<Mark> FindDeepJsonNesting(std::string_view text, int max_depth) {
  int depth = 0, line = 1, column = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    ++column;
    if (c == '\n') {
      ++line;
      column = 0;
    } else if (in_string) {
      if (c == '\\') {
        ++i;
        ++column;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return Mark{line, column};
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

std::string NestingMessage(int max_depth) {
  return "nesting deeper than " + std::to_string(max_depth) +
         " levels: maps and lists may nest at most " +
         std::to_string(max_depth) + " deep";
}

}  // namespace capigitops::yaml
