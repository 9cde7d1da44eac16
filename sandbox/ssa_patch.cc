// JSON merge patch (RFC 7386) and JSON patch (RFC 6902) as kube-apiserver
// applies them to objects; error texts follow evanphx/json-patch, which kube
// wraps into its 422 answers.
#include <string>
#include <vector>

#include "ssa.h"

namespace capigitops::sandbox {
namespace {

using nlohmann::json;

StatusOr<std::vector<std::string>> ParsePointer(const std::string& pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer[0] != '/') {
    return Status::InvalidArgument("JSON pointer must start with '/': \"" +
                                   pointer + "\"");
  }
  size_t start = 1;
  while (true) {
    size_t end = pointer.find('/', start);
    std::string raw = pointer.substr(
        start, end == std::string::npos ? std::string::npos : end - start);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() &&
          (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        token += raw[i];
      }
    }
    tokens.push_back(std::move(token));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return tokens;
}

// An array index token: digits without leading zeros, at most `limit`.
bool ArrayIndex(const std::string& token, size_t limit, size_t* index) {
  if (token.empty() || token.size() > 9) return false;
  if (token.size() > 1 && token[0] == '0') return false;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
  }
  *index = std::stoul(token);
  return *index <= limit;
}

// The node `tokens[0, count)` designates, or nullptr.
json* Walk(json* doc, const std::vector<std::string>& tokens, size_t count) {
  json* node = doc;
  for (size_t i = 0; i < count; ++i) {
    if (node->is_object()) {
      auto it = node->find(tokens[i]);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      size_t index;
      if (!ArrayIndex(tokens[i], node->size() - 1, &index) || node->empty()) {
        return nullptr;
      }
      node = &(*node)[index];
    } else {
      return nullptr;
    }
  }
  return node;
}

Status Missing(const std::string& what) {
  return Status::InvalidArgument(what + ": missing value");
}

Status Add(json* doc, const std::string& path, const json& value) {
  ASSIGN_OR_RETURN(auto tokens, ParsePointer(path));
  if (tokens.empty()) {
    *doc = value;
    return Status::Ok();
  }
  json* parent = Walk(doc, tokens, tokens.size() - 1);
  const std::string missing =
      "add operation does not apply: doc is missing path: \"" + path + "\"";
  if (parent == nullptr) return Missing(missing);
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    (*parent)[last] = value;
  } else if (parent->is_array()) {
    size_t index = parent->size();
    if (last != "-" && !ArrayIndex(last, parent->size(), &index)) {
      return Status::InvalidArgument("Unable to access invalid index: " + last +
                                     ": invalid index referenced");
    }
    parent->insert(parent->begin() + static_cast<long>(index), value);
  } else {
    return Missing(missing);
  }
  return Status::Ok();
}

Status Remove(json* doc, const std::string& path, const char* op) {
  ASSIGN_OR_RETURN(auto tokens, ParsePointer(path));
  const std::string missing =
      std::string(op) + " operation does not apply: doc is missing path: \"" +
      path + "\"";
  if (tokens.empty()) return Missing(missing);
  json* parent = Walk(doc, tokens, tokens.size() - 1);
  if (parent == nullptr) return Missing(missing);
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    if (parent->erase(last) == 0) return Missing(missing);
  } else if (parent->is_array()) {
    size_t index;
    if (parent->empty() || !ArrayIndex(last, parent->size() - 1, &index)) {
      return Missing(missing);
    }
    parent->erase(parent->begin() + static_cast<long>(index));
  } else {
    return Missing(missing);
  }
  return Status::Ok();
}

Status Replace(json* doc, const std::string& path, const json& value) {
  ASSIGN_OR_RETURN(auto tokens, ParsePointer(path));
  json* target = Walk(doc, tokens, tokens.size());
  if (target == nullptr) {
    return Missing("replace operation does not apply: doc is missing key: " +
                   path);
  }
  *target = value;
  return Status::Ok();
}

StatusOr<json> Get(json* doc, const std::string& path, const char* op) {
  ASSIGN_OR_RETURN(auto tokens, ParsePointer(path));
  json* node = Walk(doc, tokens, tokens.size());
  if (node == nullptr) {
    return Missing(
        std::string(op) +
        " operation does not apply: doc is missing from path: " + path);
  }
  return *node;
}

StatusOr<std::string> StringMember(const json& op, const char* name) {
  auto it = op.find(name);
  if (it == op.end() || !it->is_string()) {
    return Status::InvalidArgument(std::string("operation missing \"") + name +
                                   "\" string");
  }
  return it->get<std::string>();
}

Status ApplyOperation(json* doc, const json& op) {
  if (!op.is_object()) {
    return Status::InvalidArgument("JSON patch operation must be an object");
  }
  ASSIGN_OR_RETURN(std::string kind, StringMember(op, "op"));
  ASSIGN_OR_RETURN(std::string path, StringMember(op, "path"));
  const bool needs_value = kind == "add" || kind == "replace" || kind == "test";
  if (needs_value && !op.contains("value")) {
    return Status::InvalidArgument(kind + " operation missing value");
  }
  if (kind == "add") return Add(doc, path, op["value"]);
  if (kind == "remove") return Remove(doc, path, "remove");
  if (kind == "replace") return Replace(doc, path, op["value"]);
  if (kind == "test") {
    StatusOr<json> actual = Get(doc, path, "test");
    if (!actual.ok() || *actual != op["value"]) {
      return Status::InvalidArgument("testing value " + path +
                                     " failed: test failed");
    }
    return Status::Ok();
  }
  if (kind == "move" || kind == "copy") {
    ASSIGN_OR_RETURN(std::string from, StringMember(op, "from"));
    if (kind == "move" && path.size() > from.size() &&
        path.compare(0, from.size() + 1, from + "/") == 0) {
      return Status::InvalidArgument(
          "move operation does not apply: \"from\" is a parent of \"path\"");
    }
    ASSIGN_OR_RETURN(json value, Get(doc, from, kind.c_str()));
    if (kind == "move") RETURN_IF_ERROR(Remove(doc, from, "move"));
    return Add(doc, path, value);
  }
  return Status::InvalidArgument("Unexpected kind: " + kind);
}

}  // namespace

StatusOr<json> ApplyMergePatch(const json& target, const json& patch) {
  if (!patch.is_object()) {
    return Status::InvalidArgument("merge patch must be a JSON object");
  }
  json result = target.is_object() ? target : json::object();
  result.merge_patch(patch);
  return result;
}

StatusOr<json> ApplyJsonPatch(const json& target, const json& patch) {
  if (!patch.is_array()) {
    return Status::InvalidArgument("JSON patch must be a list of operations");
  }
  json doc = target;
  for (size_t i = 0; i < patch.size(); ++i) {
    Status status = ApplyOperation(&doc, patch[i]);
    if (!status.ok()) return status;
  }
  return doc;
}

}  // namespace capigitops::sandbox
