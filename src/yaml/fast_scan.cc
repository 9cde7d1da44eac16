#include "yaml/fast_scan.h"

namespace capigitops::yaml {
namespace {

struct Line {
  int number;             // 0-based
  int indent;             // leading spaces
  std::string_view text;  // the whole line
};

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '/' || c == '-';
}

bool IsNullWord(std::string_view s) {
  return s == "~" || s == "null" || s == "Null" || s == "NULL";
}

class Scanner {
 public:
  Scanner(std::vector<ScanEvent>* out, int max_depth)
      : out_(out), max_depth_(max_depth) {}

  bool Run(std::string_view text) {
    if (!SplitLines(text) || lines_.empty()) return false;
    size_t li = 0;
    if (lines_[0].indent != 0) return false;
    if (!BlockNode(&li, 0)) return false;
    return li == lines_.size();
  }

 private:
  // Non-blank, non-comment lines; false on what the subset excludes
  // everywhere: tabs, carriage returns, document markers, directives.
  bool SplitLines(std::string_view text) {
    int number = 0;
    while (!text.empty()) {
      size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
      if (line.find_first_of("\t\r") != std::string_view::npos) return false;
      size_t indent = line.find_first_not_of(' ');
      if (indent != std::string_view::npos && line[indent] != '#') {
        if (line[0] == '%' || line.substr(0, 3) == "---" ||
            line.substr(0, 3) == "...") {
          return false;
        }
        lines_.push_back({number, static_cast<int>(indent), line});
      }
      ++number;
    }
    return true;
  }

  void Emit(ScanEvent::Type type, int line, int column,
            std::string_view value = {}, bool quoted = false) {
    out_->push_back({type, line, column, std::string(value), quoted});
  }

  static bool StartsItem(std::string_view s, size_t col) {
    return col < s.size() && s[col] == '-' &&
           (col + 1 == s.size() || s[col + 1] == ' ');
  }

  // Length of "key" when `s` has "key:" at `col`, followed by a space or
  // the end of the line; 0 otherwise.
  static size_t KeyAt(std::string_view s, size_t col) {
    size_t i = col;
    while (i < s.size() && IsKeyChar(s[i])) ++i;
    if (i == col || s[col] == '-' || i >= s.size() || s[i] != ':') return 0;
    if (i + 1 < s.size() && s[i + 1] != ' ') return 0;
    // yaml-cpp reads these as null keys (which we reject), not as strings.
    if (IsNullWord(s.substr(col, i - col))) return 0;
    return i - col;
  }

  // The node that starts on line *li at column `col`.
  bool BlockNode(size_t* li, size_t col) {
    std::string_view s = lines_[*li].text;
    if (StartsItem(s, col)) {
      return static_cast<int>(col) == lines_[*li].indent && BlockSeq(li, col);
    }
    if (KeyAt(s, col) > 0) return BlockMap(li, col);
    return false;  // a lone scalar document: rare, left to yaml-cpp
  }

  bool BlockMap(size_t* li, size_t col) {
    if (!Enter()) return false;
    Emit(ScanEvent::kMapStart, lines_[*li].number, static_cast<int>(col));
    bool first = true;
    while (*li < lines_.size()) {
      const Line& line = lines_[*li];
      if (!first) {
        if (line.indent < static_cast<int>(col)) break;
        if (line.indent > static_cast<int>(col)) return false;
      }
      first = false;
      size_t key = KeyAt(line.text, col);
      if (key == 0) return false;
      Emit(ScanEvent::kScalar, line.number, static_cast<int>(col),
           line.text.substr(col, key));
      size_t pos = col + key + 1;
      while (pos < line.text.size() && line.text[pos] == ' ') ++pos;
      if (pos < line.text.size() && line.text[pos] != '#') {
        if (!InlineValue(line, &pos) || !RestIsComment(line.text, pos)) {
          return false;
        }
        ++*li;
        continue;
      }
      if (!NestedValue(li, col)) return false;
    }
    Emit(ScanEvent::kMapEnd, 0, 0);
    --depth_;
    return true;
  }

  // The value of a key that ends its line: a deeper map or list, or a list
  // at the key's own column.
  bool NestedValue(size_t* li, size_t col) {
    ++*li;
    if (*li == lines_.size()) return false;  // a null value: left to yaml-cpp
    const Line& next = lines_[*li];
    size_t at = static_cast<size_t>(next.indent);
    if (at > col) return BlockNode(li, at);
    if (at == col && StartsItem(next.text, at)) return BlockSeq(li, at);
    return false;
  }

  bool BlockSeq(size_t* li, size_t col) {
    if (!Enter()) return false;
    Emit(ScanEvent::kSeqStart, lines_[*li].number, static_cast<int>(col));
    while (*li < lines_.size()) {
      const Line& line = lines_[*li];
      if (line.indent != static_cast<int>(col) || !StartsItem(line.text, col)) {
        if (line.indent > static_cast<int>(col)) return false;
        break;
      }
      size_t pos = line.text.find_first_not_of(' ', col + 1);
      if (pos == std::string_view::npos || line.text[pos] == '#' ||
          StartsItem(line.text, pos)) {
        return false;
      }
      if (KeyAt(line.text, pos) > 0) {
        if (!BlockMap(li, pos)) return false;
        continue;
      }
      if (!InlineValue(line, &pos) || !RestIsComment(line.text, pos)) {
        return false;
      }
      ++*li;
    }
    Emit(ScanEvent::kSeqEnd, 0, 0);
    --depth_;
    return true;
  }

  static bool RestIsComment(std::string_view s, size_t pos) {
    size_t next = s.find_first_not_of(' ', pos);
    return next == std::string_view::npos || (next > pos && s[next] == '#');
  }

  // A scalar or flow collection on one line, starting at *pos.
  bool InlineValue(const Line& line, size_t* pos) {
    std::string_view s = line.text;
    char c = s[*pos];
    if (c == '{' || c == '[') return Flow(line, pos);
    if (c == '"') return Quoted(line, pos);
    // Plain: up to a comment or the end of the line.
    size_t end = s.find(" #", *pos);
    if (end == std::string_view::npos) end = s.size();
    return Plain(line, pos, end, false);
  }

  // A plain scalar in [*pos, end) without its trailing spaces. Rejects what
  // could be read otherwise: indicators first, ':' and '#' anywhere, and in
  // flow context brackets.
  bool Plain(const Line& line, size_t* pos, size_t end, bool flow) {
    std::string_view v = line.text.substr(*pos, end - *pos);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    if (v.empty() || IsNullWord(v)) return false;
    if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(v[0]) !=
        std::string_view::npos) {
      return false;
    }
    // In a flow collection yaml-cpp reads a '?' inside a plain scalar
    // differently from its block reading (the yaml fuzzer found "[w?e]"):
    // left to yaml-cpp.
    std::string_view banned = flow ? ":#[]{},?" : ":#";
    if (v.find_first_of(banned) != std::string_view::npos) return false;
    Emit(ScanEvent::kScalar, line.number, static_cast<int>(*pos), v);
    *pos += v.size();
    return true;
  }

  bool Quoted(const Line& line, size_t* pos) {
    size_t close = line.text.find('"', *pos + 1);
    if (close == std::string_view::npos) return false;
    std::string_view v = line.text.substr(*pos + 1, close - *pos - 1);
    if (v.find('\\') != std::string_view::npos) return false;
    Emit(ScanEvent::kScalar, line.number, static_cast<int>(*pos), v, true);
    *pos = close + 1;
    return true;
  }

  void SkipSpaces(std::string_view s, size_t* pos) {
    while (*pos < s.size() && s[*pos] == ' ') ++*pos;
  }

  // {k: v, ...} or [v, ...], closed on the same line.
  bool Flow(const Line& line, size_t* pos) {
    std::string_view s = line.text;
    if (!Enter()) return false;
    bool map = s[*pos] == '{';
    char close = map ? '}' : ']';
    Emit(map ? ScanEvent::kMapStart : ScanEvent::kSeqStart, line.number,
         static_cast<int>(*pos));
    ++*pos;
    SkipSpaces(s, pos);
    if (*pos < s.size() && s[*pos] == close) {
      ++*pos;
      Emit(map ? ScanEvent::kMapEnd : ScanEvent::kSeqEnd, 0, 0);
      --depth_;
      return true;
    }
    for (;;) {
      if (map && !FlowKey(line, pos)) return false;
      if (!FlowValue(line, pos)) return false;
      SkipSpaces(s, pos);
      if (*pos >= s.size()) return false;
      if (s[*pos] == close) break;
      if (s[*pos] != ',') return false;
      ++*pos;
      SkipSpaces(s, pos);
      if (*pos >= s.size() || s[*pos] == close) return false;
    }
    ++*pos;
    Emit(map ? ScanEvent::kMapEnd : ScanEvent::kSeqEnd, 0, 0);
    --depth_;
    return true;
  }

  bool FlowKey(const Line& line, size_t* pos) {
    size_t key = KeyAt(line.text, *pos);
    if (key == 0) return false;
    Emit(ScanEvent::kScalar, line.number, static_cast<int>(*pos),
         line.text.substr(*pos, key));
    *pos += key + 1;
    SkipSpaces(line.text, pos);
    return true;
  }

  bool FlowValue(const Line& line, size_t* pos) {
    std::string_view s = line.text;
    if (*pos >= s.size()) return false;
    if (s[*pos] == '{' || s[*pos] == '[') return Flow(line, pos);
    if (s[*pos] == '"') return Quoted(line, pos);
    size_t end = s.find_first_of(",]}", *pos);
    if (end == std::string_view::npos) return false;
    return Plain(line, pos, end, true);
  }

  // Every collection recurses once: the depth bounds the stack.
  bool Enter() { return ++depth_ <= max_depth_; }

  std::vector<ScanEvent>* out_;
  const int max_depth_;
  int depth_ = 0;
  std::vector<Line> lines_;
};

}  // namespace

bool FastScan(std::string_view text, std::vector<ScanEvent>* events,
              int max_depth) {
  events->clear();
  Scanner scanner(events, max_depth);
  if (scanner.Run(text)) return true;
  events->clear();
  return false;
}

}  // namespace capigitops::yaml
