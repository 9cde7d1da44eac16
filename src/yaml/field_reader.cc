#include "capigitops/field_reader.h"

#include "util/edit_distance.h"

namespace capigitops {

void DecodeContext::Error(const yaml::Mark& at, const std::string& field,
                          const std::string& message) const {
  diags->push_back({file, at.line, at.column, field, message});
}

FieldReader::FieldReader(const yaml::Node* node, std::string path,
                         DecodeContext* ctx)
    : node_(node), path_(std::move(path)), ctx_(ctx) {
  if (node_ == nullptr) return;
  if (node_->IsMap()) {
    is_map_ = true;
  } else if (!node_->IsNull()) {
    ctx_->Error(node_->mark, path_,
                "expected a map of fields, got " + node_->Describe());
  }
}

std::string FieldReader::Field(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

const yaml::Node* FieldReader::Lookup(const std::string& key, bool required,
                                      const std::string& hint) {
  known_.insert(key);
  const yaml::Node* v = is_map_ ? node_->Find(key) : nullptr;
  if (v != nullptr && v->IsNull()) {
    // "replicas:" with nothing after it is a mistake, not an absent key,
    // unless the field is optional.
    if (required) {
      ctx_->Error(
          v->mark, Field(key),
          "required field has no value" + (hint.empty() ? "" : ": " + hint));
    }
    return nullptr;
  }
  if (v == nullptr && required) {
    ctx_->Error(
        mark(), Field(key),
        "required field is missing" + (hint.empty() ? "" : ": " + hint));
  }
  if (v != nullptr) Record(key, *v);
  return v;
}

void FieldReader::Record(const std::string& key, const yaml::Node& value) {
  if (ctx_->marks != nullptr) (*ctx_->marks)[Field(key)] = value.mark;
}

std::optional<std::string> FieldReader::ScalarString(const yaml::Node& n) {
  if (!n.IsScalar()) return std::nullopt;
  if (!n.quoted && !yaml::PlainScalarToJson(n.scalar).is_string()) {
    return std::nullopt;  // 12, true, null: not a string
  }
  return n.scalar;
}

std::optional<int64_t> FieldReader::ScalarInt(const yaml::Node& n) {
  if (!n.IsScalar() || n.quoted) return std::nullopt;
  nlohmann::json v = yaml::PlainScalarToJson(n.scalar);
  if (!v.is_number_integer()) return std::nullopt;
  return v.get<int64_t>();
}

bool FieldReader::String(const std::string& key, std::string* out,
                         bool required, const std::string& hint) {
  const yaml::Node* v = Lookup(key, required, hint);
  if (v == nullptr) return false;
  std::optional<std::string> s = ScalarString(*v);
  if (!s) {
    // Numbers in string fields ("4711") are common in labels; say how to fix.
    std::string fix =
        v->IsScalar() ? " (put it in quotes to use it as text)" : "";
    ctx_->Error(v->mark, Field(key),
                "expected a string, got " + v->Describe() + fix);
    return false;
  }
  *out = *s;
  return true;
}

bool FieldReader::Int(const std::string& key, int* out, int64_t min,
                      int64_t max, bool required) {
  const yaml::Node* v = Lookup(key, required, "");
  if (v == nullptr) return false;
  std::optional<int64_t> n = ScalarInt(*v);
  if (!n) {
    ctx_->Error(v->mark, Field(key),
                "expected an integer, got " + v->Describe());
    return false;
  }
  if (*n < min || *n > max) {
    ctx_->Error(v->mark, Field(key),
                "must be between " + std::to_string(min) + " and " +
                    std::to_string(max) + ", got " + std::to_string(*n));
    return false;
  }
  *out = static_cast<int>(*n);
  return true;
}

bool FieldReader::Bool(const std::string& key, bool* out) {
  const yaml::Node* v = Lookup(key, false, "");
  if (v == nullptr) return false;
  nlohmann::json j = v->IsScalar() && !v->quoted
                         ? yaml::PlainScalarToJson(v->scalar)
                         : nlohmann::json();
  if (!j.is_boolean()) {
    ctx_->Error(v->mark, Field(key),
                "expected true or false, got " + v->Describe());
    return false;
  }
  *out = j.get<bool>();
  return true;
}

bool FieldReader::StringMap(const std::string& key,
                            std::map<std::string, std::string>* out) {
  const yaml::Node* v = Lookup(key, false, "");
  if (v == nullptr) return false;
  if (!v->IsMap()) {
    ctx_->Error(v->mark, Field(key),
                "expected a map of strings, got " + v->Describe());
    return false;
  }
  bool ok = true;
  for (const auto& [k, val] : v->map) {
    std::optional<std::string> s = ScalarString(val);
    if (!s) {
      ctx_->Error(val.mark, Field(key) + "." + k.scalar,
                  "expected a string, got " + val.Describe() +
                      (val.IsScalar() ? " (put it in quotes)" : ""));
      ok = false;
      continue;
    }
    (*out)[k.scalar] = *s;
    if (ctx_->marks != nullptr)
      (*ctx_->marks)[Field(key) + "." + k.scalar] = k.mark;
  }
  return ok;
}

bool FieldReader::StringList(const std::string& key,
                             std::vector<std::string>* out) {
  const yaml::Node* v = Lookup(key, false, "");
  if (v == nullptr) return false;
  if (!v->IsSeq()) {
    ctx_->Error(v->mark, Field(key),
                "expected a list of strings, got " + v->Describe());
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < v->seq.size(); ++i) {
    std::optional<std::string> s = ScalarString(v->seq[i]);
    if (!s) {
      ctx_->Error(v->seq[i].mark, Field(key) + "[" + std::to_string(i) + "]",
                  "expected a string, got " + v->seq[i].Describe());
      ok = false;
      continue;
    }
    out->push_back(*s);
  }
  return ok;
}

const yaml::Node* FieldReader::Child(const std::string& key) {
  return Lookup(key, false, "");
}

void FieldReader::Finish() {
  if (!is_map_) return;
  std::vector<std::string> candidates(known_.begin(), known_.end());
  for (const auto& [k, v] : node_->map) {
    if (known_.count(k.scalar)) continue;
    std::string msg = "unknown field \"" + k.scalar + "\"";
    std::string guess = SuggestClosest(k.scalar, candidates);
    if (!guess.empty()) {
      msg += "; did you mean \"" + guess + "\"?";
    } else {
      std::string all;
      for (const std::string& c : candidates)
        all += (all.empty() ? "" : ", ") + c;
      msg += " (known fields: " + all + ")";
    }
    ctx_->Error(k.mark, Field(k.scalar), msg);
  }
}

}  // namespace capigitops
