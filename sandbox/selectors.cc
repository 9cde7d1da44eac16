// Selector parsing (apimachinery/pkg/labels/selector.go, fields/selector.go).
#include "selectors.h"

#include <algorithm>

namespace capigitops::sandbox {
namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// Splits on commas outside parentheses.
StatusOr<std::vector<std::string>> SplitTerms(std::string_view text) {
  std::vector<std::string> terms;
  int depth = 0;
  std::string cur;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')' && --depth < 0) {
      return Status::InvalidArgument("unbalanced parentheses");
    }
    if (c == ',' && depth == 0) {
      terms.push_back(Trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (depth != 0) return Status::InvalidArgument("unbalanced parentheses");
  terms.push_back(Trim(cur));
  return terms;
}

bool ValidToken(const std::string& s, bool allow_empty) {
  if (s.empty()) return allow_empty;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
           c == '_' || c == '.' || c == '/';
  });
}

// "key in (a, b)" / "key notin (a)", or false when `term` is not a set term.
StatusOr<bool> ParseSetTerm(const std::string& term, Requirement* req) {
  size_t open = term.find('(');
  if (open == std::string::npos) return false;
  std::string head = Trim(term.substr(0, open));
  size_t space = head.find_last_of(" \t");
  if (space == std::string::npos || term.back() != ')') {
    return Status::InvalidArgument("invalid set requirement: " + term);
  }
  std::string op = head.substr(space + 1);
  req->key = Trim(head.substr(0, space));
  if (op == "in") {
    req->op = SelectorOp::kIn;
  } else if (op == "notin") {
    req->op = SelectorOp::kNotIn;
  } else {
    return Status::InvalidArgument("unknown operator " + op);
  }
  std::string inner = term.substr(open + 1, term.size() - open - 2);
  size_t start = 0;
  while (true) {
    size_t comma = inner.find(',', start);
    std::string v = Trim(inner.substr(start, comma - start));
    if (!ValidToken(v, true)) {
      return Status::InvalidArgument("invalid label value: " + v);
    }
    req->values.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

StatusOr<Requirement> ParseTerm(const std::string& term) {
  Requirement req;
  if (term.empty()) return Status::InvalidArgument("empty requirement");
  ASSIGN_OR_RETURN(bool is_set, ParseSetTerm(term, &req));
  if (!is_set) {
    size_t pos;
    size_t op_len = 1;
    if ((pos = term.find("!=")) != std::string::npos) {
      req.op = SelectorOp::kNotEquals;
      op_len = 2;
    } else if ((pos = term.find("==")) != std::string::npos) {
      op_len = 2;
    } else if ((pos = term.find('=')) != std::string::npos) {
    } else if (term[0] == '!') {
      req.op = SelectorOp::kNotExists;
      req.key = Trim(term.substr(1));
    } else {
      req.op = SelectorOp::kExists;
      req.key = term;
    }
    if (pos != std::string::npos) {
      req.key = Trim(term.substr(0, pos));
      std::string value = Trim(term.substr(pos + op_len));
      if (!ValidToken(value, true)) {
        return Status::InvalidArgument("invalid label value: " + value);
      }
      req.values.push_back(value);
    }
  }
  if (!ValidToken(req.key, false)) {
    return Status::InvalidArgument("invalid label key \"" + req.key + "\"");
  }
  return req;
}

bool MatchOne(const Requirement& r, bool present, const std::string& value) {
  auto in = [&] {
    return std::find(r.values.begin(), r.values.end(), value) != r.values.end();
  };
  switch (r.op) {
    case SelectorOp::kEquals:
      return present && value == r.values[0];
    case SelectorOp::kNotEquals:
      return !present || value != r.values[0];
    case SelectorOp::kIn:
      return present && in();
    case SelectorOp::kNotIn:
      return !present || !in();
    case SelectorOp::kExists:
      return present;
    case SelectorOp::kNotExists:
      return !present;
  }
  return false;
}

}  // namespace

StatusOr<LabelSelector> LabelSelector::Parse(std::string_view text) {
  LabelSelector sel;
  if (Trim(text).empty()) return sel;
  ASSIGN_OR_RETURN(std::vector<std::string> terms, SplitTerms(text));
  for (const std::string& t : terms) {
    ASSIGN_OR_RETURN(Requirement r, ParseTerm(t));
    sel.reqs_.push_back(std::move(r));
  }
  return sel;
}

bool LabelSelector::Matches(const nlohmann::json& labels) const {
  for (const Requirement& r : reqs_) {
    bool present = labels.is_object() && labels.contains(r.key) &&
                   labels[r.key].is_string();
    std::string value = present ? labels[r.key].get<std::string>() : "";
    if (!MatchOne(r, present, value)) return false;
  }
  return true;
}

StatusOr<FieldSelector> FieldSelector::Parse(std::string_view text) {
  FieldSelector sel;
  if (Trim(text).empty()) return sel;
  ASSIGN_OR_RETURN(std::vector<std::string> terms, SplitTerms(text));
  for (const std::string& t : terms) {
    ASSIGN_OR_RETURN(Requirement r, ParseTerm(t));
    if (r.op != SelectorOp::kEquals && r.op != SelectorOp::kNotEquals) {
      return Status::InvalidArgument("invalid field selector: " + t);
    }
    // Pods' field labels too (workload clusters): what idle detection and
    // `kubectl get pods --field-selector` use.
    if (r.key != "metadata.name" && r.key != "metadata.namespace" &&
        r.key != "status.phase" && r.key != "spec.nodeName" &&
        !IsEventFieldLabel(r.key)) {
      return Status::InvalidArgument("field label not supported: " + r.key);
    }
    sel.reqs_.push_back(std::move(r));
  }
  return sel;
}

bool FieldSelector::Matches(const nlohmann::json& object) const {
  if (reqs_.empty()) return true;
  // By reference: a copy of the metadata (managed fields included) for every
  // object made LISTs of 1000 objects spend a quarter of their time here.
  static const nlohmann::json kNoMeta = nlohmann::json::object();
  auto m = object.find("metadata");
  const nlohmann::json& meta =
      m != object.end() && m->is_object() ? *m : kNoMeta;
  for (const Requirement& r : reqs_) {
    std::string value;
    if (r.key == "metadata.name" || r.key == "metadata.namespace") {
      value = meta.value(r.key == "metadata.name" ? "name" : "namespace", "");
    } else if (IsEventFieldLabel(r.key)) {
      value = EventFieldValue(object, r.key);
    } else {
      size_t dot = r.key.find('.');
      auto part = object.find(r.key.substr(0, dot));
      if (part != object.end() && part->is_object()) {
        auto leaf = part->find(r.key.substr(dot + 1));
        if (leaf != part->end() && leaf->is_string()) {
          value = leaf->get<std::string>();
        }
      }
    }
    if (!MatchOne(r, true, value)) return false;
  }
  return true;
}

std::string FieldSelector::RequiredName() const {
  for (const Requirement& r : reqs_) {
    if (r.key == "metadata.name" && r.op == SelectorOp::kEquals) {
      return r.values[0];
    }
  }
  return "";
}

}  // namespace capigitops::sandbox
