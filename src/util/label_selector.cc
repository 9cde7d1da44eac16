#include "util/label_selector.h"

#include <algorithm>
#include <cctype>

namespace capigitops {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

// Label keys: [prefix/]name of letters, digits, '-', '_', '.'; values the
// same without '/', and may be empty. The API server checks lengths; here
// the shape is enough to catch a mistyped operator.
bool ValidChars(std::string_view s, bool slash_ok) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
           c == '_' || c == '.' || (slash_ok && c == '/');
  });
}

// Splits at commas outside parentheses: "a in (x,y),b" -> {"a in (x,y)", "b"}.
std::vector<std::string_view> SplitTopLevel(std::string_view text) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    } else if (text[i] == '(') {
      ++depth;
    } else if (text[i] == ')') {
      --depth;
    }
  }
  return parts;
}

// "key in (a, b)" / "key notin (a)": false when `part` is not a set form.
bool ParseSet(std::string_view part, LabelRequirement* req) {
  size_t open = part.find('(');
  if (open == std::string_view::npos || part.back() != ')') return false;
  std::string_view head = Trim(part.substr(0, open));
  size_t space = head.find_last_of(" \t");
  if (space == std::string_view::npos) return false;
  std::string_view op = head.substr(space + 1);
  if (op != "in" && op != "notin") return false;
  req->op =
      op == "in" ? LabelRequirement::Op::kIn : LabelRequirement::Op::kNotIn;
  req->key = std::string(Trim(head.substr(0, space)));
  std::string_view inner = part.substr(open + 1, part.size() - open - 2);
  size_t start = 0;
  for (size_t i = 0; i <= inner.size(); ++i) {
    if (i == inner.size() || inner[i] == ',') {
      req->values.emplace_back(Trim(inner.substr(start, i - start)));
      start = i + 1;
    }
  }
  return true;
}

StatusOr<LabelRequirement> ParseRequirement(std::string_view part) {
  LabelRequirement req;
  auto bad = [&](std::string why) {
    return Status::InvalidArgument("label selector \"" + std::string(part) +
                                   "\": " + why);
  };
  if (part.empty()) return bad("empty requirement");
  if (part.front() == '!' && part.find('=') == std::string_view::npos) {
    req.op = LabelRequirement::Op::kNotExists;
    req.key = std::string(Trim(part.substr(1)));
  } else if (ParseSet(part, &req)) {
    if (req.values.empty() || (req.values.size() == 1 && req.values[0] == "")) {
      return bad("an empty set");
    }
  } else if (size_t at = part.find("!="); at != std::string_view::npos) {
    req.op = LabelRequirement::Op::kNotEquals;
    req.key = std::string(Trim(part.substr(0, at)));
    req.values = {std::string(Trim(part.substr(at + 2)))};
  } else if (size_t eq = part.find('='); eq != std::string_view::npos) {
    size_t len = part.compare(eq, 2, "==") == 0 ? 2 : 1;
    req.op = LabelRequirement::Op::kEquals;
    req.key = std::string(Trim(part.substr(0, eq)));
    req.values = {std::string(Trim(part.substr(eq + len)))};
  } else {
    req.op = LabelRequirement::Op::kExists;
    req.key = std::string(part);
  }
  if (req.key.empty() || !ValidChars(req.key, true)) {
    return bad("\"" + req.key + "\" is not a label key");
  }
  for (const std::string& v : req.values) {
    if (!ValidChars(v, false)) return bad("\"" + v + "\" is not a label value");
  }
  return req;
}

}  // namespace

StatusOr<LabelSelector> LabelSelector::Parse(std::string_view text) {
  LabelSelector s;
  if (Trim(text).empty()) return s;
  for (std::string_view part : SplitTopLevel(text)) {
    ASSIGN_OR_RETURN(LabelRequirement req, ParseRequirement(Trim(part)));
    s.reqs_.push_back(std::move(req));
  }
  return s;
}

bool LabelSelector::Matches(
    const std::map<std::string, std::string>& labels) const {
  for (const LabelRequirement& r : reqs_) {
    auto it = labels.find(r.key);
    bool has = it != labels.end();
    bool in_set = has && std::find(r.values.begin(), r.values.end(),
                                   it->second) != r.values.end();
    bool ok = false;
    switch (r.op) {
      case LabelRequirement::Op::kEquals:
      case LabelRequirement::Op::kIn:
        ok = in_set;
        break;
      case LabelRequirement::Op::kNotEquals:
      case LabelRequirement::Op::kNotIn:
        ok = !in_set;
        break;
      case LabelRequirement::Op::kExists:
        ok = has;
        break;
      case LabelRequirement::Op::kNotExists:
        ok = !has;
        break;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace capigitops
