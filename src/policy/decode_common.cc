#include "policy/decode_common.h"

#include "util/edit_distance.h"

namespace capigitops::policy_internal {

std::string DocumentKind(const yaml::Node& doc) {
  const yaml::Node* kind = doc.IsMap() ? doc.Find("kind") : nullptr;
  return kind != nullptr && kind->IsScalar() ? kind->scalar : "";
}

std::string DecodeHeader(FieldReader* top, const yaml::Node& doc,
                         DecodeContext* ctx) {
  std::string api_version, kind, name;
  if (top->String("apiVersion", &api_version, true, kApiVersion) &&
      api_version != kApiVersion) {
    ctx->Error(
        doc.Find("apiVersion")->mark, "apiVersion",
        "unsupported apiVersion \"" + api_version + "\": use " + kApiVersion);
  }
  top->String("kind", &kind, true, "Policy or PriceTable");
  const yaml::Node* metadata = top->Child("metadata");
  if (metadata == nullptr) {
    ctx->Error(doc.mark, "metadata",
               "required field is missing: e.g. metadata: {name: baseline}");
    return name;
  }
  FieldReader meta(metadata, "metadata", ctx);
  meta.String("name", &name, true);
  std::map<std::string, std::string> ignored;
  meta.StringMap("labels", &ignored);
  meta.StringMap("annotations", &ignored);
  meta.Finish();
  return name;
}

std::optional<double> ScalarNumber(const yaml::Node& n) {
  if (!n.IsScalar() || n.quoted) return std::nullopt;
  nlohmann::json v = yaml::PlainScalarToJson(n.scalar);
  if (!v.is_number()) return std::nullopt;
  return v.get<double>();
}

bool ReadAmount(FieldReader* r, const yaml::Node& map, const std::string& key,
                double* out, DecodeContext* ctx, bool required) {
  const yaml::Node* v = r->Child(key);
  if (v == nullptr) {
    if (required) {
      ctx->Error(map.mark, r->Field(key), "required field is missing");
    }
    return false;
  }
  std::optional<double> n = ScalarNumber(*v);
  if (!n) {
    ctx->Error(v->mark, r->Field(key),
               "expected a number, got " + v->Describe());
    return false;
  }
  if (*n < 0) {
    ctx->Error(v->mark, r->Field(key),
               "must not be negative, got " + v->scalar);
    return false;
  }
  *out = *n;
  return true;
}

std::optional<Provider> ReadProvider(const yaml::Node& n,
                                     const std::string& field,
                                     DecodeContext* ctx) {
  std::optional<std::string> s = FieldReader::ScalarString(n);
  if (!s) {
    ctx->Error(n.mark, field, "expected a provider name, got " + n.Describe());
    return std::nullopt;
  }
  if (auto p = ParseProvider(*s)) return p;
  std::string msg = "unknown provider \"" + *s + "\"";
  std::string guess = SuggestClosest(*s, ProviderNames());
  if (!guess.empty()) {
    msg += "; did you mean \"" + guess + "\"?";
  } else {
    msg += " (use gcp, aws, azure, vsphere, openstack or docker)";
  }
  ctx->Error(n.mark, field, msg);
  return std::nullopt;
}

}  // namespace capigitops::policy_internal
