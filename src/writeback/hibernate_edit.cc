// spec.hibernate as a one-line edit of a ClusterRequest file: the file is
// the team's, so its comments, key order and quoting stay exactly as they
// were (a YAML round trip would lose them).
#include <string>
#include <string_view>
#include <vector>

#include "capigitops/writeback.h"

namespace capigitops {
namespace {

// Lines with their line ending ("\n", "\r\n" or "" for the last).
struct Line {
  std::string text;
  std::string eol;
};

std::vector<Line> SplitLines(const std::string& text) {
  std::vector<Line> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string body = text.substr(
        start, nl == std::string::npos ? std::string::npos : nl - start);
    Line line;
    if (nl != std::string::npos) line.eol = "\n";
    if (!body.empty() && body.back() == '\r') {
      body.pop_back();
      line.eol = "\r" + line.eol;
    }
    line.text = std::move(body);
    lines.push_back(std::move(line));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return lines;
}

size_t Indent(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return i;
}

// Blank or only a comment: says nothing about structure.
bool IsFiller(std::string_view s) {
  size_t i = Indent(s);
  return i == s.size() || s[i] == '#';
}

// `key:` at column `indent`, followed by a space, a comment or nothing.
bool IsKeyLine(std::string_view s, size_t indent, std::string_view key) {
  if (Indent(s) != indent) return false;
  std::string_view rest = s.substr(indent);
  if (rest.substr(0, key.size()) != key) return false;
  rest.remove_prefix(key.size());
  size_t colon = Indent(rest);
  if (colon >= rest.size() || rest[colon] != ':') return false;
  return colon + 1 == rest.size() || rest[colon + 1] == ' ' ||
         rest[colon + 1] == '\t';
}

// Where the value of a `key: value  # comment` line ends: at " #" or the end.
size_t ValueEnd(std::string_view s, size_t from) {
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] == '#' && (s[i - 1] == ' ' || s[i - 1] == '\t')) {
      size_t end = i;
      while (end > from && (s[end - 1] == ' ' || s[end - 1] == '\t')) --end;
      return end;
    }
  }
  return s.size();
}

std::string Join(const std::vector<Line>& lines) {
  std::string out;
  for (const Line& l : lines) out += l.text + l.eol;
  return out;
}

}  // namespace

StatusOr<std::string> SetHibernateLine(const std::string& text, bool value) {
  std::vector<Line> lines = SplitLines(text);
  size_t spec = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (IsKeyLine(lines[i].text, 0, "spec")) {
      spec = i;
      break;
    }
  }
  if (spec == lines.size()) {
    return Status::InvalidArgument("no top-level spec: block to edit");
  }
  std::string_view spec_line = lines[spec].text;
  size_t after_colon = spec_line.find(':') + 1;
  if (ValueEnd(spec_line, after_colon) > after_colon &&
      spec_line.find_first_not_of(" \t", after_colon) <
          ValueEnd(spec_line, after_colon)) {
    return Status::InvalidArgument(
        "spec is written on one line (flow style); set hibernate by hand");
  }
  // The spec block: until the next line at column 0 (or a document marker).
  size_t child = 0;
  size_t found = lines.size();
  for (size_t i = spec + 1; i < lines.size(); ++i) {
    std::string_view s = lines[i].text;
    if (IsFiller(s)) continue;
    if (Indent(s) == 0) break;
    if (child == 0) child = Indent(s);
    if (IsKeyLine(s, child, "hibernate")) {
      found = i;
      break;
    }
  }
  if (child == 0) return Status::InvalidArgument("spec: block is empty");
  const std::string word = value ? "true" : "false";
  if (found == lines.size()) {
    if (!value) return text;  // absent is already false
    Line added{std::string(child, ' ') + "hibernate: true",
               lines[spec].eol.empty() ? "\n" : lines[spec].eol};
    if (lines[spec].eol.empty()) lines[spec].eol = "\n";
    lines.insert(lines.begin() + spec + 1, added);
    return Join(lines);
  }
  std::string& s = lines[found].text;
  size_t colon = s.find(':', child) + 1;
  size_t start = s.find_first_not_of(" \t", colon);
  size_t end = ValueEnd(s, colon);
  if (start == std::string::npos || start > end) start = end;
  if (start < end && s.compare(start, end - start, word) == 0) return text;
  s = s.substr(0, colon) + " " + word + s.substr(end);
  return Join(lines);
}

}  // namespace capigitops
