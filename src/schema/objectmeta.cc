// ObjectMeta validation and pruning for custom resources.
#include "schema/objectmeta.h"

#include <cctype>
#include <map>

#include "schema/errors.h"
#include "schema/format.h"
#include "util/k8s_names.h"

namespace capigitops::schema {
namespace {

using json = nlohmann::json;

enum class MetaKind {
  kString,
  kInteger,
  kTimestamp,
  kStringMap,
  kStringList,
  kObjectList
};

const std::map<std::string, MetaKind, std::less<>>& MetaFields() {
  static const auto* fields = new std::map<std::string, MetaKind, std::less<>>{
      {"name", MetaKind::kString},
      {"generateName", MetaKind::kString},
      {"namespace", MetaKind::kString},
      {"selfLink", MetaKind::kString},
      {"uid", MetaKind::kString},
      {"resourceVersion", MetaKind::kString},
      {"generation", MetaKind::kInteger},
      {"creationTimestamp", MetaKind::kTimestamp},
      {"deletionTimestamp", MetaKind::kTimestamp},
      {"deletionGracePeriodSeconds", MetaKind::kInteger},
      {"labels", MetaKind::kStringMap},
      {"annotations", MetaKind::kStringMap},
      {"ownerReferences", MetaKind::kObjectList},
      {"finalizers", MetaKind::kStringList},
      {"managedFields", MetaKind::kObjectList},
  };
  return *fields;
}

constexpr size_t kMaxAnnotationsBytes = 256 * 1024;

std::string MaxLenMessage(size_t n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

bool HasType(const json& v, MetaKind kind) {
  switch (kind) {
    case MetaKind::kString:
      return v.is_string();
    case MetaKind::kInteger:
      return v.is_number_integer();
    case MetaKind::kTimestamp:
      return v.is_string() && MatchesFormat("date-time", v);
    case MetaKind::kStringMap:
      if (!v.is_object()) return false;
      for (const auto& [k, item] : v.items()) {
        if (!item.is_string()) return false;
      }
      return true;
    case MetaKind::kStringList:
    case MetaKind::kObjectList:
      if (!v.is_array()) return false;
      for (const json& item : v) {
        if (kind == MetaKind::kStringList ? !item.is_string()
                                          : !item.is_object()) {
          return false;
        }
      }
      return true;
  }
  return false;
}

const char* TypeName(MetaKind kind) {
  switch (kind) {
    case MetaKind::kString:
      return "string";
    case MetaKind::kInteger:
      return "integer";
    case MetaKind::kTimestamp:
      return "date-time";
    case MetaKind::kStringMap:
      return "map of strings";
    case MetaKind::kStringList:
      return "list of strings";
    case MetaKind::kObjectList:
      return "list of objects";
  }
  return "";
}

void AddEach(const std::string& field, const json& value,
             const std::vector<std::string>& messages,
             std::vector<SchemaError>* errors) {
  for (const std::string& m : messages) {
    errors->push_back(InvalidError(field, value, m));
  }
}

void ValidateLabelsAndAnnotations(const json& meta, const std::string& path,
                                  std::vector<SchemaError>* errors) {
  if (auto it = meta.find("labels"); it != meta.end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      AddEach(path + ".labels", k, QualifiedNameErrors(k), errors);
      AddEach(path + ".labels", v, LabelValueErrors(v.get<std::string>()),
              errors);
    }
  }
  auto it = meta.find("annotations");
  if (it == meta.end() || !it->is_object()) return;
  size_t total = 0;
  for (const auto& [k, v] : it->items()) {
    std::string lower = k;
    for (char& c : lower) c = std::tolower(static_cast<unsigned char>(c));
    AddEach(path + ".annotations", k, QualifiedNameErrors(lower), errors);
    total += k.size() + v.get_ref<const std::string&>().size();
  }
  if (total > kMaxAnnotationsBytes) {
    errors->push_back(
        TooLongError(path + ".annotations", kMaxAnnotationsBytes));
  }
}

}  // namespace

std::string StringField(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::vector<std::string> Dns1123LabelErrors(std::string_view value) {
  std::vector<std::string> out;
  if (value.size() > 63) out.push_back(MaxLenMessage(63));
  if (!IsDns1123Label(value, value.size())) {
    out.push_back(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric "
        "characters or '-', and must start and end with an alphanumeric "
        "character (e.g. 'my-name',  or '123-abc', regex used for validation "
        "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  }
  return out;
}

std::vector<std::string> Dns1123SubdomainErrors(std::string_view value) {
  std::vector<std::string> out;
  if (value.size() > 253) out.push_back(MaxLenMessage(253));
  bool ok = !value.empty();
  size_t start = 0;
  while (ok && start <= value.size()) {
    size_t dot = value.find('.', start);
    if (dot == std::string_view::npos) dot = value.size();
    ok = IsDns1123Label(value.substr(start, dot - start), value.size());
    start = dot + 1;
  }
  if (!ok) {
    out.push_back(
        "a lowercase RFC 1123 subdomain must consist of lower case "
        "alphanumeric characters, '-' or '.', and must start and end with an "
        "alphanumeric character (e.g. 'example.com', regex used for "
        "validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  }
  return out;
}

std::vector<std::string> QualifiedNameErrors(std::string_view value) {
  std::vector<std::string> out;
  std::string_view name = value;
  size_t slash = value.find('/');
  if (slash != std::string_view::npos) {
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      out.push_back("prefix part must be non-empty");
    } else {
      for (const std::string& m : Dns1123SubdomainErrors(prefix)) {
        out.push_back("prefix part " + m);
      }
    }
    if (name.find('/') != std::string_view::npos) name = "/";  // 2 slashes
  }
  if (name.empty()) {
    out.push_back("name part must be non-empty");
    return out;
  }
  if (name.size() > 63) out.push_back("name part " + MaxLenMessage(63));
  if (!IsQualifiedNamePart(name)) {
    out.push_back(
        "name part must consist of alphanumeric characters, '-', '_' or '.', "
        "and must start and end with an alphanumeric character (e.g. "
        "'MyName',  or 'my.name',  or '123-abc', regex used for validation "
        "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  }
  return out;
}

std::vector<std::string> LabelValueErrors(std::string_view value) {
  std::vector<std::string> out;
  if (value.size() > 63) out.push_back(MaxLenMessage(63));
  if (!value.empty() && !IsQualifiedNamePart(value)) {
    out.push_back(
        "a valid label must be an empty string or consist of alphanumeric "
        "characters, '-', '_' or '.', and must start and end with an "
        "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
        "'12345', regex used for validation is "
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  }
  return out;
}

void ValidateObjectMeta(const json& meta, const std::string& path,
                        bool require_name, const ValidateOptions& options,
                        std::vector<SchemaError>* errors) {
  if (!meta.is_object()) {
    errors->push_back(TypeError(path, "object", meta));
    return;
  }
  const auto& fields = MetaFields();
  bool types_ok = true;
  for (const auto& [key, value] : meta.items()) {
    auto known = fields.find(key);
    if (known == fields.end()) {
      if (options.reject_unknown_fields) {
        errors->push_back(UnknownFieldError(path + "." + key));
      }
    } else if (!value.is_null() && !HasType(value, known->second)) {
      errors->push_back(
          TypeError(path + "." + key, TypeName(known->second), value));
      types_ok = false;
    }
  }
  if (!types_ok) return;
  std::string name = StringField(meta, "name");
  if (!name.empty()) {
    AddEach(path + ".name", name, Dns1123SubdomainErrors(name), errors);
  } else if (require_name && StringField(meta, "generateName").empty()) {
    errors->push_back(
        RequiredError(path + ".name", "name or generateName is required"));
  }
  std::string ns = StringField(meta, "namespace");
  if (!ns.empty()) {
    AddEach(path + ".namespace", ns, Dns1123LabelErrors(ns), errors);
  }
  ValidateLabelsAndAnnotations(meta, path, errors);
}

void PruneObjectMeta(json* meta) {
  if (!meta->is_object()) return;
  const auto& fields = MetaFields();
  for (auto it = meta->begin(); it != meta->end();) {
    if (fields.find(it.key()) == fields.end()) {
      it = meta->erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace capigitops::schema
